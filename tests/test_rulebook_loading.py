"""Rule files are read per jurisdiction (issue 19): a command over one state's students reads
federal.toml and that state's file, not all 52; a file whose ``jurisdiction`` is not its name
is refused, naming the file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import rulebook
from tracker.errors import RuleFileError


def test_one_state_reads_two_files() -> None:
    code = (
        "from tracker import rulebook\n"
        "j = rulebook.jurisdiction('CA')\n"
        "print(sorted(rulebook._file.cache_info()._asdict().items()), len(j.rules) > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "('currsize', 2)" in out and out.strip().endswith("True")


def test_every_file_is_named_for_its_jurisdiction() -> None:
    files = rulebook._files()
    assert len(files) == 52  # federal, 50 states and DC
    for code, (raw, _rules) in files.items():
        assert code == "federal" or raw["jurisdiction"] == code


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copy(rulebook.RULES_DIR / "federal.toml", tmp_path / "federal.toml")
    monkeypatch.setattr(rulebook, "RULES_DIR", tmp_path)
    for f in (rulebook._paths, rulebook._file, rulebook.jurisdiction):
        f.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    for f in (rulebook._paths, rulebook._file, rulebook.jurisdiction):
        f.cache_clear()


def test_a_file_named_for_another_state_is_refused(rules_dir: Path) -> None:
    (rules_dir / "zz.toml").write_text('jurisdiction = "CA"\nname = "California"\n', encoding="utf-8")
    assert rulebook.state_codes() == ["ZZ"]
    with pytest.raises(RuleFileError, match=r"zz\.toml: jurisdiction = 'CA' does not match the file name"):
        rulebook.jurisdiction("ZZ")
    # a state with no file of its own is on the federal baseline, without reading any other
    assert rulebook.jurisdiction("OH").has_state_rules is False


def _typed(value):
    """``value`` with the type of every part spelled out (1 and 1.0 and True differ)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def test_every_rule_file_kept_reads_back_as_its_toml(tracker_home: Path) -> None:
    """The parse kept between processes (tracker.cache) is the TOML parse itself, value for
    value and type for type (dates stay dates), for all 52 files; the second read comes from
    the kept file, not from TOML."""
    import tomllib
    from unittest import mock

    for path in sorted(rulebook.RULES_DIR.glob("*.toml")):
        want = tomllib.loads(path.read_text(encoding="utf-8"))
        first = rulebook._read(path)
        assert (tracker_home / "cache" / "rules" / f"{path.stem}.json").is_file()
        with mock.patch.object(rulebook.tomllib, "loads", side_effect=AssertionError("parsed again")):
            again = rulebook._read(path)
        assert _typed(first) == _typed(want) and _typed(again) == _typed(want), path.name


def test_an_edited_rule_file_is_parsed_afresh(rules_dir: Path) -> None:
    """Same size, same second, one digit changed: the kept parse is not used."""
    target = rules_dir / "zz.toml"
    target.write_text('jurisdiction = "ZZ"\nname = "Zedland"\n[settings]\nx = 1\n', encoding="utf-8")
    assert rulebook._read(target)["settings"] == {"x": 1}
    target.write_text('jurisdiction = "ZZ"\nname = "Zedland"\n[settings]\nx = 2\n', encoding="utf-8")
    assert rulebook._read(target)["settings"] == {"x": 2}


def test_a_file_that_is_not_utf8_is_refused_naming_it(rules_dir: Path) -> None:
    (rules_dir / "zz.toml").write_bytes(b'jurisdiction = "ZZ"\nname = "Z\xe9dland"\n')
    with pytest.raises(RuleFileError, match=r"zz\.toml: not valid TOML"):
        rulebook.jurisdiction("ZZ")
