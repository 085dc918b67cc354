"""tracker.cache: tables kept between processes in the per-user cache folder."""

from __future__ import annotations

import stat
from datetime import date, datetime
from pathlib import Path

from tracker import cache


def test_kept_content_reads_back_with_its_dates_under_its_key_only(tracker_home: Path) -> None:
    content = {"a": [1, 1.5, True, "x"], "when": date(2026, 12, 4), "nested": {"d": [date(1990, 1, 1)]}}
    cache.keep("rules", "zz", "k1", content)
    path = tracker_home / "cache" / "rules" / "zz.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert cache.read("rules", "zz", "k1") == content
    assert cache.read("rules", "zz", "k2") is None  # another key: worked out again
    assert cache.read("rules", "yy", "k1") is None  # nothing kept under that name
    assert cache.read("holidays", "zz", "k1") is None  # another kind


def test_what_json_cannot_hold_is_not_kept(tracker_home: Path) -> None:
    cache.keep("rules", "zz", "k", {"at": datetime(2026, 12, 4, 6, 0)})  # a date-time: not kept
    cache.keep("rules", "yy", "k", {"odd": {"$date": "2026-12-04"}})  # would read back as a date
    assert not (tracker_home / "cache" / "rules" / "zz.json").exists()
    assert not (tracker_home / "cache" / "rules" / "yy.json").exists()
    assert cache.read("rules", "zz", "k") is None


def test_a_cache_folder_that_cannot_be_made_is_only_a_miss(tracker_home: Path) -> None:
    (tracker_home / "cache").write_text("not a folder")
    cache.keep("rules", "zz", "k", {"x": 1})
    assert cache.read("rules", "zz", "k") is None
