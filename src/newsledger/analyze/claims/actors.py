"""Actor phrases -> ISO 3166-1 alpha-3 code and sector (``data/actors.json``, then country names,
demonyms and capitals from countryinfo)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ...schema import Actor
from .vocab import DATA, PRONOUNS


@dataclass
class ActorTable:
    actors: list[tuple[re.Pattern, str, Optional[str]]]
    sectors: list[tuple[re.Pattern, str]]
    countries: re.Pattern
    country_code: dict[str, str]  # lowercase country name, demonym or capital -> iso3
    demonym: dict[str, str]  # iso3 -> demonym


def _words(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags)


@lru_cache(maxsize=1)
def actor_table() -> ActorTable:
    from countryinfo import all_countries

    d = json.loads((DATA / "actors.json").read_text(encoding="utf-8"))
    actors = [(_words(a["pattern"], 0 if a.get("case_sensitive") else re.IGNORECASE), a["code"], a.get("sector"))
              for a in d["actors"]]
    sectors = [(_words(s["pattern"]), s["sector"]) for s in d["sectors"]]
    names: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for c in all_countries():
        info = c.info()
        iso3 = (info.get("ISO") or {}).get("alpha3")
        if not iso3:
            continue
        cands = [info.get("name")] + [a for a in info.get("altSpellings") or [] if len(a) > 3]
        for n in cands:
            if n and n.isascii():
                names.setdefault(n.lower(), iso3)
        dem = info.get("demonym")
        if dem and dem.isascii():
            names.setdefault(dem.lower(), iso3)
            demonyms.setdefault(iso3, dem)
        caps = info.get("capital") or []
        for cap in [caps] if isinstance(caps, str) else caps:
            if cap and cap.isascii():
                names.setdefault(cap.split(" D.C.")[0].lower(), iso3)
    alts = sorted(names, key=len, reverse=True)
    # "Vietnamese-led forces" are coded with the leading country
    countries = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, alts)) + r")(?:'s|’s|-led)?(?![\w-])",
                           re.IGNORECASE)
    return ActorTable(actors, sectors, countries, names, demonyms)


def iso3_of_iso2(iso2: Optional[str]) -> Optional[str]:
    if not iso2:
        return None
    return _iso2_map().get(iso2.upper())


@lru_cache(maxsize=1)
def _iso2_map() -> dict[str, str]:
    from countryinfo import all_countries

    out = {}
    for c in all_countries():
        iso = c.info().get("ISO") or {}
        if iso.get("alpha2") and iso.get("alpha3"):
            out[iso["alpha2"]] = iso["alpha3"]
    return out


def normalize_actor(text: str, start: Optional[int] = None, end: Optional[int] = None) -> Optional[Actor]:
    """An actor phrase -> Actor with ISO3 code and sector; None for pronouns and empty phrases."""
    phrase = " ".join(text.split())
    if not phrase or phrase.lower() in PRONOUNS:
        return None
    shown = phrase
    if start is not None and end is not None:
        # a mention shows the exact text at its offsets (matching still sees
        # the collapsed phrase), without the whitespace tokens a span may end in
        start += len(text) - len(text.lstrip())
        end -= len(text) - len(text.rstrip())
        shown = text.strip()
    tab = actor_table()
    for rx, code, sector in tab.actors:
        m = rx.search(phrase)
        if m:
            # the head noun outside the matched name decides: "the Kiev regime's forces" are military
            tail = phrase[m.end():].split()
            head_sector = _sector(tail[-1]) if tail else None
            if sector == "rebel":
                head_sector = None  # "Hezbollah fighters", "M23 troops": a non-state group stays one
            return Actor(text=shown, code=code, sector=head_sector or sector or _sector(phrase), start=start, end=end)
    m = tab.countries.search(phrase)
    if m:
        code = tab.country_code[m.group(1).lower()]
        return Actor(text=shown, code=code, sector=_sector(phrase) or "government", start=start, end=end)
    return Actor(text=shown, code=None, sector=_sector(phrase), start=start, end=end)


def _sector(phrase: str) -> Optional[str]:
    for rx, sector in actor_table().sectors:
        if rx.search(phrase):
            return sector
    return None
