"""Named entities: spaCy's small-model NER, corrected and canonicalised.

The small English model reliably finds name spans but often mislabels them
in war reporting: unfamiliar toponyms ("Seversk", "Donbass") come out as
PERSON or PRODUCT, famous surnames ("Trump") as ORG, outlets ("Sputnik") as
PERSON. Labels are repaired with, in order: the known-people list, the outlet
registry, the gazetteer (when the places component ships one) and contextual
rules ("the X city", "X’s liberation", toponymic suffixes). A gazetteer
match alone must name a large place (population thresholds below), since
villages share names with people and firms. Each person then
gets a document-level canonical name and a descriptor taken from a
premodifier ("military analyst Igor Korotchenko") or an apposition
("Igor Korotchenko, a military analyst,").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterator, Optional

from ..schema import Entity
from .coref import (
    GENDERED_NOUNS,
    Referent,
    Resolver,
    canonical_people,
    clean_name,
    honorific_gender,
    known_people,
    person_gender,
)
from .lang.common import translit_key
from .nlp import sentence_of
from .pipeline import component

LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"}
# Labels the small model gives to places it does not know.
PLACE_CANDIDATE_LABELS = {"PERSON", "ORG", "PRODUCT", "FAC", "WORK_OF_ART", "GPE", "LOC"}
PLACE_NOUNS = {
    "city", "town", "village", "settlement", "region", "oblast", "province", "district", "area",
    "county", "republic", "front", "direction", "axis", "border", "outskirts", "port", "airport",
}
# Things that happen to places in conflict reporting ("Seversk’s liberation").
PLACE_EVENTS = {
    "liberation", "fall", "capture", "siege", "encirclement", "defense", "defence", "outskirts",
    "residents", "mayor", "governor", "streets", "suburbs", "shelling", "bombardment",
}
PLACE_PREPOSITIONS = {"in", "near", "outside", "around", "toward", "towards", "into", "across", "within"}
TOPONYM_SUFFIX = re.compile(
    r"(?:sk|grad|burg|opol|ovka|ivka|yevka|abad|stan)$"
)
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those"}


@lru_cache(maxsize=1)
def _outlet_names() -> frozenset[str]:
    try:
        from ..outlets import all_outlets
    except ImportError:
        return frozenset()
    try:
        return frozenset(o.name.lower() for o in all_outlets())
    except Exception:  # a broken registry must not stop entity extraction
        return frozenset()


# Population a gazetteer match needs before it overrides the model's label:
# small villages share names with people and companies.
PLACE_POP_FOR_PERSON = 100_000
PLACE_POP_FOR_OTHER = 20_000


@lru_cache(maxsize=1)
def _place_lookup() -> Optional[Callable[[str], tuple[int, bool]]]:
    """The places component's gazetteer, when installed: name -> (largest population, is a country/region)."""
    try:
        from .gazetteer import get_gazetteer

        gaz = get_gazetteer()
    except Exception:  # no gazetteer module or no index: fall back to the contextual rules
        return None

    def lookup(name: str) -> tuple[int, bool]:
        try:
            cands = gaz.lookup(name)
        except Exception:
            return 0, False
        pop = max((c.population or 0 for c in cands), default=0)
        return pop, any(c.feature in ("country", "region", "continent") for c in cands)

    return lookup


def _gazetteer_says_place(name: str, label: str) -> bool:
    lookup = _place_lookup()
    if lookup is None:
        return False
    pop, region = lookup(name)
    return region or pop >= (PLACE_POP_FOR_PERSON if label == "PERSON" else PLACE_POP_FOR_OTHER)


@lru_cache(maxsize=1)
def _outlet_aliases() -> dict[str, str]:
    """Short name -> outlet name (data/outlet_aliases.json)."""
    import json
    from importlib import resources

    try:
        data = json.loads(resources.files("newsledger.data").joinpath("outlet_aliases.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("aliases", {})


@lru_cache(maxsize=1)
def _outlet_keys() -> frozenset[str]:
    """Every outlet name, without a leading "the", and the listed short names: never a bare leading word
    ("Kyiv" of "Kyiv Post", "France" of "France 24" stay places)."""
    keys = {k for n in _outlet_names() for k in _name_forms(n)}
    keys.update(a.lower() for a in _outlet_aliases())
    return frozenset(keys)


def _name_forms(name: str) -> Iterator[str]:
    yield name
    if name.startswith("the "):
        yield name[4:]


def _is_outlet(text: str, own_outlet: Optional[str]) -> bool:
    low = text.lower()
    if low in _outlet_keys():
        return True
    return bool(own_outlet) and low in _name_forms(own_outlet.lower())


def _strip_det(text: str) -> str:
    parts = text.split(maxsplit=1)
    if len(parts) == 2 and parts[0].lower() in DETERMINERS:
        return parts[1]
    return text


def _place_evidence(doc, start: int, end: int, text: str) -> bool:
    """Context that marks a one-word name as a place rather than a person."""
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None and nxt.lower_ in ("’s", "'s") and end + 1 < len(doc):
        nxt = doc[end + 1]
        if nxt.lower_ in PLACE_EVENTS:
            return True
    if nxt is not None and nxt.lower_ in PLACE_NOUNS:
        return True
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and prev.lower_ == "of" and start > 1 and (
        doc[start - 2].lower_ in PLACE_NOUNS or doc[start - 2].lower_ in PLACE_EVENTS
    ):
        return True
    if prev is not None and prev.lower_ in PLACE_PREPOSITIONS:
        return True
    return bool(TOPONYM_SUFFIX.search(text.lower()))


class _Raw:
    __slots__ = ("start", "end", "label", "text")

    def __init__(self, start: int, end: int, label: str, text: str):
        self.start, self.end, self.label, self.text = start, end, label, text


def _relabel(doc, spans: list[_Raw], own_outlet: Optional[str]) -> None:
    by_surname, by_name = known_people()
    person_surnames = {
        clean_name(s.text).split()[-1].lower()
        for s in spans
        if s.label == "PERSON" and len(clean_name(s.text).split()) > 1
    }
    for s in spans:
        name = clean_name(s.text)
        low = name.lower()
        if low in by_surname or low in by_name:
            s.label = "PERSON"
        elif _is_outlet(_strip_det(name), own_outlet) and s.label in ("PERSON", "GPE", "PRODUCT", "WORK_OF_ART"):
            s.label = "ORG"
        elif s.label in ("ORG", "GPE") and s.end - s.start == 1 and low in person_surnames:
            s.label = "PERSON"
        elif s.label in PLACE_CANDIDATE_LABELS and s.label not in ("GPE", "LOC") and low not in person_surnames:
            if (s.end - s.start == 1 and _place_evidence(doc, s.start, s.end, name)) or _gazetteer_says_place(
                name, s.label
            ):
                s.label = "GPE"
    # One name, one label per document: "Vodiane" is a place everywhere once it is a place somewhere.
    places = {clean_name(s.text).lower() for s in spans if s.label in ("GPE", "LOC")}
    for s in spans:
        low = clean_name(s.text).lower()
        if s.label in PLACE_CANDIDATE_LABELS and s.label not in ("GPE", "LOC") and low in places:
            if low not in person_surnames and low not in by_surname:
                s.label = "GPE"


def _add_surname_mentions(doc, spans: list[_Raw]) -> list[_Raw]:
    """Later surname-only mentions the model missed ("Korotchenko summed up")."""
    covered = set()
    surnames = {}
    for s in spans:
        covered.update(range(s.start, s.end))
        if s.label == "PERSON":
            parts = clean_name(s.text).split()
            if len(parts) > 1:
                surnames[parts[-1]] = True
    if not surnames:
        return spans
    extra = [
        _Raw(t.i, t.i + 1, "PERSON", t.text)
        for t in doc
        if t.i not in covered and t.text in surnames and t.pos_ == "PROPN"
    ]
    return sorted(spans + extra, key=lambda s: s.start) if extra else spans


def _premodifier(doc, start: int) -> Optional[str]:
    """"military analyst Igor Korotchenko" -> "military analyst"."""
    i = start - 1
    while i >= 0 and start - i <= 5:
        t = doc[i]
        if t.is_punct or t.is_space or t.lower_ in DETERMINERS or t.pos_ not in ("NOUN", "ADJ", "PROPN", "NUM"):
            break
        if not (start <= t.head.i < start + 6 or i < t.head.i < start):
            break
        i -= 1
    words = doc[i + 1 : start]
    nounish = [t for t in words if t.is_lower and (t.pos_ == "NOUN" or t.dep_ == "compound")]
    if not nounish or not (words[-1].pos_ == "NOUN" or words[-1].dep_ == "compound"):
        return None
    return words.text


def _apposition(doc, start: int, end: int) -> Optional[str]:
    """"Igor Korotchenko, a military analyst," -> "military analyst"."""
    head = doc[start:end].root
    for child in head.rights:
        if child.dep_ == "appos" and child.i >= end:
            toks = [t for t in child.subtree if not t.is_space]
            while toks and (toks[0].is_punct or toks[0].lower_ in DETERMINERS):
                toks = toks[1:]
            while toks and toks[-1].is_punct:
                toks = toks[:-1]
            if toks and len(toks) <= 12 and child.pos_ == "NOUN":
                return doc[toks[0].i : toks[-1].i + 1].text
    return None


def find_entities(doc, own_outlet: Optional[str] = None) -> list[Entity]:
    """Entities of ``doc`` (a spaCy Doc over the article text), corrected and canonicalised."""
    if doc is None:
        return []
    spans = [_Raw(e.start, e.end, e.label_, e.text) for e in doc.ents]
    _relabel(doc, spans, own_outlet)
    spans = [s for s in spans if s.label in LABELS]
    spans = _add_surname_mentions(doc, spans)

    people = [clean_name(s.text) for s in spans if s.label == "PERSON"]
    canon = canonical_people(people)
    descriptors: dict[str, str] = {}
    out: list[Entity] = []
    for s in spans:
        span = doc[s.start : s.end]
        ent = Entity(
            text=span.text,
            label=s.label,
            start=span.start_char,
            end=span.end_char,
            sentence=sentence_of(doc, span.start_char),
        )
        if s.label == "PERSON":
            ent.canonical = canon.get(clean_name(s.text), clean_name(s.text))
            desc = _apposition(doc, s.start, s.end) or _premodifier(doc, s.start)
            if desc and ent.canonical not in descriptors:
                descriptors[ent.canonical] = desc
        else:
            ent.canonical = _strip_det(clean_name(s.text))
        out.append(ent)
    for ent in out:
        if ent.label == "PERSON":
            ent.descriptor = descriptors.get(ent.canonical)
        ent.key = translit_key(ent.canonical)
    return out


def build_resolver(doc, entities: list[Entity]) -> Resolver:
    """Pronoun resolver over the document's person and organisation mentions."""
    genders: dict[str, Optional[str]] = {}
    for e in entities:
        if e.label != "PERSON" or not e.canonical:
            continue
        span = doc.char_span(e.start, e.end, alignment_mode="expand")
        before = doc[span.start - 1].text if span is not None and span.start > 0 else ""
        hint = honorific_gender(e.text) or honorific_gender(before)
        if e.descriptor:
            hint = hint or next((GENDERED_NOUNS[w] for w in e.descriptor.lower().split() if w in GENDERED_NOUNS), None)
        genders[e.canonical] = genders.get(e.canonical) or person_gender(e.canonical, hint)
    refs = []
    for e in entities:
        if e.label not in ("PERSON", "ORG", "NORP", "GPE") or not e.canonical:
            continue
        span = doc.char_span(e.start, e.end, alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        refs.append(
            Referent(
                token=root.i,
                canonical=e.canonical,
                label=e.label,
                subject=root.dep_ in ("nsubj", "nsubjpass"),
                sentence=e.sentence or 0,
                gender=genders.get(e.canonical),
            )
        )
    return Resolver(refs)


def extract_entities(ctx) -> list[Entity]:
    return find_entities(ctx.doc, ctx.article.source.name if ctx.article else None)


@component("entities")
def load() -> Callable:
    _outlet_keys()
    known_people()
    return extract_entities
