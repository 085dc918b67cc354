"""Import profiles: the header names, value maps and date format of one district system's
export, built in or saved by the user (``tracker import profile save``).

A profile adds to what every import already knows (:data:`tracker.caseload.FIELD_ALIASES`
and the generic value names); it never removes a name. Pure data and pure functions, except
:func:`load_saved`, :func:`save_profile` and :func:`remove_profile`, which read and write the
saved profiles file (``import-profiles.toml`` in the config folder, written atomically,
0600).

Value maps translate a column's values before they are checked:

* ``disability`` -> an IDEA category of 34 CFR 300.8(c) (``autism``, ``hearing-impairment``,
  ...; :data:`DISABILITY_TARGETS`) or ``none`` (a state category with no federal
  counterpart: recorded without a category, and said so in the import summary);
* ``plan_type`` -> ``iep``, ``504`` or ``both``;
* ``state`` -> a USPS code;
* ``status`` (service logs) -> a session status of :data:`tracker.models.SESSION_STATUSES`.

State codes (:data:`STATE_DISABILITY_CODES`) apply to the rows of that state, before the
generic names; where they come from is in ``docs/rule-sources.md`` ("Import value maps").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import InputError

#: The IDEA disability categories (34 CFR 300.8(c)(1)-(13), and developmental delay,
#: 300.8(b)), as the tracker records them on a plan.
DISABILITY_TARGETS = (
    "autism", "deaf-blindness", "deafness", "emotional-disturbance", "hearing-impairment",
    "intellectual-disability", "multiple-disabilities", "orthopedic-impairment", "other-health-impairment",
    "specific-learning-disability", "speech-or-language-impairment", "traumatic-brain-injury",
    "visual-impairment", "developmental-delay",
)  # fmt: skip

#: A value-map target meaning "no federal category" (recorded as no category).
NO_CATEGORY = "none"

VALUE_MAP_FIELDS: dict[str, tuple[str, ...]] = {
    "disability": (*DISABILITY_TARGETS, NO_CATEGORY),
    "plan_type": ("iep", "504", "both"),
    "state": (),  # a USPS code; checked against tracker.models.JURISDICTIONS
    "status": (),  # a session status; checked against tracker.models.SESSION_STATUSES
}


def normalize(text: str) -> str:
    """Lower case, letters and digits only (as header names are matched)."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


#: State disability codes and names -> IDEA category (or ``None``: no federal counterpart).
#: Texas: the eligibility categories of 19 TAC 89.1040(c) and the abbreviations used on ARD
#: paperwork (AU, AI/DHH, DB, ED, ID, LD, MD, NCEC, OHI, OI, SI, TBI, VI). "Auditory
#: impairment" (now "deaf or hard of hearing") covers both deafness and hearing impairment;
#: it is recorded as hearing impairment (300.8(c)(5)) and the summary says so.
#: Noncategorical early childhood (ages 3-5) has no federal counterpart.
#: California: the categories of 5 CCR 3030(b) and their usual abbreviations; established
#: medical disability (EC 56441.11, ages 3-5) has no federal counterpart. CALPADS's numeric
#: codes are not included: two public sources disagree on 281 and 330.
#: Florida: the exceptionality abbreviations of Rules 6A-6.03011-6.03031 F.A.C. as Florida
#: districts list them (ASD, DHH, DSI, E/BD, InD, LI, SI, OHI, OI, SLD, TBI, VI, DD, EC); the
#: one-letter codes of the state's data system are not included (not read).
STATE_DISABILITY_CODES: dict[str, dict[str, str | None]] = {
    "TX": {
        "au": "autism", "autism": "autism",
        "ai": "hearing-impairment", "auditoryimpairment": "hearing-impairment",
        "dhh": "hearing-impairment", "deaforhardofhearing": "hearing-impairment",
        "deafhardofhearing": "hearing-impairment",
        "db": "deaf-blindness", "deafblindness": "deaf-blindness", "deafblind": "deaf-blindness",
        "ed": "emotional-disturbance", "emotionaldisturbance": "emotional-disturbance",
        "id": "intellectual-disability", "intellectualdisability": "intellectual-disability",
        "ld": "specific-learning-disability", "learningdisability": "specific-learning-disability",
        "sld": "specific-learning-disability",
        "md": "multiple-disabilities", "multipledisabilities": "multiple-disabilities",
        "ncec": None, "noncategoricalearlychildhood": None,
        "ohi": "other-health-impairment", "otherhealthimpairment": "other-health-impairment",
        "oi": "orthopedic-impairment", "orthopedicimpairment": "orthopedic-impairment",
        "si": "speech-or-language-impairment", "speechimpairment": "speech-or-language-impairment",
        "tbi": "traumatic-brain-injury", "traumaticbraininjury": "traumatic-brain-injury",
        "vi": "visual-impairment", "visualimpairment": "visual-impairment",
    },
    "CA": {
        "aut": "autism", "autism": "autism",
        "db": "deaf-blindness", "deafblindness": "deaf-blindness",
        "deaf": "deafness", "deafness": "deafness",
        "ed": "emotional-disturbance", "emotionaldisturbance": "emotional-disturbance",
        "emd": None, "establishedmedicaldisability": None,
        "hh": "hearing-impairment", "hoh": "hearing-impairment", "hardofhearing": "hearing-impairment",
        "hearingimpairment": "hearing-impairment",
        "id": "intellectual-disability", "intellectualdisability": "intellectual-disability",
        "md": "multiple-disabilities", "multipledisability": "multiple-disabilities",
        "multipledisabilities": "multiple-disabilities",
        "oi": "orthopedic-impairment", "orthopedicimpairment": "orthopedic-impairment",
        "ohi": "other-health-impairment", "otherhealthimpairment": "other-health-impairment",
        "sld": "specific-learning-disability", "specificlearningdisability": "specific-learning-disability",
        "sli": "speech-or-language-impairment", "speechorlanguageimpairment": "speech-or-language-impairment",
        "tbi": "traumatic-brain-injury", "traumaticbraininjury": "traumatic-brain-injury",
        "vi": "visual-impairment", "visualimpairment": "visual-impairment",
    },
    "FL": {
        "asd": "autism", "autismspectrumdisorder": "autism",
        "dhh": "hearing-impairment", "deaforhardofhearing": "hearing-impairment",
        "deafhardofhearing": "hearing-impairment",
        "dsi": "deaf-blindness", "dualsensoryimpairment": "deaf-blindness",
        "ebd": "emotional-disturbance", "emotionalbehavioraldisability": "emotional-disturbance",
        "ind": "intellectual-disability", "intellectualdisability": "intellectual-disability",
        "li": "speech-or-language-impairment", "languageimpairment": "speech-or-language-impairment",
        "si": "speech-or-language-impairment", "speechimpairment": "speech-or-language-impairment",
        "ohi": "other-health-impairment", "otherhealthimpairment": "other-health-impairment",
        "oi": "orthopedic-impairment", "orthopedicimpairment": "orthopedic-impairment",
        "sld": "specific-learning-disability", "specificlearningdisability": "specific-learning-disability",
        "tbi": "traumatic-brain-injury", "traumaticbraininjury": "traumatic-brain-injury",
        "vi": "visual-impairment", "visualimpairment": "visual-impairment",
        "dd": "developmental-delay", "developmentallydelayed": "developmental-delay",
        "ec": None, "establishedconditions": None,
    },
}  # fmt: skip

#: State codes that are not a disability category at all (a placement, a program): a row
#: holding one is refused with the reason, rather than read as a generic code that looks
#: the same (Florida's HH is hospital/homebound, where elsewhere HH is hard of hearing).
STATE_CODE_REFUSALS: dict[tuple[str, str], str] = {
    ("FL", "hh"): "in Florida HH is hospital/homebound, a placement and not a disability category",
    ("FL", "hospitalhomebound"): "hospital/homebound is a placement, not a disability category",
    ("FL", "gifted"): "gifted is not a disability: a gifted student's educational plan is not an IEP",
}

_DEAF_HINT = "correct a deaf child's plan with `tracker plan edit ID --category deafness`"
#: (state, the codes and names of one state term, what the import says once when it reads one).
_CATEGORY_NOTE_TERMS = (
    ("TX", ("ncec", "noncategoricalearlychildhood"),
     "noncategorical early childhood (Texas, ages 3-5) has no federal category: recorded without one"),
    ("TX", ("ai", "auditoryimpairment"),
     "Texas's auditory impairment covers deafness and hearing impairment: recorded as hearing impairment "
     f"(34 CFR 300.8(c)(5)); {_DEAF_HINT}"),
    ("TX", ("dhh", "deaforhardofhearing", "deafhardofhearing"),
     "Texas's deaf or hard of hearing covers deafness and hearing impairment: recorded as hearing impairment "
     f"(34 CFR 300.8(c)(5)); {_DEAF_HINT}"),
    ("CA", ("emd", "establishedmedicaldisability"),
     "established medical disability (California, ages 3-5) has no federal category: recorded without one"),
    ("FL", ("dhh", "deaforhardofhearing", "deafhardofhearing"),
     "Florida's deaf or hard-of-hearing covers deafness and hearing impairment: recorded as hearing impairment "
     f"(34 CFR 300.8(c)(5)); {_DEAF_HINT}"),
    ("FL", ("ec", "establishedconditions"),
     "established conditions (Florida, birth to 2) has no federal category: recorded without one"),
)  # fmt: skip
#: Why a state category became no category, or a broader one: (state, normalized code) -> note.
CATEGORY_NOTES: dict[tuple[str, str], str] = {
    (state, key): note for state, keys, note in _CATEGORY_NOTE_TERMS for key in keys
}


@dataclass(frozen=True)
class ImportProfile:
    """One system's export: extra header names per field, value maps, a date format.

    ``aliases``: field -> header names (matched after :func:`normalize`); ``value_maps``:
    field -> {normalized value: target}; ``signature``: normalized header names that, all
    present, identify this export (:func:`recognise`); ``source``: ``built-in`` or the
    saved profiles file.
    """

    name: str
    title: str
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str | None = None
    signature: tuple[str, ...] = ()
    source: str = "built-in"
    basis: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "aliases": {k: list(v) for k, v in self.aliases.items()},
            "value_maps": {k: dict(v) for k, v in self.value_maps.items()},
            "date_format": self.date_format,
            "signature": list(self.signature),
            "basis": self.basis,
        }


BUILTIN_PROFILES: dict[str, ImportProfile] = {
    p.name: p
    for p in (
        ImportProfile(
            name="texas-ard",
            title="Texas ARD caseload (ARD = IEP meeting; FIE = evaluation)",
            aliases={
                "last_iep_date": (
                    "ARD Date", "Last ARD", "Last ARD Date", "Annual ARD Date", "Last Annual ARD",
                    "Last Annual ARD Date", "Most Recent ARD", "ARD Meeting Date",
                ),
                "next_annual_due": (
                    "Next Annual ARD", "Next Annual ARD Date", "Next ARD", "Next ARD Date", "Annual ARD Due",
                    "Annual ARD Due Date",
                ),
                "last_evaluation_date": (
                    "FIE Date", "FIIE Date", "Last FIE", "Last FIE Date", "Last FIIE", "Last FIE/Reeval",
                    "Last Reeval", "Last Reeval Date", "Last REED", "REED Date", "Evaluation Date",
                ),
                "next_triennial_due": (
                    "Next FIE/Reeval", "Next FIE", "Next Reeval", "Next Reeval Date", "Reeval Due Date",
                    "Next REED", "Three Year Reeval Due",
                ),
                "consent_date": (
                    "Consent for FIIE", "Consent for FIE", "FIIE Consent Date", "Consent to Evaluate Date",
                ),
                "referral_date": ("Referral for FIIE", "FIIE Referral Date"),
                "local_id": ("Local ID", "Local Student ID", "TX Unique ID", "Unique ID"),
                "school": ("Campus", "Campus Name"),
            },
            signature=("arddate", "nextannualard"),
            basis="Texas ARD vocabulary (19 TAC 89.1050: the ARD committee is the IEP team; FIIE, TEC 29.004); "
            "header names as Texas caseload exports commonly write them, not a vendor's documented list",
        ),
        ImportProfile(
            name="california-seis",
            title="California SEIS caseload (IEP Date, Next IEP, Triennial)",
            aliases={
                "last_iep_date": (
                    "IEP Date", "Last IEP Meeting", "Last IEP Meeting Date", "Last Annual IEP", "Last Annual IEP Date",
                    "Annual IEP Date", "Most Recent IEP",
                ),
                "next_annual_due": ("Next IEP", "Next IEP Date", "Next Annual IEP", "Next Annual IEP Date"),
                "last_evaluation_date": (
                    "Last Triennial", "Last Triennial Date", "Last Three-Year", "Last Three Year",
                    "Last Three-Year Date", "Last Tri", "Last Triennial IEP",
                ),
                "next_triennial_due": (
                    "Triennial Date", "Three-Year Date", "Three Year Date", "Next Triennial", "Next Triennial Date",
                    "Next Three-Year", "Next Three Year", "Next Three-Year Date", "Next Tri", "Triennial Due",
                    "Three-Year Due",
                ),
                "local_id": ("SSID", "Statewide Student ID", "SEIS ID", "District ID"),
                "disability": ("Primary Disability", "Disability 1", "Primary Eligibility"),
            },
            signature=("iepdate", "nextiep"),
            basis="SEIS caseload views list upcoming annual and triennial (three-year) IEP dates "
            "(SEIS teacher manual, contents only); 'Triennial Date' / 'Three-Year Date' are read as the "
            "NEXT three-year date (they create no record, only a comparison); the last one needs a "
            "'Last Triennial' column or --map",
        ),
        ImportProfile(
            name="powerschool-special-programs",
            title="PowerSchool Special Programs (Annual IEP Student Details)",
            aliases={
                "local_id": ("Student USI", "USI"),
                "district": ("LEA Name",),
                "school": ("School Name",),
                "next_annual_due": ("IEP Due Date", "Annual IEP Due Date", "Annual IEP Due"),
                "last_iep_date": ("IEP Meeting Date", "Annual IEP Meeting Date", "Date Held"),
            },
            signature=("leaid", "leaname", "schoolcode"),
            basis="sp-programs.powerschool-docs.com 'Annual IEP Student Details' field list (LEA ID, LEA Name, "
            "School Code, School Name, USI, IEP due date)",
        ),
        ImportProfile(
            name="infinite-campus",
            title="Infinite Campus Caseload Summary Report",
            aliases={
                "case_manager": ("Caseload Staff", "Case Manager Name", "Team Member"),
                "last_iep_date": ("Plan Start Date", "Plan Start"),
                "next_annual_due": ("Plan End Date", "Plan End"),
                "local_id": ("Student Number", "Person ID"),
                "plan_type": ("Plan Type",),
            },
            signature=("planstartdate", "planenddate", "plantype"),
            basis="kb.infinitecampus.com 'Caseload Summary Report' (plan dates, plan types, caseload staff); "
            "the exact header text was not seen",
        ),
        ImportProfile(
            name="easyiep",
            title="Frontline / PCG EasyIEP (Referral, Eligibility, Last IEP)",
            aliases={
                "referral_date": ("Referral Date",),
                "last_evaluation_date": ("Eligibility Date",),
                "last_iep_date": ("Last IEP Date",),
            },
            signature=("referraldate", "eligibilitydate", "lastiepdate"),
            basis="static.pcgeducation.com/help/Symbols.htm (EasyIEP tracks Referral, Eligibility and Last IEP dates)",
        ),
        ImportProfile(
            name="seds",
            title="SEDS / SLED roster (DC: USI, IEPBeginDate, IEPEndDate)",
            aliases={},
            signature=("usi", "iepbegindate", "iependdate"),
            basis="github.com/katyhogankdc/SPED_DataScripts README (the DC roster's columns); every column is "
            "already a name every import knows",
        ),
    )
}  # fmt: skip

PROFILE_NAME_RX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

#: The fields a saved profile's ``map`` may name: a caseload's and a service log's, or ``ignore``
#: (the same lists as :data:`tracker.caseload.FIELD_ALIASES` and ``SESSION_FIELD_ALIASES``;
#: ``tests/test_import_profiles.py`` checks they agree).
MAP_FIELDS = (
    "name", "first_name", "last_name", "middle_name", "local_id", "dob", "grade", "school", "district",
    "case_manager", "plan_type", "disability", "last_iep_date", "next_annual_due", "last_evaluation_date",
    "next_triennial_due", "referral_date", "consent_date", "plan504_date", "state", "calendar",
    "date", "service", "minutes", "provider", "status", "note", "ignore",
)  # fmt: skip
PROFILES_FILE = "import-profiles.toml"


def recognise(
    header: Sequence[str], generic: Iterable[str] = (), profiles: Iterable[ImportProfile] | None = None
) -> ImportProfile | None:
    """The built-in profile (or one of ``profiles``) the headers show: the one whose signature
    headers are all there, else the one with the most headers of its own (names it knows that
    ``generic``, the normalized names every import knows, does not), at least two; a tie is
    no recognition."""
    present = {normalize(h) for h in header}
    generic = set(generic)
    candidates = list(BUILTIN_PROFILES.values() if profiles is None else profiles)
    full = [p for p in candidates if p.signature and all(s in present for s in p.signature)]
    full.sort(key=lambda p: -len(p.signature))
    if full and (len(full) == 1 or len(full[0].signature) > len(full[1].signature)):
        return full[0]
    scored = sorted(((len(own_headers(p, generic) & present), p) for p in candidates), key=lambda t: -t[0])
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None


def own_headers(profile: ImportProfile, generic: Iterable[str] = ()) -> set[str]:
    """The normalized header names ``profile`` knows and ``generic`` does not."""
    known = set(generic)
    return {normalize(n) for names in profile.aliases.values() for n in names} - known


def parse_value_maps(options: Iterable[str], fields: Sequence[str] | None = None) -> dict[str, dict[str, str]]:
    """``--value-map FIELD:FROM=TO`` options -> {field: {normalized FROM: TO}}.

    Raises:
        InputError: not ``FIELD:FROM=TO``, an unknown field, or a target the field does not take.
    """
    from tracker.models import JURISDICTIONS, SESSION_STATUSES

    allowed = tuple(fields or VALUE_MAP_FIELDS)
    out: dict[str, dict[str, str]] = {}
    given: dict[tuple[str, str], str] = {}
    for opt in options:
        fld, colon, rest = opt.partition(":")
        source, eq, target = rest.rpartition("=")  # a code may hold '=' ("A=I"); a target never does
        fld, source, target = fld.strip(), source.strip(), target.strip()
        if not colon or not eq or not fld or not source or not target:
            raise InputError("--value-map", opt, "FIELD:FROM=TO, e.g. --value-map disability:AI=hearing-impairment")
        if not normalize(source):
            raise InputError("--value-map", opt, "a FROM value holding a letter or a digit")
        if len(source) > MAX_TEXT or not source.isprintable():
            raise InputError("--value-map", opt, f"a FROM value of one line of at most {MAX_TEXT} characters")
        fld = fld.replace("-", "_").lower()
        if fld not in allowed:
            raise InputError("--value-map", opt, "a FIELD among " + ", ".join(allowed))
        if fld == "state":
            target = target.upper()
            targets: tuple[str, ...] = tuple(JURISDICTIONS)
        elif fld == "status":
            target = target.lower()
            targets = tuple(SESSION_STATUSES)
        else:
            target = target.lower()
            targets = VALUE_MAP_FIELDS[fld]
        if target not in targets:
            raise InputError("--value-map", opt, f"a {fld} value TO among " + ", ".join(targets))
        key = (fld, normalize(source))
        if key in given and out[fld][key[1]] != target:
            raise InputError(
                "--value-map",
                opt,
                f"one TO for each FROM: {given[key]!r} already maps it (FROM ignores case and punctuation)",
            )
        given.setdefault(key, opt)
        out.setdefault(fld, {})[key[1]] = target
    return out


def merge_value_maps(*maps: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Later maps win, value by value."""
    out: dict[str, dict[str, str]] = {}
    for m in maps:
        for fld, values in m.items():
            out.setdefault(fld, {}).update(values)
    return out


def value_map_options(value_maps: dict[str, dict[str, str]]) -> list[str]:
    """The ``FIELD:FROM=TO`` spelling of value maps (for ``profile show``)."""
    return [f"{fld}:{src}={dst}" for fld, values in value_maps.items() for src, dst in values.items()]


# --- saved profiles ---------------------------------------------------------------------


def profiles_path() -> Path:
    """``import-profiles.toml`` in the config folder (beside ``config.toml``)."""
    from tracker.config import config_path

    return config_path().parent / PROFILES_FILE


#: The keys a saved profile may hold.
PROFILE_KEYS = ("title", "map", "value_map", "date_format")
#: The longest title, header name or value a profile holds.
MAX_TEXT = 200


def _profile_from_toml(name: str, table: Any, path: Path) -> ImportProfile:
    """A saved profile read back, with every check of ``profile save`` (a hand-edited file
    gets no more leeway than the command).

    Raises:
        ConfigError: a bad name (or a built-in's), an unknown key, a title that is not short
            text, a map that is not ``COLUMN=FIELD`` with a known field, a bad value map or
            date format.
    """
    from tracker.config import ConfigError

    where = [f"[profiles.{name}]"]
    fix = "a [profiles.NAME] table with map = [...], value_map = [...], date_format = '...' (tracker import profile)"
    if not PROFILE_NAME_RX.match(name):
        raise ConfigError(path, f"profile name {name!r}", "1-40 lower-case letters, digits, '-' or '_'", where)
    if name in BUILTIN_PROFILES:
        raise ConfigError(path, f"profile name {name!r} is a built-in profile's", "another name", where)
    if not isinstance(table, dict):
        raise ConfigError(path, f"profiles.{name} is not a table", fix, where)
    unknown = sorted(k for k in table if k not in PROFILE_KEYS)
    if unknown:
        raise ConfigError(
            path, f"profiles.{name}: unknown key {unknown[0]!r}", "keys " + ", ".join(PROFILE_KEYS), where
        )
    maps = table.get("map", [])
    vmaps = table.get("value_map", [])
    if not isinstance(maps, list) or not all(isinstance(m, str) for m in maps):
        raise ConfigError(path, f"profiles.{name}.map is not a list of texts", fix, where)
    if not isinstance(vmaps, list) or not all(isinstance(m, str) for m in vmaps):
        raise ConfigError(path, f"profiles.{name}.value_map is not a list of texts", fix, where)
    title = table.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > MAX_TEXT or not title.isprintable()):
        raise ConfigError(path, f"profiles.{name}.title", f"one line of text of at most {MAX_TEXT} characters", where)
    date_format = table.get("date_format")
    if date_format not in (None, "us", "iso", "dmy"):
        raise ConfigError(path, f"profiles.{name}.date_format = {date_format!r}", "us, iso or dmy", where)
    if not maps and not vmaps and not date_format:
        raise ConfigError(path, f"profiles.{name} is empty", "at least one map, value_map or date_format", where)
    aliases: dict[str, list[str]] = {}
    for m in maps:
        column, sep, fld = m.rpartition("=")
        column, fld = column.strip(), fld.strip()
        if not sep or not column or fld not in MAP_FIELDS:
            raise ConfigError(
                path,
                f"profiles.{name}.map entry {m!r}",
                "COLUMN=FIELD with FIELD among " + ", ".join(MAP_FIELDS),
                where,
            )
        aliases.setdefault(fld, []).append(column)
    try:
        value_maps = parse_value_maps(vmaps)
    except InputError as exc:
        raise ConfigError(path, f"profiles.{name}.value_map: {exc}", fix, where) from None
    return ImportProfile(
        name=name,
        title=str(title or f"saved profile {name}"),
        aliases={k: tuple(v) for k, v in aliases.items()},
        value_maps=value_maps,
        date_format=date_format,
        source=str(path),
    )


def load_saved() -> dict[str, ImportProfile]:
    """The saved profiles (none when the file does not exist).

    Raises:
        ConfigError: the file cannot be read or parsed, or a profile is malformed.
    """
    path = profiles_path()
    return _parse_saved(path, _read_profiles_text(path))


def _parse_saved(path: Path, text: str | None) -> dict[str, ImportProfile]:
    """The profiles of the saved profiles file's ``text`` (``None``: no file), every one
    checked (:func:`_profile_from_toml`).

    Raises:
        ConfigError: not TOML, a key other than ``profiles``, or a malformed profile.
    """
    import tomllib

    from tracker.config import ConfigError

    if text is None:
        return {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # "Expected '=' ... (at line 3, column 7)": the file's own words
        raise ConfigError(
            path, f"is not valid TOML: {exc}", "a TOML file written by `tracker import profile save`"
        ) from None
    unknown = sorted(k for k in data if k != "profiles")
    if unknown:
        raise ConfigError(path, f"unknown setting {unknown[0]!r}", "only [profiles.NAME] tables")
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(path, "profiles is not a table", "[profiles.NAME] tables")
    return {name: _profile_from_toml(name, table, path) for name, table in tables.items()}


def _read_profiles_text(path: Path) -> str | None:
    """The text of the saved profiles file, or ``None`` when there is none: read as the
    config file is (:func:`tracker.config._read_config_text`: a regular file only, at most
    1 MiB, UTF-8).

    Raises:
        ConfigError: not a regular file, too large, unreadable or not UTF-8.
    """
    from tracker.config import _read_config_text

    return _read_config_text(path, named_by="the saved import profiles file (beside the config file)")


def get_profile(name: str) -> ImportProfile:
    """A saved profile, else a built-in one, by name.

    Raises:
        InputError: no profile has that name (the accepted names listed).
    """
    saved = load_saved()
    if name in saved:
        return saved[name]
    if name in BUILTIN_PROFILES:
        return BUILTIN_PROFILES[name]
    names = sorted({*BUILTIN_PROFILES, *saved})
    raise InputError("--profile", name, "a profile name among " + ", ".join(names) + " (tracker import profile list)")


def save_profile(
    name: str, maps: Sequence[str], value_maps: Sequence[str], date_format: str | None, title: str | None = None
) -> tuple[Path, bool]:
    """Save (or replace, whole) profile ``name``; the other saved profiles stay as they were.
    Returns the file and whether a profile of that name was replaced.

    ``maps``: ``COLUMN=FIELD`` pairs as :func:`tracker.caseload.profile_maps` checked and
    spelled them; ``value_maps`` are checked here; nothing is written before both are. The
    file is written atomically, 0600.

    Raises:
        InputError: a bad name or option (nothing written).
    """
    import tomlkit

    from tracker.config import _write_atomic

    if not PROFILE_NAME_RX.match(name):
        raise InputError("NAME", name, "1-40 lower-case letters, digits, '-' or '_', starting with a letter or digit")
    if name in BUILTIN_PROFILES:
        raise InputError("NAME", name, "a name that is not a built-in profile's (" + ", ".join(BUILTIN_PROFILES) + ")")
    if date_format is not None and date_format not in ("us", "iso", "dmy"):
        raise InputError("--date-format", date_format, "us (M/D/YYYY), iso (YYYY-MM-DD) or dmy (D/M/YYYY)")
    pairs = list(maps)  # checked by tracker.caseload.profile_maps
    parse_value_maps(value_maps)  # raises for a bad --value-map
    if not maps and not value_maps and not date_format:
        raise InputError("profile save", name, "at least one --map, --value-map or --date-format")
    if title is not None and (len(title) > MAX_TEXT or not title.isprintable()):
        raise InputError("--title", title[:60], f"one line of text of at most {MAX_TEXT} characters")
    path = profiles_path()
    text = _read_profiles_text(path)
    _parse_saved(path, text)  # the existing file is checked first: never overwrite what we cannot read
    doc = tomlkit.parse(text) if text is not None else tomlkit.document()
    if "profiles" not in doc:
        doc.add("profiles", tomlkit.table(is_super_table=True))
    table = tomlkit.table()
    if title:
        table["title"] = title
    table["map"] = pairs
    table["value_map"] = list(value_maps)
    if date_format:
        table["date_format"] = date_format
    replaced = name in doc["profiles"]
    doc["profiles"][name] = table
    _write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))
    return path, replaced


def remove_profile(name: str) -> Path:
    """Remove saved profile ``name``.

    Raises:
        InputError: no saved profile has that name (built-in ones cannot be removed).
    """
    import tomlkit

    from tracker.config import _write_atomic

    path = profiles_path()
    text = _read_profiles_text(path)
    if name not in _parse_saved(path, text):
        what = "a built-in profile cannot be removed" if name in BUILTIN_PROFILES else "no saved profile has it"
        raise InputError("NAME", name, f"the name of a saved profile ({what}; tracker import profile list)")
    doc = tomlkit.parse(text or "")
    del doc["profiles"][name]
    _write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))
    return path
