"""A child's name as districts export it, read into given, middle and family names.

Pure functions, no database. Used by the caseload import, ``tracker student add/edit`` and
migration 0009 (which applies :func:`parse_name` without :func:`tidy_case` to the names
already recorded, so no letter changes case behind the family's back).

The forms read (after collapsing runs of spaces):

* ``Family, Given [Initial]`` (one comma): ``Garza, Sofía`` -> given ``Sofía``, family
  ``Garza``; ``GARZA, Sofía M.`` -> given ``Sofía``, middle ``M.``, family ``GARZA`` (made
  ``Garza`` by :func:`tidy_case` on import); ``Reyes, María José`` -> given ``María José``
  (only a trailing initial is a middle name: :func:`split_initial`);
* ``Family, Given, Suffix`` (two commas, the last a generational suffix: Jr., Sr., II, III,
  IV, V): the suffix follows the family name (``Garza Jr.``);
* separate first / middle / last columns (:func:`from_parts`);
* anything else -- a name without a comma, with commas in another pattern, or with parts
  holding more than letters, spaces, hyphens, apostrophes and dots -- is a
  single-field name: kept exactly as written, with no given or family name (which word is
  the given name is not assumed: ``Nguyen Van An`` may be family name first).

The display name (:attr:`PersonName.full`) is ``Given [Middle] Family``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Generational suffixes accepted after a second comma (compared without the final dot).
SUFFIXES = ("jr", "sr", "ii", "iii", "iv", "v")

#: What a name part may hold to be read as one: letters (any script), spaces, hyphens,
#: apostrophes and dots. A comma in anything else (``=HYPERLINK("a","b")``, ``Room 4, B``)
#: is not a ``Family, Given`` name.
NAME_PART = re.compile(r"^(?:[^\W\d_]|[ '\u2019.\-])+$")

#: Characters that print as nothing inside a name: zero-width space, word joiner, invisible
#: operators, zero-width no-break space (BOM), soft hyphen, combining grapheme joiner, left-to-
#: right and right-to-left marks, Mongolian vowel separator, Hangul fillers. (Zero-width joiners
#: and non-joiners, U+200C and U+200D, are kept: some scripts write names with them.)
INVISIBLE_IN_NAMES = frozenset(
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u200e\u200f\u180e\u3164\u115f\u1160\uffa0"
)


def first_invisible(text: str) -> str | None:
    """The first character of ``text`` in :data:`INVISIBLE_IN_NAMES`, or ``None``."""
    return next((c for c in text if c in INVISIBLE_IN_NAMES), None)


@dataclass(frozen=True)
class PersonName:
    """A name read from an export: ``full`` as letters and tables show it; the parts, or
    ``None`` when the name was one field (then ``full`` is the text as written)."""

    full: str
    given: str | None = None
    middle: str | None = None
    family: str | None = None

    @property
    def reordered(self) -> bool:
        """True when the parts were read from a ``Family, Given`` name."""
        return self.given is not None and self.family is not None


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _compose(given: str | None, middle: str | None, family: str | None) -> str:
    return " ".join(p for p in (given, middle, family) if p)


def parse_name(text: str) -> PersonName:
    """``Family, Given [Initial]`` -> parts (see the module docstring); any other text -> a
    single-field :class:`PersonName` holding it as written (spaces collapsed).

    >>> parse_name("Garza, Sofía").full
    'Sofía Garza'
    >>> parse_name("Nguyen Van An")
    PersonName(full='Nguyen Van An', given=None, middle=None, family=None)
    """
    squashed = _squash(text)
    parts = [p.strip() for p in squashed.split(",")]
    if len(parts) == 3 and parts[2].rstrip(".").casefold() in SUFFIXES and parts[0] and parts[1]:
        parts = [f"{parts[0]} {parts[2]}", parts[1]]
    if len(parts) != 2 or not all(NAME_PART.match(p) and any(c.isalpha() for c in p) for p in parts):
        return PersonName(full=squashed)
    family, rest = parts
    if rest.rstrip(".").casefold() in SUFFIXES:  # "Smith, Jr.": no given name at all
        return PersonName(full=squashed)
    given, middle = split_initial(rest)
    return PersonName(full=_compose(given, middle, family), given=given, middle=middle, family=family)


_INITIAL = re.compile(r"^(?P<given>.+?) (?P<initial>[^\W\d_]\.?)$")


def split_initial(text: str) -> tuple[str, str | None]:
    """``Sofía M.`` -> (``Sofía``, ``M.``): a trailing initial is the middle name; anything
    else is the given name whole (``Mary Ann``, ``María José``, ``Gabriel José``: a second
    given name is not taken for a middle name, since letters call the child by it)."""
    m = _INITIAL.match(text)
    if m:
        return m["given"], m["initial"]
    return text, None


def from_parts(given: str | None, family: str | None, middle: str | None = None) -> PersonName:
    """Names from separate columns (first, middle, last). A first name alone or a last name
    alone is a single-field name (the other part is not assumed)."""
    g, m, f = _squash(given) or None, _squash(middle) or None, _squash(family) or None
    if g and f:
        return PersonName(full=_compose(g, m, f), given=g, middle=m, family=f)
    return PersonName(full=_compose(g, m, f))


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


#: Particles written in lower case inside a family name (``De la Cruz``, ``Van der Berg``);
#: the first word of a part keeps its capital.
PARTICLES = frozenset(
    {"de", "del", "della", "la", "las", "los", "van", "von", "der", "den", "da", "di", "du", "le", "y"}
)


def _cap_word(word: str, first: bool = True) -> str:
    low = word.lower()
    if not first and low in PARTICLES:
        return low
    if len(low) > 2 and low.startswith("mc"):
        return "Mc" + low[2:].capitalize()
    return low.capitalize()


def tidy_case(text: str | None) -> str | None:
    """A name part written in capitals (``GARZA``, ``O'BRIEN``, ``LÓPEZ-RUIZ``, ``MCDONALD``)
    in mixed case (``Garza``, ``O'Brien``, ``López-Ruiz``, ``McDonald``); any part holding a
    lower-case letter is left exactly as written (``de la Cruz``, ``DeShawn``). A single
    capital (an initial, ``M.``) stays."""
    if text is None:
        return None
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2 or any(c.islower() for c in letters):
        return text
    return _WORD.sub(lambda m: _cap_word(m.group(0), first=m.start() == 0), text)


def tidied(name: PersonName) -> PersonName:
    """``name`` with :func:`tidy_case` applied to each part (a single-field name: to the whole)."""
    if name.given is None and name.family is None:
        return PersonName(full=tidy_case(name.full) or "")
    g, m, f = tidy_case(name.given), tidy_case(name.middle), tidy_case(name.family)
    return PersonName(full=_compose(g, m, f), given=g, middle=m, family=f)


def loose_key(name: str) -> str:
    """``name`` with accents, case, punctuation and one-letter initials set aside: the same for
    ``José M. Hernández``, ``Jose M Hernandez`` and ``JOSÉ HERNÁNDEZ`` (so a re-import that
    spells a child's name another way finds the child), different for ``José Luis Hernández``.
    """
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    words = re.findall(r"[^\W_]+", plain.casefold())
    return " ".join(w for w in words if len(w) > 1)
