"""Where things live, and the user's settings.

Resolution order for every setting (first wins): command-line option > environment
variable > config file > per-user default.

* Database URL: ``--db`` > ``TRACKER_DATABASE_URL`` > ``database_url`` in the config file >
  ``sqlite:///<user data dir>/tracker.db``.
* Config file: ``TRACKER_CONFIG`` > ``<user config dir>/config.toml`` (TOML). Keys::

      database_url = "postgresql+psycopg://advocacy@db.example.org/tracker"
      timezone = "America/Los_Angeles"

      [profile]            # sender block of letters (tracker profile set ...)
      name = "Maria Lopez"
      role = "Parent"

      [conventions]        # disputed readings, see tracker rules list
      annual_review = "anniversary"

* Per-user directories come from platformdirs (``iep-tracker``): on Linux
  ``~/.local/share/iep-tracker``, ``~/.config/iep-tracker`` and ``~/.cache/iep-tracker``
  (holiday tables and parsed rule files only, :func:`cache_dir`; XDG variables honoured). ``TRACKER_HOME`` puts
  all three under one folder (used by tests and the demo).
* Paths: ``~`` is expanded in every path the user gives (``--db``, ``TRACKER_DATABASE_URL``,
  ``database_url``, ``TRACKER_HOME``, ``TRACKER_CONFIG``) by :func:`user_path` and
  :func:`database_url_from`, before anything uses them. Folders the tracker creates are
  0700 whatever the umask (:func:`make_private_dirs`); folders that existed are left alone.
* The config file is read with :func:`load_settings` (shape of the known keys checked:
  :func:`check_settings`) and written only by :func:`update_config`: one key edited with
  tomlkit (comments, formatting and every other key kept), the result re-read and compared,
  then written to a temporary file beside it (0600), fsynced and renamed over it.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import tomllib
from pathlib import Path
from typing import Any

from tracker.errors import InputError, TrackerError, mask_secrets

APP_NAME = "iep-tracker"


# --- paths ------------------------------------------------------------------------------


def user_path(text: str | os.PathLike[str]) -> Path:
    """A path as the user gave it, ``~`` / ``~user`` expanded (a cron line's
    ``TRACKER_HOME=~/x`` or a config's ``database_url`` is not expanded by any shell)."""
    return Path(os.path.expanduser(os.fspath(text)))


def make_private_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and every missing folder above it, each with mode 0700 whatever the
    umask (``Path.mkdir(parents=True)`` gives the parents the umask's mode, 0777 under
    ``umask 000``). Folders that already exist are not touched (never chmod a folder the
    user made). Returns the folders created, outermost first.

    Raises:
        OSError: a folder cannot be created (permission, a file in the way, ...).
    """
    folder = user_path(folder)
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created: list[Path] = []
    for item in reversed(missing):
        try:
            os.mkdir(item, 0o700)
        except FileExistsError:  # another process made it meanwhile: it is not ours to chmod
            if not item.is_dir():
                raise
            continue
        os.chmod(item, 0o700)  # mkdir's mode is masked by the umask (umask 0277 gives 0500)
        created.append(item)
    return created


def data_dir() -> Path:
    """Per-user data directory (the default SQLite file lives here)."""
    home = os.environ.get("TRACKER_HOME")
    if home:
        return user_path(home) / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """Per-user configuration directory (config.toml, user templates)."""
    home = os.environ.get("TRACKER_HOME")
    if home:
        return user_path(home) / "config"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Per-user cache directory: tables the tracker works out from installed packages (the
    legal holidays of each state and the parsed rule files, :mod:`tracker.cache`), never
    student data; the
    folder may be deleted at any time. ``TRACKER_HOME`` puts it in ``cache/`` there."""
    home = os.environ.get("TRACKER_HOME")
    if home:
        return user_path(home) / "cache"
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """Path of the TOML config file (it need not exist)."""
    explicit = os.environ.get("TRACKER_CONFIG")
    return user_path(explicit) if explicit else config_dir() / "config.toml"


def private_file_warnings(checks: list[tuple[Path, str]]) -> list[str]:
    """One warning line per existing ``(path, what)`` that others may read or write: a file
    with any group/other read or write bit (fixed by ``chmod 600``), a folder with any
    group/other bit (``chmod 700``). The lines read like
    ``warning: the database file PATH can be read or written by others (mode 0644); fix it
    with: chmod 600 PATH``. Always empty on Windows, whose file modes mean nothing here."""
    if os.name == "nt":
        return []
    warnings = []
    for item, what in checks:
        try:
            mode = item.stat().st_mode
        except OSError:
            continue
        folder = stat.S_ISDIR(mode)
        loose_bits, fix = (0o077, "700") if folder else (0o066, "600")
        mode &= 0o7777
        if mode & loose_bits:
            warnings.append(
                f"warning: the {what} {'folder' if folder else 'file'} {item} can be read or written by others "
                f"(mode {mode:04o}); fix it with: chmod {fix} {shlex.quote(str(item))}"
            )
    return warnings


# --- reading the config file ------------------------------------------------------------

#: Largest config file read (a settings file; anything bigger is not one).
CONFIG_MAX_BYTES = 1024 * 1024

#: The settings the tracker reads, and the form each must have (see :func:`check_settings`).
KNOWN_SETTINGS = {
    "database_url": 'a database URL or SQLite file path in quotes, e.g. database_url = "sqlite:///~/tracker.db"',
    "timezone": 'an IANA zone name in quotes, e.g. timezone = "America/Chicago"',
    "profile": 'a [profile] table of field = "text" lines (name, role, address, phone, email, parent_name)',
    "conventions": 'a [conventions] table of setting = "value" lines (see tracker rules list)',
}

#: How to fix a config file that cannot be parsed (said in every such error).
CONFIG_FIX = (
    'fix that line (TOML: key = "text in double quotes", one per line; tables as [profile]), '
    "or move the file away and set your profile again"
)


class ConfigError(InputError):
    """The config file cannot be read or a known setting has the wrong form (exit 2).

    Attributes:
        path: the config file.
        settings: the settings it holds (the known ones it sets, e.g. ``["timezone",
            "[profile]"]``), as far as they can be told; what is ignored when the command
            goes on without the file (:func:`load_settings` with ``lenient``).
    """

    def __init__(self, path: Path, problem: str, accepted: str, settings: list[str] | None = None):
        self.path = path
        self.settings = settings or []
        TrackerError.__init__(self, mask_secrets(f"config file {path}: {problem}; {accepted}"))
        self.field, self.value, self.accepted = f"config file {path}", problem, accepted


_TOML_POSITION = re.compile(r"^(?P<msg>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$")
_TOP_KEY = re.compile(r'^\s*(?:\[\s*"?(?P<table>[A-Za-z0-9_-]+)|(?P<key>[A-Za-z0-9_-]+)\s*[=.])', re.MULTILINE)


def _settings_named(text: str) -> list[str]:
    """The known settings a config text sets, read line by line (the text need not parse)."""
    found: list[str] = []
    in_table = False
    for m in _TOP_KEY.finditer(text):
        name = m["table"] or m["key"]
        if m["table"]:
            in_table = True
        elif in_table:
            continue  # a key inside a table
        if name in KNOWN_SETTINGS:
            label = f"[{name}]" if name in ("profile", "conventions") else name
            if label not in found:
                found.append(label)
    return found


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, every failure a :class:`ConfigError` naming the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POSITION.match(str(exc))
        if m and m["line"]:
            problem = f"line {m['line']}, column {m['col']}: {m['msg']} (not valid TOML)"
        elif m:
            problem = f"at the end of the file: {m['msg']} (not valid TOML)"
        else:
            problem = f"{exc} (not valid TOML)"
        raise ConfigError(path, problem, CONFIG_FIX, _settings_named(text)) from None
    except RecursionError:
        raise ConfigError(
            path, "arrays or tables nested too deeply to read", "nest values at most a few levels deep",
            _settings_named(text),
        ) from None  # fmt: skip


def _read_config_text(path: Path, named_by: str = "TRACKER_CONFIG") -> str | None:
    """The text of the config file (or of another TOML file kept beside it, such as the saved
    import profiles: ``named_by`` says what names it in the messages), ``None`` when there is
    none. Only a regular file is opened: a FIFO would block the command for ever.

    Raises:
        ConfigError: not a regular file, too big, unreadable, not UTF-8 (a UTF-8 byte-order
            mark is dropped).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(path, f"cannot be read ({exc.strerror})", f"check {named_by} and the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(path, "is a folder", f"{named_by} names a TOML file, not a folder")
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(path, "is not a regular file", f"{named_by} names a TOML file (not a pipe or a device)")
    if st.st_size > CONFIG_MAX_BYTES:
        raise ConfigError(path, f"is {st.st_size} bytes", f"a TOML file of at most {CONFIG_MAX_BYTES} bytes")
    try:
        with open(path, "rb") as fh:
            data = fh.read(CONFIG_MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(path, f"cannot be read ({exc.strerror})", "make it readable by you (chmod 600)") from None
    try:
        return data.decode("utf-8-sig")  # the byte-order mark some Windows editors write is not TOML
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(path, f"line {line}: bytes that are not UTF-8", "save the file as UTF-8") from None


def _described(value: Any) -> str:
    """A TOML value as a message shows it: text quoted (cut when long), else its kind."""
    from tracker.errors import shown

    if isinstance(value, str):
        return shown(value)
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"{shown(str(value))[1:-1]} (a number)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"


def check_settings(path: Path, config: dict[str, Any]) -> list[ConfigError]:
    """The known settings of ``config`` that have the wrong form (one :class:`ConfigError`
    each, naming the setting, its value and the accepted form). Unknown top-level keys and
    ``[profile]`` keys are kept and not checked; ``timezone`` must name an IANA zone, and
    each ``[conventions]`` key must be a known setting with one of its values
    (:data:`tracker.conventions.CONVENTIONS`; a problem there is labelled
    ``"[conventions] key"``, so a lenient load leaves out that key alone)."""
    from tracker.conventions import CONVENTIONS

    problems = []

    def bad(name: str, value: Any) -> None:
        label = f"[{name}]" if name in ("profile", "conventions") else name
        problems.append(ConfigError(path, f"{label} = {_described(value)} is not valid", KNOWN_SETTINGS[name], [label]))

    for name in ("database_url", "timezone"):
        if name in config and not isinstance(config[name], str):
            bad(name, config[name])
    for name in ("profile", "conventions"):
        if name in config:
            table = config[name]
            if not isinstance(table, dict):
                bad(name, table)
                continue
            for key, value in table.items():
                if not isinstance(value, str):
                    problems.append(
                        ConfigError(
                            path,
                            f"[{name}] {key} = {_described(value)} is not valid",
                            f'text in quotes, e.g. {key} = "..."',
                            [f"[{name}]"],
                        )  # fmt: skip
                    )
                elif name == "conventions" and key not in CONVENTIONS:
                    problems.append(
                        ConfigError(
                            path,
                            f"[conventions] {key} is not a known setting",
                            f"one of {', '.join(CONVENTIONS)}",
                            [f"[conventions] {key}"],
                        )  # fmt: skip
                    )
                elif name == "conventions" and value not in CONVENTIONS[key][1]:
                    problems.append(
                        ConfigError(
                            path,
                            f"[conventions] {key} = {_described(value)} is not valid",
                            f"one of {', '.join(CONVENTIONS[key][1])}",
                            [f"[conventions] {key}"],
                        )  # fmt: skip
                    )
    zone = config.get("timezone")
    if isinstance(zone, str) and zone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                ConfigError(
                    path, f"timezone = {_described(zone)} is not valid", KNOWN_SETTINGS["timezone"], ["timezone"]
                )
            )
    return problems


def load_settings(*, lenient: bool = False) -> tuple[dict[str, Any], list[str]]:
    """Read and check the config file; an absent file is an empty config.

    Args:
        lenient: go on without what cannot be used instead of failing: a file that cannot
            be parsed is ignored whole, a known setting of the wrong form is left out. Used
            when the database is given explicitly (``--db`` / ``TRACKER_DATABASE_URL``), so
            a broken config never stops the daily run.

    Returns:
        ``(config, warnings)``: the settings, and one line per ignored part (naming the
        file, the problem and the settings ignored) plus a warning when the file can be
        read or written by others (:func:`private_file_warnings`).

    Raises:
        ConfigError: (not ``lenient``) the file cannot be read or parsed, or a known
            setting has the wrong form: names the file, the line or setting, and the fix.
    """
    path = config_path()
    warnings: list[str] = []
    try:
        text = _read_config_text(path)
        if text is None:
            if os.environ.get("TRACKER_CONFIG"):  # named on purpose: a typo should not go unseen
                return {}, [f"warning: TRACKER_CONFIG names {path}, which does not exist; going on without config"]
            return {}, []
        warnings += private_file_warnings([(path, "config")])
        config = _parse_toml(path, text)
    except ConfigError as exc:
        if not lenient:
            raise
        ignored = ", ".join(exc.settings) if exc.settings else "all its settings"
        return {}, [*warnings, f"warning: {exc}. Going on without the config file (ignored: {ignored})"]
    for problem in check_settings(path, config):
        if not lenient:
            raise problem
        for label in problem.settings:
            table, _, key = label.partition(" ")
            if key:  # "[conventions] key": that key alone
                config.get(table.strip("[]"), {}).pop(key, None)
            else:
                config.pop(label.strip("[]"), None)
        warnings.append(f"warning: {problem}. Going on without {', '.join(problem.settings)}")
    return config, warnings


def load_config() -> dict[str, Any]:
    """The checked config (:func:`load_settings`, strict), without its warnings.

    Raises:
        ConfigError: see :func:`load_settings`.
    """
    return load_settings()[0]


# --- writing the config file ------------------------------------------------------------

#: Prefix and suffix of the temporary file a config write renames into place: a leftover
#: (a write killed before its rename) is recognised and removed by the next write.
_TEMP_PREFIX = ".tracker-config-"
_TEMP_SUFFIX = ".tmp"


def _toml_item(value: str):
    """A tomlkit string item: multi-line basic string when ``value`` holds line breaks."""
    import tomlkit

    return tomlkit.string(value, multiline="\n" in value)


def update_config(keys: tuple[str, str], value: str) -> tuple[Path, int | None]:
    """Set ``[table] key = value`` in the config file, keeping everything else as it was.

    The file is parsed with tomlkit, which keeps comments, formatting, order and every other
    key; the new text is parsed again with ``tomllib`` and must hold exactly the old
    settings plus the new value (else nothing is written). It is written to a temporary
    file in the same folder (mode 0600), fsynced, and renamed over the old one (then the
    folder is fsynced), so a crash leaves the old file or the new one, never a mix. A
    config file that is a symbolic link is written through: its target is replaced.
    Missing folders are created 0700 (:func:`make_private_dirs`).

    Args:
        keys: ``(table, key)``, e.g. ``("profile", "address")``.
        value: the text to store (already checked by the caller; line breaks are LF).

    Returns:
        ``(path, old_mode)``: the file written, and the permission bits of the file it
        replaced (``None`` when it is new).

    Raises:
        ConfigError: the existing file cannot be read or parsed, or ``table`` is not a
            table there (nothing is written).
        InputError: the folder cannot be created or written.
        TrackerError: the edited text would not read back as intended (nothing is written).
    """
    import tomlkit

    table_name, key = keys
    path = config_path()
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    text = _read_config_text(target)
    old_mode = None
    if text is None:
        before: dict[str, Any] = {}
        doc = tomlkit.document()
    else:
        old_mode = stat.S_IMODE(os.stat(target).st_mode)
        before = _parse_toml(path, text)
        try:
            doc = tomlkit.parse(text)
        except Exception as exc:  # tomlkit refuses what tomllib took: do not guess
            raise ConfigError(path, f"cannot be edited safely ({type(exc).__name__})", CONFIG_FIX) from None
    current = before.get(table_name)
    if current is not None and not isinstance(current, dict):
        label = f"[{table_name}]"
        raise ConfigError(
            path, f"{table_name} = {current!r} is not a table", KNOWN_SETTINGS.get(table_name, "a table"), [label]
        )
    if table_name not in doc:
        doc.add(table_name, tomlkit.table())
    doc[table_name][key] = _toml_item(value)
    new_text = tomlkit.dumps(doc)
    expected = {k: (dict(v) if isinstance(v, dict) else v) for k, v in before.items()}
    expected.setdefault(table_name, {})
    expected[table_name] = {**expected[table_name], key: value}
    try:
        after = tomllib.loads(new_text)
    except (tomllib.TOMLDecodeError, RecursionError):
        after = None
    if after != expected:
        raise TrackerError(f"the config file {path} could not be edited safely; it was left as it was")
    _write_atomic(target, new_text.encode("utf-8"))
    return path, old_mode


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: 0600, fsync, rename,
    fsync of the folder. The temporary file is removed on any failure (and leftovers of a
    killed earlier write are removed first).

    Raises:
        InputError: the folder cannot be created, or the file cannot be written there.
    """
    folder = path.parent
    field = "config file (TRACKER_CONFIG)"
    try:
        make_private_dirs(folder)
        for leftover in folder.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
        import secrets  # here, not at the top: its hashing modules cost every command ~6 ms

        temp = folder / f"{_TEMP_PREFIX}{secrets.token_hex(6)}{_TEMP_SUFFIX}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except PermissionError:
        raise InputError(field, str(path), "a file in a folder you may write") from None
    except OSError as exc:
        raise InputError(field, str(path), f"a file that can be written here ({exc.strerror})") from None
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise InputError(
            field, str(path), f"a file that can be written here ({exc.strerror}); it was left as it was"
        ) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


#: What SQLite keeps next to a database file (see :mod:`tracker.outputs`).
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def sqlite_family(path: Path) -> set[Path]:
    """A SQLite database file and its -wal, -shm and -journal files, resolved (symlinks followed)."""
    from tracker.outputs import sqlite_family

    return sqlite_family(path)


def protect_database_file(path: Path) -> None:
    """Record that ``path`` is an open database (see :func:`tracker.outputs.protect_database`)."""
    from tracker.outputs import protect_database

    protect_database(path)


def write_private(path: Path, data: str | bytes, field: str = "--out") -> None:
    """Write an owner-only file atomically (see :func:`tracker.outputs.write_file`).

    Raises:
        InputError: the path cannot be written, is not a regular file, or is the database.
    """
    from tracker.outputs import write_file

    write_file(path, data, field)


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The ``sqlite:///`` URL of a file path (``~`` expanded, made absolute; characters that
    mean something in a URL, such as ``?`` or ``#``, are quoted)."""
    from sqlalchemy.engine import URL

    file = user_path(path)
    if not file.is_absolute():
        file = Path.cwd() / file
    return URL.create("sqlite", database=str(file)).render_as_string(hide_password=False)


def default_database_url() -> str:
    """``sqlite:///`` URL of the per-user default database file."""
    return sqlite_url(data_dir() / "tracker.db")


#: The accepted forms of a database, said when one is refused.
DATABASE_FORMS = (
    "a database URL such as sqlite:///path/to/tracker.db or postgresql+psycopg://user@host/db, "
    "or the path of a SQLite file such as /home/maria/cases.db, ~/cases.db or ./cases.db"
)

_URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
#: ``sqlite:x.db``, ``postgresql:/x``: a scheme without ``//``, not a path.
_SCHEME_ONLY = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _plausible_path(text: str) -> bool:
    """Whether ``text`` (not a URL) reads as a file path: it starts with ``/``, ``~`` or
    ``.``, holds a folder separator, or has a file extension (``cases.db``); and it holds
    no control character and no ``scheme:`` prefix. A bare word (``tracker``, ``postgres``)
    is not a path: it is more likely a mistyped URL."""
    if not text.strip() or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return False
    if _SCHEME_ONLY.match(text) and not (os.name == "nt" and _WINDOWS_DRIVE.match(text)):
        return False
    if text.startswith(("/", "~", ".")) or "/" in text or os.sep in text:
        return True
    return bool(Path(text).suffix)


def database_url_from(raw: str, field: str = "--db / TRACKER_DATABASE_URL") -> str:
    """The URL to open for a database given as ``raw`` (an option, a variable, a config value):
    the one place where database URLs and paths are normalised.

    * A URL (``scheme://...``) is kept as given, except that a ``sqlite`` URL whose file
      starts with ``~`` gets it expanded (``sqlite:///~/tracker.db`` ->
      ``sqlite:////home/maria/tracker.db``; SQLite itself would open ``./~/tracker.db``).
    * A plain file path (absolute or relative, ``~`` expanded) is a SQLite file:
      ``/home/maria/cases.db`` -> ``sqlite:////home/maria/cases.db``.

    Raises:
        InputError: empty, a URL SQLAlchemy cannot parse, or neither a URL nor a plausible
            path (names ``field``; the value is shown with its password masked).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not raw.strip():
        raise InputError(field, raw, "a database URL, or leave it unset for the default")
    if "://" in raw:  # a URL, even a mistyped one ("postgres ql://..."): never taken for a path
        try:
            if not _URL_START.match(raw):
                raise ArgumentError("not a URL")
            parsed = make_url(raw)
        except (ArgumentError, ValueError):
            raise InputError(field, _masked_value(raw), DATABASE_FORMS) from None
        database = parsed.database or ""
        if parsed.get_backend_name() == "sqlite" and database.startswith("~"):
            return parsed.set(database=os.path.expanduser(database)).render_as_string(hide_password=False)
        return raw
    if _plausible_path(raw):
        return sqlite_url(raw)
    raise InputError(field, _masked_value(raw), DATABASE_FORMS)


def _masked_value(raw: str) -> str:
    """A refused database value as a message shows it: URL passwords masked
    (:func:`tracker.errors.mask_secrets`), and in what is not even a URL
    (``postgresql:user:pw@host``) whatever sits between a ``:`` and an ``@``."""
    return re.sub(r":[^:@\s]*@", ":***@", mask_secrets(raw))


def resolve_database_url(option: str | None, config: dict[str, Any]) -> tuple[str, bool]:
    """The database URL to use and whether it is the per-user default.

    Args:
        option: ``--db`` as given (Click already folded in ``TRACKER_DATABASE_URL``).
        config: the loaded config file.

    Returns:
        ``(url, is_default)``, the URL normalised by :func:`database_url_from`.

    Raises:
        InputError: the option or the config's ``database_url`` is not a usable database.
    """
    if option is not None:
        return database_url_from(option), False
    if config.get("database_url"):
        return database_url_from(str(config["database_url"]), database_field(option, config)), False
    return default_database_url(), True


def database_field(option: str | None, config: dict[str, Any]) -> str:
    """Where the database in use was named, for messages: ``--db / TRACKER_DATABASE_URL``,
    the config file's ``database_url``, or the per-user default."""
    if option is not None:
        return "--db / TRACKER_DATABASE_URL"
    if config.get("database_url"):
        return f"database_url (config file {config_path()})"
    return "the default database"
