"""Issue 12, items 1, 5, 9, 10, 14 (and the plain ``--db`` path of issue 11): the config file
written safely, secrets never printed, ``~`` expanded, private folders whatever the umask,
and no false all-clear from an empty or missing database.

* Config writes (``profile set``): the value is checked (only ``address`` may hold line
  breaks; CR LF / CR are stored as LF in a TOML multi-line string and read back as stored),
  the file is edited with tomlkit (comments, formatting and every other key kept), written
  0600 through a temporary file that is fsynced and renamed. A config that cannot be parsed
  names the file, the line and the fix; with ``--db`` / ``TRACKER_DATABASE_URL`` given, it
  is ignored with a warning saying which settings were left out. A known setting of the
  wrong form (``profile = "x"``) or TOML nested too deeply is exit 2, never exit 1.
* Messages: every URL is shown with its password masked, parseable by SQLAlchemy or not;
  ``--debug`` tracebacks hide PostgreSQL's DETAIL line (the row's values).
* Paths: ``~`` in ``sqlite:///~/...``, ``--db ~/...``, ``database_url`` and ``TRACKER_HOME``;
  ``--db /home/maria/cases.db`` (a plain path) is a SQLite file.
* Folders the tracker creates are 0700 under ``umask 000``; a config file loosened beyond
  0600 gets the database's warning and is rewritten 0600.
* A reading command on a database with no students warns, naming it; ``due --fail-on
  overdue`` there exits 2; a reading command never creates the default database.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import add_student, invoke, snapshot, sqlite_path


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def config_file(tracker_home: Path) -> Path:
    return tracker_home / "config" / "config.toml"


def write_config(tracker_home: Path, text: str, mode: int = 0o600) -> Path:
    path = config_file(tracker_home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- 1. config written safely ----------------------------------------------------------


def test_address_with_crlf_is_stored_as_lines_and_every_command_still_runs(db_url: str, tracker_home: Path) -> None:
    """`profile set address $'12 Oak St\\r\\nSpringfield'` used to write a raw CR into
    config.toml; every later command (the cron run included) then exited 2."""
    ok(invoke(None, "profile", "set", "address", "12 Oak St\r\nSpringfield"))
    ok(invoke(None, "profile", "set", "name", "Maria Lopez"))
    text = config_file(tracker_home).read_text(encoding="utf-8")
    assert "\r" not in text
    assert tomllib.loads(text)["profile"]["address"] == "12 Oak St\nSpringfield"
    shown = json.loads(ok(invoke(None, "profile", "show", "--format", "json")))
    assert shown["address"] == "12 Oak St\nSpringfield"
    sid = add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--school", "Lincoln Elementary School")
    assert "nothing overdue" in ok(invoke(db_url, "due"))
    letter = ok(invoke(db_url, "letter", "records", str(sid), "--to", "Dana Reyes"))
    assert letter.startswith("Maria Lopez\n12 Oak St\nSpringfield\n")


def test_profile_set_keeps_comments_formatting_and_every_other_key(tracker_home: Path) -> None:
    original = (
        "# my settings\n"
        'timezone = "America/Chicago"   # where I live\n'
        "list = [1, 2]\n"
        '"my key" = 1\n'
        "\n"
        "[profile]\n"
        'name = "Maria"  # me\n'
        "\n"
        "[conventions]  # see tracker rules list\n"
        'annual_review = "anniversary"\n'
        "\n"
        "[other.nested]\n"
        "x = 1979-05-27T07:32:00Z\n"
    )
    path = write_config(tracker_home, original)
    before = tomllib.loads(original)
    ok(invoke(None, "profile", "set", "role", "Parent"))
    text = path.read_text(encoding="utf-8")
    assert text == original.replace('name = "Maria"  # me\n', 'name = "Maria"  # me\nrole = "Parent"\n')
    after = tomllib.loads(text)
    before["profile"]["role"] = "Parent"
    assert after == before
    assert after["list"] == [1, 2] and after["my key"] == 1
    # a second field, and an overwrite of an existing one, keep the rest as well
    ok(invoke(None, "profile", "set", "name", "Maria Lopez"))
    assert tomllib.loads(path.read_text(encoding="utf-8")) == before | {
        "profile": {"name": "Maria Lopez", "role": "Parent"}
    }
    assert "# my settings\n" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Maria\r\nLopez"),
        ("name", "Maria\rLopez"),
        ("role", "Parent\x1b[31m"),
        ("phone", "555\t0101"),
        ("email", "maria@exa\nmple.org"),
        ("address", "12 Oak St\x00"),
        ("address", "12 Oak St\x1b]0;x\x07"),
        ("address", "12\tOak St"),
    ],
)
def test_profile_values_with_control_characters_are_refused_naming_the_field(
    tracker_home: Path, field: str, value: str
) -> None:
    path = write_config(tracker_home, '[profile]\nname = "Maria"\n')
    before = path.read_bytes()
    result = invoke(None, "profile", "set", field, value)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: VALUE ({field}):"), result.output
    assert path.read_bytes() == before


def test_profile_value_surrounding_whitespace_is_stripped_not_refused(tracker_home: Path) -> None:
    ok(invoke(None, "profile", "set", "email", " maria@example.org\n"))
    assert json.loads(ok(invoke(None, "profile", "show", "--format", "json")))["email"] == "maria@example.org"


_PIECE = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=8),
    st.sampled_from(['"', "'", "\\", '"""', "'''", '""""', "\n", "\r\n", "\r", "#", "[profile]", "= ", " "]),
)
_TEXT = st.lists(_PIECE, min_size=1, max_size=10).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_TEXT)
def test_any_accepted_address_reads_back_as_stored(tracker_home: Path, value: str) -> None:
    """Whatever `profile set address` accepts reads back as the lines typed (stripped, no
    blank lines, CR LF as LF) and the file stays valid TOML; what it refuses changes nothing."""
    path = write_config(tracker_home, '# mine\n[profile]\nname = "Maria"\n')
    before = path.read_bytes()
    result = invoke(None, "profile", "set", "address", value)
    if result.exit_code != 0:
        assert result.exit_code == 2, result.output
        assert path.read_bytes() == before
        return
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    expected = "\n".join(line.strip() for line in lines if line.strip())
    stored = tomllib.loads(path.read_text(encoding="utf-8"))
    assert stored["profile"] == {"name": "Maria", "address": expected}
    assert json.loads(ok(invoke(None, "profile", "show", "--format", "json")))["address"] == expected


def test_config_write_is_atomic_and_private(tracker_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new text goes to a temporary file in the same folder (0600), fsynced, renamed; a
    failure before the rename leaves the old file intact and no temporary file."""
    path = write_config(tracker_home, '# mine\n[profile]\nname = "Maria"\n')
    before = path.read_bytes()
    calls: list[int] = []
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        calls.append(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = invoke(None, "profile", "set", "role", "Parent")
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output and "left as it was" in result.output
    assert calls, "the config write must fsync"
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]

    monkeypatch.setattr(os, "fsync", real_fsync)
    ok(invoke(None, "profile", "set", "role", "Parent"))
    assert mode_of(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]
    assert tomllib.loads(path.read_text(encoding="utf-8"))["profile"] == {"name": "Maria", "role": "Parent"}


def test_config_write_through_a_symlink_keeps_the_link(tracker_home: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "tracker.toml"
    real.parent.mkdir()
    real.write_text('[profile]\nname = "Maria"\n', encoding="utf-8")
    link = config_file(tracker_home)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(real)
    ok(invoke(None, "profile", "set", "role", "Parent"))
    assert link.is_symlink()
    assert tomllib.loads(real.read_text(encoding="utf-8"))["profile"] == {"name": "Maria", "role": "Parent"}


BROKEN = (
    '# mine\ntimezone = "America/Chicago"\n[profile]\nname = "Maria\n\n[conventions]\nannual_review = "anniversary"\n'
)


def test_unparseable_config_names_the_file_the_line_and_the_fix(tracker_home: Path) -> None:
    path = write_config(tracker_home, BROKEN)
    result = invoke(None, "due")
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith(f"error: config file {path}: line 4, column ")
    assert "not valid TOML" in line and "fix that line" in line and len(line.splitlines()) == 1
    # and profile set refuses to write over it (it would lose what it cannot read)
    result = invoke(None, "profile", "set", "role", "Parent")
    assert result.exit_code == 2 and f"config file {path}: line 4" in result.output
    assert path.read_text(encoding="utf-8") == BROKEN


@pytest.mark.parametrize("how", ["--db", "TRACKER_DATABASE_URL"])
def test_unparseable_config_does_not_stop_due_on_an_explicit_database(
    db_url: str, tracker_home: Path, how: str
) -> None:
    add_student(db_url)
    path = write_config(tracker_home, BROKEN)
    if how == "--db":
        result = invoke(db_url, "due")
    else:
        result = invoke(None, "due", env={"TRACKER_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert result.stdout == "2025-10-01: nothing overdue or due within 30 days.\n"
    assert f"warning: config file {path}: line 4" in result.stderr
    assert "Going on without the config file (ignored: timezone, [profile], [conventions])" in result.stderr
    assert path.read_text(encoding="utf-8") == BROKEN


@pytest.mark.parametrize(
    "text, setting, accepted",
    [
        ('profile = "x"\n', "[profile] = 'x'", "a [profile] table"),
        ("profile = 5\n", "[profile] = 5 (a number)", "a [profile] table"),
        ("[profile]\nname = [1, 2]\n", "[profile] name = an array", "text in quotes"),
        ("conventions = [1]\n", "[conventions] = an array", "a [conventions] table"),
        ("timezone = 5\n", "timezone = 5 (a number)", "an IANA zone name"),
        ("database_url = true\n", "database_url = true (a boolean)", "a database URL or SQLite file path"),
    ],
)
@pytest.mark.parametrize("command", [("profile", "show"), ("due",), ("letter", "records", "1", "--to", "Dana")])
def test_config_setting_of_the_wrong_type_is_exit_2_naming_it(
    tracker_home: Path, text: str, setting: str, accepted: str, command: tuple[str, ...]
) -> None:
    path = write_config(tracker_home, text)
    result = invoke(None, *command)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: config file {path}: {setting} is not valid; {accepted}"), result.output


def test_deeply_nested_config_is_exit_2_not_a_recursion_error(db_url: str, tracker_home: Path) -> None:
    path = write_config(tracker_home, "a = " + "[" * 5000 + "]" * 5000 + "\n")
    result = invoke(None, "profile", "show")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: config file {path}: arrays or tables nested too deeply to read")
    result = invoke(None, "profile", "set", "name", "Maria")
    assert result.exit_code == 2, result.output
    add_student(db_url)
    result = invoke(db_url, "due")  # an explicit database: the cron run goes on
    assert result.exit_code == 0, result.output
    assert "ignored: all its settings" in result.stderr


def test_wrong_type_setting_is_left_out_with_a_warning_on_an_explicit_database(db_url: str, tracker_home: Path) -> None:
    """Only the bad setting is ignored: the others (here the time zone) still apply."""
    add_student(db_url)
    write_config(tracker_home, 'profile = "x"\n[conventions]\nannual_review = "nonsense"\n')
    result = invoke(db_url, "due")
    # a convention of an unknown value is left out like any other setting (that key alone)
    assert result.exit_code == 0, result.output
    assert "[conventions] annual_review = 'nonsense' is not valid" in result.stderr
    assert "Going on without [conventions] annual_review" in result.stderr
    path = write_config(tracker_home, 'profile = "x"\ntimezone = "America/Chicago"\n')
    result = invoke(db_url, "due")
    assert result.exit_code == 0, result.output
    assert f"warning: config file {path}: [profile] = 'x' is not valid" in result.stderr
    assert "Going on without [profile]" in result.stderr


# --- 5. secrets never printed ----------------------------------------------------------

SECRET = "S3cr3t"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+pyscopg://advocacy:{SECRET}@db.example.org/tracker",  # a mistyped driver
        f"mysql+nosuchdriver://advocacy:{SECRET}@db.example.org/tracker",
        f"postgres ql://advocacy:{SECRET}@db.example.org/tracker",  # SQLAlchemy cannot parse it
        f"postgresql+pyscopg://advocacy:{SECRET}@x@db.example.org/tracker",  # a raw @ in the password
        f"postgresql:advocacy:{SECRET}@db.example.org",  # not even a URL
        f"postgresql+pyscopg://db.example.org/tracker?password={SECRET}",
    ],
)
@pytest.mark.parametrize("how", ["--db", "env", "config"])
def test_a_url_in_a_message_has_its_password_masked(tracker_home: Path, url: str, how: str) -> None:
    if how == "--db":
        result = invoke(url, "due")
    elif how == "env":
        result = invoke(None, "student", "list", env={"TRACKER_DATABASE_URL": url})
    else:
        write_config(tracker_home, f"database_url = {json.dumps(url)}\n")
        result = invoke(None, "due")
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    assert "***" in result.output and result.output.startswith("error: ")


def test_mask_agrees_with_sqlalchemy_on_urls_it_can_parse() -> None:
    from sqlalchemy.engine import make_url

    from tracker.errors import mask_secrets

    for url in [
        "postgresql+psycopg://advocacy:S3cr3t@db.example.org:5432/tracker",
        "postgresql+psycopg://advocacy:p%40ss%2Fw@db.example.org/tracker?sslmode=require",
        "postgresql+psycopg://advocacy@db.example.org/tracker",
    ]:
        assert mask_secrets(url) == make_url(url).render_as_string(hide_password=True)
    assert mask_secrets("host=db password=S3cr3t dbname=x") == "host=db password=*** dbname=x"


def _wipe(db_url: str) -> None:
    """Empty the database (no tables at all), as a fresh one."""
    path = sqlite_path(db_url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = make_url(db_url).query["options"].split("search_path=", 1)[1]
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def test_debug_traceback_of_a_real_duplicate_local_id_hides_the_value(db_url: str, tmp_path: Path) -> None:
    """On PostgreSQL psycopg puts `DETAIL: Key (local_id)=(0060101) already exists` in the
    exception's text, so hide_parameters alone let it into `--debug` tracebacks."""
    from sqlalchemy.exc import IntegrityError

    add_student(db_url, "Ana Ruiz", "2014-05-02", "CA", "--local-id", "0060101")
    add_student(db_url, "Ben Ruiz", "2015-06-03", "CA", "--local-id", "0060102")
    dump = tmp_path / "dump.json"
    ok(invoke(db_url, "export", "json", "--out", str(dump)))
    data = json.loads(dump.read_text(encoding="utf-8"))
    data["tables"]["student"][1]["local_id"] = "0060101"  # a real duplicate, refused by the database
    dump.write_text(json.dumps(data), encoding="utf-8")
    _wipe(db_url)
    result = invoke(db_url, "--debug", "import", "json", str(dump))
    assert isinstance(result.exception, IntegrityError), result.output
    printed = "".join(traceback.format_exception(result.exception))  # what Python prints for --debug
    assert "uq_student_local_id" in printed or "UNIQUE constraint failed" in printed
    assert "0060101" not in printed and "0060102" not in printed
    assert "Ana Ruiz" not in printed and "2014-05-02" not in printed
    if db_url.startswith("postgresql"):
        assert "DETAIL: (hidden by the tracker" in printed
    # without --debug: one line, nothing of the row either
    result = invoke(db_url, "import", "json", str(dump))
    assert result.exit_code == 2 and "0060101" not in result.output


def test_debug_traceback_hides_a_failing_row_of_a_check_constraint(db_url: str) -> None:
    """The scrubbing itself, on errors a PostgreSQL server really sends (a value with a line
    break in it must not survive either)."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from tracker.db import make_engine
    from tracker.errors import scrub_exception

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t_scrub (k VARCHAR(20) UNIQUE, n VARCHAR(40) CHECK (n <> 'bad'))"))
            conn.execute(text("INSERT INTO t_scrub VALUES ('0060101', 'ok')"))
            for statement, params in [
                ("INSERT INTO t_scrub VALUES (:k, 'ok')", {"k": "0060101"}),
                ("INSERT INTO t_scrub VALUES ('z', :n)", {"n": "bad"}),
            ]:
                with pytest.raises(IntegrityError) as caught:
                    with conn.begin_nested():
                        conn.execute(text(statement), params)
                printed = "".join(traceback.format_exception(scrub_exception(caught.value)))
                assert "0060101" not in printed and "(z, bad)" not in printed
                assert "t_scrub" in printed
            conn.rollback()
    finally:
        engine.dispose()


# --- 9. ~ expanded, and plain paths ---------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME (``~``); the current folder is another one, so ``./~`` would show."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return folder


@pytest.mark.parametrize(
    "how",
    ["config sqlite:///~/", "--db sqlite:///~/", "--db ~/", "env ~/", "config ~/"],
)
def test_tilde_is_expanded_in_database_urls_and_paths(tracker_home: Path, home: Path, how: str) -> None:
    where, prefix = how.split(" ")
    value = f"{prefix}cases/tracker.db"
    db, env = None, None
    if where == "config":
        write_config(tracker_home, f"database_url = {json.dumps(value)}\n")
    elif where == "--db":
        db = value
    else:
        env = {"TRACKER_DATABASE_URL": value}
    result = invoke(db, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA", env=env)
    assert result.exit_code == 0, result.output
    rows = json.loads(ok(invoke(db, "student", "list", "--format", "json", env=env)))
    assert [r["name"] for r in rows] == ["Ana Ruiz"]
    assert (home / "cases" / "tracker.db").is_file()
    assert not (Path.cwd() / "~").exists()


def test_tilde_is_expanded_in_tracker_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_HOME", "~/th")  # a crontab line's variables are not expanded
    ok(invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA"))
    ok(invoke(None, "profile", "set", "name", "Maria"))
    assert (home / "th" / "data" / "tracker.db").is_file()
    assert (home / "th" / "config" / "config.toml").is_file()
    assert not (Path.cwd() / "~").exists()


@pytest.mark.parametrize("form", ["absolute", "relative", "dot", "folder/file"])
def test_a_plain_path_as_db_is_a_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    monkeypatch.chdir(tmp_path)
    value, file = {
        "absolute": (str(tmp_path / "cases.db"), tmp_path / "cases.db"),
        "relative": ("cases.db", tmp_path / "cases.db"),
        "dot": ("./cases.db", tmp_path / "cases.db"),
        "folder/file": ("sub/cases", tmp_path / "sub" / "cases"),
    }[form]
    ok(invoke(value, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA"))
    assert file.is_file()
    same = ok(invoke(f"sqlite:///{file}", "student", "list", "--format", "json"))
    assert [r["name"] for r in json.loads(same)] == ["Ana Ruiz"]


@pytest.mark.parametrize("value", ["tracker", "postgres", "sqlite:cases.db", "postgresql:/db", "a\x01.db"])
def test_what_is_neither_a_url_nor_a_path_is_refused_with_the_accepted_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(value, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")
    assert result.exit_code == 2, result.output
    assert "sqlite:///" in result.output and "/home/maria/cases.db" in result.output
    assert list(tmp_path.iterdir()) == []


# --- 10. private folders and files -----------------------------------------------------


@pytest.fixture
def umask_000():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_folders_the_tracker_creates_are_0700_under_umask_000(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_000: None
) -> None:
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "new" / "home"))
    ok(invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA"))
    ok(invoke(None, "profile", "set", "name", "Maria"))
    for folder in ["new", "new/home", "new/home/data", "new/home/config"]:
        assert mode_of(tmp_path / folder) == 0o700, folder
    assert mode_of(tmp_path / "new" / "home" / "data" / "tracker.db") == 0o600
    assert mode_of(tmp_path / "new" / "home" / "config" / "config.toml") == 0o600

    ok(invoke(str(existing / "a" / "b" / "c.db"), "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA"))
    assert mode_of(existing) == 0o755  # not ours: left as it was
    assert mode_of(existing / "a") == 0o700 and mode_of(existing / "a" / "b") == 0o700


def test_per_user_data_folder_parents_are_0700_under_umask_000(
    home: Path, monkeypatch: pytest.MonkeyPatch, umask_000: None
) -> None:
    for name in ("TRACKER_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    ok(invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA"))
    for folder in [".local", ".local/share", ".local/share/iep-tracker"]:
        assert mode_of(home / folder) == 0o700, folder
    ok(invoke(None, "profile", "set", "name", "Maria"))
    for folder in [".config", ".config/iep-tracker"]:
        assert mode_of(home / folder) == 0o700, folder


def test_a_loose_config_file_is_warned_about_and_written_0600(tracker_home: Path) -> None:
    path = write_config(tracker_home, '[profile]\nname = "Maria"\nphone = "555-0101"\n', mode=0o644)
    result = invoke(None, "profile", "show")
    assert result.exit_code == 0
    warning = (
        f"warning: the config file {path} can be read or written by others (mode 0644); fix it with: chmod 600 {path}"
    )
    assert warning in result.stderr
    result = invoke(None, "profile", "set", "role", "Parent")
    assert result.exit_code == 0, result.output
    assert warning in result.stderr
    assert "now mode 0600; it was 0644" in result.stderr
    assert mode_of(path) == 0o600
    assert invoke(None, "profile", "show").stderr == ""


# --- 14. no false all-clear ------------------------------------------------------------


def test_due_on_a_database_without_students_warns_naming_it(db_url: str) -> None:
    ok(invoke(db_url, "init"))
    result = invoke(db_url, "due")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2025-10-01: nothing overdue or due within 30 days.\n"  # the summary as it was
    path = sqlite_path(db_url)
    where = str(path) if path is not None else "postgresql+psycopg://"
    assert "warning: the database " in result.stderr and where in result.stderr
    assert "holds no students" in result.stderr and "TRACKER_DATABASE_URL" in result.stderr
    for command in [("student", "list"), ("export", "json"), ("due", "--format", "json"), ("calendar", "list")]:
        result = invoke(db_url, *command)
        assert result.exit_code == 0, (command, result.output)
        assert result.stderr.count("holds no students") == 1, command


def test_due_fail_on_overdue_on_a_database_without_students_exits_2(db_url: str) -> None:
    ok(invoke(db_url, "init"))
    before = snapshot(db_url)
    for fmt in ("table", "json", "csv", "ics"):
        result = invoke(db_url, "due", "--fail-on", "overdue", "--format", fmt)
        assert result.exit_code == 2, (fmt, result.output)
        assert result.stdout == ""
        assert result.stderr.startswith("error: the database ") and "holds no students" in result.stderr
    assert snapshot(db_url) == before
    add_student(db_url)
    result = invoke(db_url, "due", "--fail-on", "overdue")
    assert result.exit_code == 0 and result.stderr == "", result.output


def test_a_database_whose_students_were_all_removed_is_not_empty(db_url: str) -> None:
    sid = add_student(db_url)
    ok(invoke(db_url, "student", "remove", str(sid), "--reason", "entered by mistake"))
    result = invoke(db_url, "due", "--fail-on", "overdue")
    assert result.exit_code == 0 and "holds no students" not in result.output


def test_password_in_the_url_of_an_empty_database_is_masked_in_the_warning(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a URL with a password is a PostgreSQL one")
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.password:
        pytest.skip("the test server's URL already has a password")
    # The test server trusts local connections: a password it does not check still shows.
    with_password = url.set(password=SECRET).render_as_string(hide_password=False)
    ok(invoke(with_password, "init"))
    result = invoke(with_password, "due")
    assert result.exit_code == 0 and "holds no students" in result.stderr
    assert SECRET not in result.output and ":***@" in result.stderr


@pytest.mark.parametrize(
    "command", [("due",), ("due", "--fail-on", "overdue"), ("student", "list"), ("timeline", "1"), ("export", "json")]
)
def test_a_reading_command_does_not_create_the_default_database(tracker_home: Path, command: tuple[str, ...]) -> None:
    result = invoke(None, *command)
    assert result.exit_code == 2, result.output
    default = tracker_home / "data" / "tracker.db"
    assert result.output.startswith(f"error: no database yet at {default}; `tracker init` creates it")
    assert not (tracker_home / "data").exists()


def test_the_first_writing_command_still_creates_the_default_database(tracker_home: Path) -> None:
    assert ok(invoke(None, "student", "add", "Ana Ruiz", "--dob", "2014-05-02", "--state", "CA")) == "1\n"
    assert (tracker_home / "data" / "tracker.db").is_file()
    result = invoke(None, "due", "--fail-on", "overdue")
    assert result.exit_code == 0 and result.stderr == "", result.output
