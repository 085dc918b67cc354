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
  ``~/.local/share/iep-tracker`` and ``~/.config/iep-tracker`` (XDG variables honoured).
  ``TRACKER_HOME`` puts both under one folder (used by tests and the demo).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from tracker.errors import InputError

APP_NAME = "iep-tracker"


def data_dir() -> Path:
    """Per-user data directory (the default SQLite file lives here)."""
    home = os.environ.get("TRACKER_HOME")
    if home:
        return Path(home) / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """Per-user configuration directory (config.toml, user templates)."""
    home = os.environ.get("TRACKER_HOME")
    if home:
        return Path(home) / "config"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """Path of the TOML config file (it need not exist)."""
    explicit = os.environ.get("TRACKER_CONFIG")
    return Path(explicit) if explicit else config_dir() / "config.toml"


def load_config() -> dict[str, Any]:
    """Read the config file; an absent file is an empty config.

    Raises:
        InputError: the file exists but is not valid TOML (names the file and the error).
    """
    path = config_path()
    if not path.exists():
        return {}
    if not path.is_file():
        raise InputError("config file (TRACKER_CONFIG)", str(path), "the path of a TOML file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"config file {path}", str(exc), "valid TOML (see README, Database)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"config file {path}", type(exc).__name__, "a readable UTF-8 TOML file") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def save_config(config: dict[str, Any]) -> Path:
    """Write the config as TOML (flat keys first, then one table per dict), owner-only.

    Only strings, numbers, booleans and one level of tables are written, which is all the
    tracker stores.
    """
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines: list[str] = []
    for key, value in config.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_toml_value(value)}")
    for key, value in config.items():
        if isinstance(value, dict):
            lines.append("")
            lines.append(f"[{key}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in value.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines).lstrip("\n") + "\n")
    return path


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


def default_database_url() -> str:
    """``sqlite:///`` URL of the per-user default database file."""
    return f"sqlite:///{data_dir() / 'tracker.db'}"


def resolve_database_url(option: str | None, config: dict[str, Any]) -> tuple[str, bool]:
    """The database URL to use and whether it is the per-user default.

    Args:
        option: ``--db`` as given (Click already folded in ``TRACKER_DATABASE_URL``).
        config: the loaded config file.

    Returns:
        ``(url, is_default)``.
    """
    if option is not None:
        if not option.strip():
            raise InputError("--db / TRACKER_DATABASE_URL", option, "a database URL, or leave it unset for the default")
        return option, False
    if config.get("database_url"):
        return str(config["database_url"]), False
    return default_database_url(), True
