"""Tables worked out from installed files, kept between processes: the per-user cache folder
(:func:`tracker.config.cache_dir`), never student data.

Two users: the legal holidays of a state (:mod:`tracker.legal_holidays`, worked out by the
``holidays`` package, about 25 ms to import and 2 to 6 ms per state) and the parsed rule
files (:mod:`tracker.rulebook`, about 1 ms of TOML parsing per state file). A process that
needs one reads it back from ``<cache>/<kind>/<name>.json`` when the file names the same
``key`` (what the table was worked out from: a package's release, a rule file's size and
checksums) and works it out otherwise, then keeps it.

Every failure is a miss: a file that is missing, unreadable, not JSON, of another key or
another name is ignored and the table worked out again; a folder that cannot be written only
means the next process works it out too. Files are owner-only and written atomically
(:func:`tracker.outputs.write_file`), so a reader never sees half a file. The folder may be
deleted at any time.

Dates (TOML's local dates) are written as ``{"$date": "YYYY-MM-DD"}`` and read back as
:class:`datetime.date`; a value JSON cannot hold otherwise is not kept.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

_DATE = "$date"


def path(kind: str, name: str) -> Path:
    """Where the table ``name`` of ``kind`` (``holidays``, ``rules``) is kept."""
    from tracker.config import cache_dir

    return cache_dir() / kind / f"{name}.json"


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATE in obj:
        return date.fromisoformat(obj[_DATE])
    return obj


def _encode(value: Any) -> Any:
    if isinstance(value, (datetime, time)):  # not kept: TOML's offset date-times and times
        raise TypeError("not kept")
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    raise TypeError("not kept")


def read(kind: str, name: str, key: str) -> dict[str, Any] | None:
    """The kept content of ``name`` (the dictionary given to :func:`keep`) when its file is
    readable JSON naming ``key`` and ``name``, else ``None``."""
    try:
        raw = json.loads(path(kind, name).read_bytes(), object_hook=_decode)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(raw, dict) or raw.get("key") != key or raw.get("name") != name:
        return None
    content = raw.get("content")
    return content if isinstance(content, dict) else None


def keep(kind: str, name: str, key: str, content: dict[str, Any]) -> None:
    """Keep ``content`` (JSON values and dates) as ``name`` under ``key``; any failure (a
    value JSON cannot hold, a folder that cannot be written) is ignored."""
    from tracker.config import make_private_dirs
    from tracker.errors import TrackerError
    from tracker.outputs import write_file

    if any(isinstance(v, dict) and set(v) == {_DATE} for v in _dicts(content)):
        return  # would read back as a date
    try:
        text = json.dumps({"key": key, "name": name, "content": content}, ensure_ascii=False, default=_encode)
    except (TypeError, ValueError):
        return
    target = path(kind, name)
    try:
        make_private_dirs(target.parent)
        write_file(target, text, f"{kind} cache")
    except (OSError, TrackerError):
        pass


def _dicts(value: Any):
    """Every dictionary inside ``value`` (itself included)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
