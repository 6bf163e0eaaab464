"""Name and pronoun resolution within one document.

Deliberately shallow: news copy introduces a person once with the full name
("military analyst Igor Korotchenko") and then uses the surname or "he", so
surname matching plus "most recent compatible subject" covers most speaker
references without a coreference model.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional

HONORIFICS = {
    "mr": "m", "mr.": "m", "sir": "m", "lord": "m",
    "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f", "dame": "f", "lady": "f",
    "dr": None, "dr.": None, "prof": None, "prof.": None,
}
# Titles the model sometimes folds into a PERSON span ("Colonel Ana Ruiz").
TITLES = frozenset(
    """colonel col. general gen. major maj. captain capt. lieutenant lt. sergeant sgt. admiral adm.
    mayor judge justice president minister senator sen. representative rep. governor gov. chancellor
    secretary ambassador commissioner councillor councilor chairman chairwoman chief inspector
    detective officer professor father sister brother rabbi imam sheikh pope king queen prince
    princess speaker spokesman spokeswoman""".split()
)
# Descriptor nouns that reveal gender ("spokeswoman Jane Roe").
GENDERED_NOUNS = {
    "woman": "f", "mother": "f", "wife": "f", "daughter": "f", "sister": "f", "actress": "f",
    "spokeswoman": "f", "chairwoman": "f", "congresswoman": "f", "businesswoman": "f", "widow": "f",
    "grandmother": "f", "queen": "f", "princess": "f",
    "man": "m", "father": "m", "husband": "m", "son": "m", "brother": "m", "actor": "m",
    "spokesman": "m", "chairman": "m", "congressman": "m", "businessman": "m", "widower": "m",
    "grandfather": "m", "king": "m", "prince": "m",
}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
ORG_PRONOUNS = {"it", "they"}

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


@dataclass(frozen=True, slots=True)
class KnownPerson:
    name: str
    gender: Optional[str]


@lru_cache(maxsize=1)
def known_people() -> tuple[dict[str, KnownPerson], dict[str, KnownPerson]]:
    """(by surname, by full name) from ``data/known_people.json``."""
    raw = json.loads(resources.files("newsledger.data").joinpath("known_people.json").read_text("utf-8"))
    by_surname: dict[str, KnownPerson] = {}
    by_name: dict[str, KnownPerson] = {}
    for item in raw.get("people", []):
        person = KnownPerson(item["name"], item.get("gender"))
        by_name[person.name.lower()] = person
        for s in item.get("surnames", []):
            by_surname[s.lower()] = person
    return by_surname, by_name


def clean_name(text: str) -> str:
    """Drop a trailing possessive and leading honorific: "Mr. Trump’s" -> "Trump"."""
    text = _POSSESSIVE.sub("", text.strip()).strip()
    parts = text.split()
    while len(parts) > 1 and (parts[0].lower() in HONORIFICS or parts[0].lower() in TITLES):
        parts = parts[1:]
    return " ".join(parts)


def honorific_gender(text: str) -> Optional[str]:
    first = text.split(maxsplit=1)[0].lower() if text.strip() else ""
    return HONORIFICS.get(first)


def canonical_people(names: list[str]) -> dict[str, str]:
    """Map every cleaned PERSON name of a document to its fullest form.

    ``names`` is in document order. A one-word name takes the first multi-word
    name ending (surname) or, failing that, starting (first name) with it; a
    surname the article never expands comes from the known-people list.
    """
    by_surname, _ = known_people()
    full_by_last: dict[str, str] = {}
    full_by_first: dict[str, str] = {}
    for n in names:
        parts = n.split()
        if len(parts) > 1:
            full_by_last.setdefault(parts[-1].lower(), n)
            full_by_first.setdefault(parts[0].lower(), n)
    out: dict[str, str] = {}
    for n in names:
        key, parts = n.lower(), n.split()
        if key in by_surname and not any(f.lower().endswith(" " + key) for f in full_by_last.values()):
            out[n] = by_surname[key].name  # also multi-word surnames ("von der Leyen")
            continue
        if len(parts) > 1:
            # "Donald J. Trump" after "Donald Trump" is the same person: keep the first form.
            first_seen = full_by_last.get(parts[-1].lower(), n)
            out[n] = first_seen if first_seen.split()[0].lower() == parts[0].lower() else n
            continue
        if key in full_by_last:
            out[n] = full_by_last[key]
        elif key in full_by_first:
            out[n] = full_by_first[key]
        else:
            out[n] = n
    return out


def person_gender(canonical: str, hint: Optional[str]) -> Optional[str]:
    if hint:
        return hint
    _, by_name = known_people()
    known = by_name.get(canonical.lower())
    return known.gender if known else None


@dataclass(slots=True)
class Referent:
    """One mention a pronoun may point back to."""

    token: int  # head token index in the doc
    canonical: str
    label: str  # PERSON | ORG | ...
    subject: bool
    sentence: int
    gender: Optional[str] = None


class Resolver:
    """Answers "who is *he* here?" from mentions sorted by position."""

    LOOKBACK_SENTENCES = 4

    def __init__(self, referents: list[Referent]):
        self.refs = sorted(referents, key=lambda r: r.token)
        self.keys = [r.token for r in self.refs]

    def resolve(self, token: int, sentence: int, pronoun: str) -> Optional[Referent]:
        pron = pronoun.lower()
        if pron in PRONOUN_GENDER:
            want_labels, gender = ("PERSON",), PRONOUN_GENDER[pron]
        elif pron in ORG_PRONOUNS:
            want_labels, gender = ("ORG", "NORP", "GPE"), None
        else:
            return None
        fallback = None
        i = bisect_left(self.keys, token) - 1
        while i >= 0:
            r = self.refs[i]
            i -= 1
            if sentence - r.sentence > self.LOOKBACK_SENTENCES:
                break
            if r.label not in want_labels or (gender and r.gender and r.gender != gender):
                continue
            if r.subject:
                return r
            if fallback is None:
                fallback = r
        return fallback
