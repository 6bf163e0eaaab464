"""Places in Russian and Ukrainian text: the NER's place mentions, brought to the nominative and
resolved in the gazetteer (whose Cyrillic names are in the nominative), nearby countries first."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from ...schema import Place
from ..nlp import CYRILLIC, sentence_of
from ..pipeline import component
from .common import NESTED, data_file, morph_analyzer, nominative_phrase

# Countries whose towns Russian and Ukrainian news name most: a match there may be a village;
# elsewhere a Cyrillic alias must name a large place (GeoNames gives "Сили" to Sealy, Texas).
NEAR = {"UA", "RU", "BY", "MD", "PL", "RO", "SK", "HU", "GE", "KZ", "LT", "LV", "EE"}
NEAR_MIN_POP = 1000
FAR_MIN_POP = 100_000
ADMIN_WORDS = {"область", "край", "республика", "республіка", "район", "округ"}


@lru_cache(maxsize=1)
def _gazetteer():
    try:
        from ..gazetteer import get_gazetteer

        return get_gazetteer()
    except Exception:  # no index: places are left unresolved
        return None


@lru_cache(maxsize=100_000)
def gazetteer_place(name: str):
    """The best gazetteer candidate for a nominative name, or None."""
    gaz = _gazetteer()
    if gaz is None or not name:
        return None
    code = _named_areas().get(name.lower())
    if code:
        return gaz.region(code) if "-" in code else gaz.country(code)
    try:
        cands = gaz.lookup(name)
    except Exception:
        return None
    def town(c) -> bool:
        return c.feature == "city" and (
            c.country_code in NEAR and (c.population or 0) >= NEAR_MIN_POP or (c.population or 0) >= FAR_MIN_POP)

    for c in cands:
        if c.feature in ("country", "continent"):
            return c
        if c.feature == "region" and (c.population or 0) > 0:
            # A bare name is the city when one of that name exists (Киев, Донецк), else the region (Крым).
            return next((t for t in cands if town(t) and t.country_code == c.country_code), c)
        if town(c) or c.feature != "city" and (c.population or 0) >= FAR_MIN_POP:
            return c
    return None


@lru_cache(maxsize=1)
def _named_areas() -> dict[str, str]:
    return {k.lower(): v for k, v in data_file("ru", "places.json")["names"].items()}


def stems(word: str) -> list[str]:
    """A one-word name without its case ending (Куп'янська -> Куп'янськ) when the dictionary lacks it."""
    return [word[:-k] for k in (1, 2, 3) if len(word) - k >= 4]


def resolve(lang: str, canonical: Optional[str], text: str):
    """(gazetteer candidate, the spelling that matched) for a place mention, or (None, None)."""
    tries = [canonical or "", *_lemmas(lang, text)]
    words = text.split()
    if len(words) == 1:
        tries += stems(text)
    else:
        from .stem import search_stem

        if words[0].islower():  # "районе Торецка", "села Роботине": the name after the descriptor
            rest = " ".join(words[1:])
            tries += [rest, *_lemmas(lang, rest), *(stems(rest) if len(words) == 2 else [])]
            words = words[1:]
        tries.append(" ".join(search_stem(w, min_stem=2) for w in words))  # Часовым Яром -> часов яр
    for name in tries:
        cand = gazetteer_place(name)
        if cand is not None:
            return cand, name
    return None, None


def _lemmas(lang: str, text: str) -> list[str]:
    """Spellings to try: as written, the entity's canonical name, and each word's dictionary form."""
    ma = morph_analyzer(lang)
    words = text.split()
    if len(words) == 1:
        return [text] + [p.normal_form for p in ma.parse(text)[:3] if p.tag.POS == "NOUN"]
    return [text]


class _M:
    __slots__ = ("start", "end", "text", "canonical")

    def __init__(self, start, end, text, canonical):
        self.start, self.end, self.text, self.canonical = start, end, text, canonical


KINDS = {"city": "city", "admin2": "district", "region": "region", "country": "country", "continent": "continent"}


def _in_context(lang: str, canonical: Optional[str], text: str, regions: set[str], countries: list[str], chosen):
    """A same-named town in a region, else the country, the article is most about
    (Северск in a report on the DNR is Siversk, not Seversk near Tomsk)."""
    gaz = _gazetteer()
    if gaz is None or chosen.feature != "city" or chosen.admin1 in regions:
        return chosen, "population"
    cands = []
    for name in [canonical or "", *_lemmas(lang, text)]:
        try:
            cands += [c for c in gaz.lookup(name) if c.feature == "city" and (c.population or 0) >= NEAR_MIN_POP]
        except Exception:
            return chosen, "population"
    for c in cands:
        if c.admin1 in regions:
            return c, "context:admin1"
    if countries and chosen.country_code != countries[0] and chosen.country_code not in NEAR:
        for c in cands:
            if c.country_code == countries[0]:
                return c, "context:country"
    return chosen, "population"


def find_places(ctx, lang: str) -> list[Place]:
    doc = ctx.doc
    if doc is None:
        return []
    found = []
    mentions = [(e.start, e.end, e.text, e.canonical) for e in ctx.entities if e.label in ("GPE", "LOC")]
    seen = {(m[0], m[1]) for m in mentions}
    for sp in doc.spans.get(NESTED, []):  # "України" in "Міністерство оборони України"
        if sp.label_ in ("GPE", "LOC") and (sp.start_char, sp.end_char) not in seen:
            mentions.append((sp.start_char, sp.end_char, sp.text, nominative_phrase(lang, sp.text)))
    for start, end, text, canonical in sorted(mentions):
        cand, _ = resolve(lang, canonical, text)
        if cand is not None:
            found.append((_M(start, end, text, canonical), cand))
    # Countries and regions the article names settle which of two same-named towns it means.
    regions = {c.admin1 for _, c in found if c.feature == "region" and c.admin1}
    tally: dict[str, int] = {}
    for _, c in found:
        if c.country_code:
            tally[c.country_code] = tally.get(c.country_code, 0) + 1
    countries = sorted(tally, key=lambda cc: -tally[cc])
    out: list[Place] = []
    for e, cand in found:
        cand, basis = _in_context(lang, e.canonical, e.text, regions, countries, cand)
        out.append(Place(
            text=e.text, start=e.start, end=e.end, name=cand.name, geonames_id=cand.geonames_id,
            feature=cand.feature, country_code=cand.country_code, admin1=cand.admin1,
            lat=cand.lat, lon=cand.lon, sentence=sentence_of(doc, e.start),
            kind=KINDS.get(cand.feature, cand.feature), basis=basis if cand.feature == "city" else "alias",
        ))
    return out


@component("places", langs=CYRILLIC)
def load(lang: str):
    def places(ctx) -> list[Place]:
        return find_places(ctx, lang)

    return places
