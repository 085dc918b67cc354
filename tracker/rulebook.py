"""Rules as cited data: load ``tracker/rules/*.toml`` and pick the rules for a jurisdiction.

One file per jurisdiction: ``federal.toml`` (IDEA Part B, Section 504, FERPA) and a file
per state that replaces a federal rule by giving one with the same canonical ``rule``
name, adds rules, or disables one (``disable = ["rule_name"]``). States without a file
get the federal baseline (the daily report says so). A malformed file is an error naming
the file and the rule (:class:`tracker.errors.RuleFileError`).

Rules are dated: ``effective_from`` / ``effective_to`` (TOML dates) bound the trigger
dates a rule version applies to, so a state's amendment does not rewrite old deadlines.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from tracker.errors import RuleFileError

RULES_DIR = Path(__file__).resolve().parent / "rules"

#: The canonical rule names (the ``rule`` field of ``tracker due``). Fixed: tools rely on them.
CANONICAL_RULES = (
    "evaluation_request_response",
    "initial_evaluation",
    "initial_iep",
    "annual_review",
    "triennial_reevaluation",
    "iep_meeting_request",
    "records_request",
    "iee_request",
    "exit_reevaluation",
    "summary_of_performance",
    "written_request",
    "section504_evaluation",
    "section504_review",
    "section504_reevaluation",
    "transition_planning",
    "age_of_majority_notice",
    "redundant_plans",
    "confirm_meeting",
    "meeting_notice",
    "pre_meeting_documents",
    "iep_copy",
    "prior_written_notice",
    "iep_implementation",
    "parent_response",
    "part_c_transition",
    "transition_conference",
    "part_c_evaluation_decision",
    "removal_services",
    "change_of_placement_review",
    "discipline_notice",
    "manifestation_determination",
    "interim_setting_limit",
    "fba_bip",
    "dp_response",
    "dp_sufficiency",
    "resolution_meeting",
    "resolution_period",
    "hearing_decision",
    "expedited_resolution_meeting",
    "expedited_resolution_period",
    "expedited_hearing",
    "expedited_decision",
    "state_complaint_decision",
    "state_complaint_window",
    "due_process_window",
    "ocr_window",
    "service_shortfall",
    "progress_report",
    "reevaluation_request_response",
)
#: ``statute`` (a legal deadline of the school), ``benchmark`` (a yardstick, never a violation),
#: ``advice`` (what advocates are told to do), ``family`` (the family's own deadline under the
#: law, such as the time to answer a proposed IEP: never a violation by the school, never
#: ``overdue``).
BINDINGS = ("statute", "benchmark", "advice", "family")


def rule_name_accepted(value: str, names=None) -> str:
    """The accepted form for a rule name given as ``value``, short enough for a one-line error:
    the closest names (difflib), then where to see them all."""
    import difflib

    names = list(names or CANONICAL_RULES)
    close = difflib.get_close_matches(str(value)[:200], names, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"{hint}a canonical rule name ({len(names)} of them: `tracker rules list` shows each with its citation)"


#: How sure a rule is: ``primary`` (the rule text itself was read; ``notes`` quote its operative
#: words), ``secondary`` (state agency guidance, or several independent secondary sources agree),
#: ``unverified`` (one secondary source, or sources disagree: the notes say which).
VERIFICATION = ("primary", "secondary", "unverified")
PLANS = ("iep", "504", "ifsp", "any")
UNITS = ("calendar_days", "school_days", "business_days", "school_working_days", "years", "none")
REQUIRED = (
    "id", "rule", "title", "plan", "binding", "trigger", "satisfied_by", "method", "count", "unit", "citation",
    "verification",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One rule of one jurisdiction, as written in its file."""

    id: str
    rule: str
    title: str
    plan: str
    binding: str
    trigger: str
    satisfied_by: str
    method: str
    count: int
    unit: str
    citation: str
    source: str  # "federal" or the state code of the file it came from
    exclusions: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    accepts_verbal: bool = False
    notes: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    verification: str = "unverified"
    checked: date | None = None
    sources: tuple[str, ...] = ()

    @property
    def state_citation(self) -> str:
        """The citation without its federal parts (34 CFR, U.S.C., OCR guidance): what state
        law says, for sentences like "and Washington law, WAC 392-172A-05190(1)"."""
        federal = ("34 CFR", "20 U.S.C", "OCR ", "OSEP ")
        parts = [p.strip() for p in self.citation.split(";")]
        return "; ".join(p for p in parts if p and not p.startswith(federal)) or self.citation

    def in_force(self, on: date) -> bool:
        """Whether this version of the rule applies to a trigger on ``on``."""
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on >= self.effective_to)


@dataclass(frozen=True)
class Jurisdiction:
    """The rules and settings in force for one state (federal baseline plus the state file).

    ``federal_fallback`` holds the federal rules a state file replaced, by canonical name:
    they apply to a trigger before the state's earliest dated version. ``time_statute`` is
    the state's rule for a last day on a weekend or holiday (:mod:`tracker.last_day`), if
    encoded.
    """

    code: str  # state code, or "federal"
    name: str
    has_state_rules: bool
    rules: tuple[Rule, ...]
    settings: dict[str, Any]
    federal_fallback: dict[str, Rule] = field(default_factory=dict, compare=False, repr=False)
    time_statute: Any = field(default=None, compare=False, repr=False)
    by_name: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Rule]] = {}
        for r in self.rules:
            grouped.setdefault(r.rule, []).append(r)
        object.__setattr__(self, "by_name", {k: tuple(v) for k, v in grouped.items()})

    def rule_for(self, canonical: str, on: date | None = None) -> Rule | None:
        """The version of ``canonical`` in force for a trigger on ``on`` (latest start wins)."""
        versions = self.by_name.get(canonical, ())
        if len(versions) == 1 and not versions[0].effective_from and not versions[0].effective_to:
            return versions[0]
        candidates = [r for r in versions if on is None or r.in_force(on)]
        if not candidates:
            return None
        return max(candidates, key=lambda r: r.effective_from or date.min)


def _validate(path: Path, raw: dict[str, Any], source: str) -> list[Rule]:
    from tracker.counting import METHODS
    from tracker.satisfiers import SATISFIERS
    from tracker.triggers import TRIGGERS

    rules = []
    for i, item in enumerate(raw.get("rules", []), start=1):
        where = f"{path.name}, rule #{i} ({item.get('id', 'no id')})"
        missing = [k for k in REQUIRED if k not in item]
        if missing:
            raise RuleFileError(f"{where}: missing {', '.join(missing)}")
        checks = [
            ("rule", item["rule"], CANONICAL_RULES),
            ("binding", item["binding"], BINDINGS),
            ("plan", item["plan"], PLANS),
            ("unit", item["unit"], UNITS),
            ("method", item["method"], tuple(METHODS)),
            ("satisfied_by", str(item["satisfied_by"]).split(":")[0], tuple(SATISFIERS)),
            ("verification", item.get("verification"), VERIFICATION),
        ]
        for key, value, allowed in checks:
            if value not in allowed:
                raise RuleFileError(f"{where}: {key} = {value!r} is not one of {', '.join(allowed)}")
        trig = item["trigger"].split(":")[0]
        if trig not in TRIGGERS:
            raise RuleFileError(f"{where}: trigger = {item['trigger']!r} is not one of {', '.join(TRIGGERS)}")
        if not isinstance(item["count"], int):
            raise RuleFileError(f"{where}: count must be a whole number")
        for key in ("effective_from", "effective_to", "checked"):
            if key in item and not isinstance(item[key], date):
                raise RuleFileError(f"{where}: {key} must be a TOML date (YYYY-MM-DD)")
        sources = item.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(u, str) for u in sources):
            raise RuleFileError(f"{where}: sources must be a list of addresses (strings)")
        known = set(REQUIRED) | {
            "exclusions", "params", "accepts_verbal", "notes", "effective_from", "effective_to", "verification",
            "checked", "sources",
        }  # fmt: skip
        unknown = set(item) - known
        if unknown:
            raise RuleFileError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        rules.append(
            Rule(
                **{k: item[k] for k in REQUIRED},
                source=source,
                exclusions=tuple(item.get("exclusions", ())),
                params=dict(item.get("params", {})),
                accepts_verbal=bool(item.get("accepts_verbal", False)),
                notes=" ".join(str(item.get("notes", "")).split()),
                effective_from=item.get("effective_from"),
                effective_to=item.get("effective_to"),
                checked=item.get("checked"),
                sources=tuple(sources),
            )
        )
    return rules


#: Changed whenever what :func:`_read` keeps changes shape (older kept files are then ignored).
_KEPT_FORMAT = 1


def _read(path: Path) -> dict[str, Any]:
    """The TOML of the rule file ``path``, parsed. The parse (about 1 ms per state file, 3 for
    federal.toml) is kept between processes (:mod:`tracker.cache`, ``rules/<stem>.json``)
    under a key made of the file's size and two checksums of its bytes (CRC-32 and
    Adler-32), so a file edited in any way is parsed afresh.

    Raises:
        RuleFileError: the file is not valid TOML (or not UTF-8).
    """
    import zlib

    from tracker import cache

    data = path.read_bytes()
    key = f"{_KEPT_FORMAT}/{len(data)}/{zlib.crc32(data):08x}/{zlib.adler32(data):08x}"
    kept = cache.read("rules", path.stem, key)
    if kept is not None:
        return kept
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path.name}: not valid TOML ({exc})") from None
    cache.keep("rules", path.stem, key, raw)
    return raw


@lru_cache(maxsize=1)
def _paths() -> dict[str, Path]:
    """The rule file of each jurisdiction, by its code (``federal``, ``CA``...): the file name
    is the code (``ca.toml``), so a command reads only the files of the students it covers."""
    out = {("federal" if p.stem == "federal" else p.stem.upper()): p for p in sorted(RULES_DIR.glob("*.toml"))}
    if "federal" not in out:
        raise RuleFileError("federal.toml is missing from the rules folder")
    return out


@cache
def _file(code: str) -> tuple[dict[str, Any], list[Rule]]:
    """The parsed and checked rule file of ``code`` (a key of :func:`_paths`), read once.

    Raises:
        RuleFileError: the file is malformed, or its ``jurisdiction`` is not its name.
    """
    path = _paths()[code]
    raw = _read(path)
    if code != "federal" and str(raw.get("jurisdiction", code)).upper() != code:
        raise RuleFileError(f"{path.name}: jurisdiction = {raw.get('jurisdiction')!r} does not match the file name")
    return raw, _validate(path, raw, code)


def _files() -> dict[str, tuple[dict[str, Any], list[Rule]]]:
    """Every rule file, parsed and checked (see :func:`_file`)."""
    return {code: _file(code) for code in _paths()}


def state_codes() -> list[str]:
    """States that have their own rule file."""
    return sorted(c for c in _paths() if c != "federal")


@lru_cache(maxsize=64)
def jurisdiction(code: str) -> Jurisdiction:
    """The rules in force for ``code`` (a USPS state code; ``federal`` for the baseline).

    State rules replace federal rules with the same canonical name; ``disable`` drops
    federal rules; settings merge (state wins).

    Raises:
        RuleFileError: a rule file is malformed.
    """
    from tracker.last_day import parse_statute

    fed_raw, fed_rules = _file("federal")
    settings = dict(fed_raw.get("settings", {}))
    code = code.upper() if code != "federal" else code
    if code == "federal" or code not in _paths():
        name = fed_raw.get("name", "Federal baseline") if code == "federal" else f"{code} (federal baseline only)"
        return Jurisdiction(code, name, False, tuple(fed_rules), settings)
    raw, state_rules = _file(code)
    settings.update(raw.get("settings", {}))
    replaced = {r.rule for r in state_rules} | set(raw.get("disable", []))
    rules = [r for r in fed_rules if r.rule not in replaced] + state_rules
    rules.sort(key=lambda r: CANONICAL_RULES.index(r.rule))
    fallback = {r.rule: r for r in fed_rules if r.rule in replaced and r.rule not in set(raw.get("disable", []))}
    statute = parse_statute(settings.get("last_day_statute"), f"{code.lower()}.toml")
    return Jurisdiction(code, str(raw.get("name", code)), True, tuple(rules), settings, fallback, statute)
