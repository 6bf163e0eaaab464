"""Inferred fields, each marked with ``basis`` "inferred:..." and a lower confidence: actors of
territorial claims that name none, places carried over from the headline."""

from __future__ import annotations

import re
from typing import Optional

from ...schema import Actor, Claim
from .actors import actor_table, iso3_of_iso2
from .syntax import _Doc
from .vocab import TERRITORIAL, PLACE_LABELS


def _dominant_military(d: _Doc) -> Optional[Actor]:
    if d._dominant is None:
        counts: dict[str, tuple[int, str]] = {}
        for rx, code, sector in actor_table().actors:
            if sector != "military":
                continue
            for m in rx.finditer(d.text):
                n, first = counts.get(code, (0, m.group(0)))
                counts[code] = (n + 1, first)
        if counts:
            code, (n, text) = max(counts.items(), key=lambda kv: kv[1][0])
            d._dominant = Actor(text=text, code=code, sector="military")
        else:
            d._dominant = False
    return d._dominant or None


def _infer_actor(d: _Doc, claim: Claim) -> Optional[Actor]:
    framed = [f for f in d.ctx.framing if f.category == "capture"
              and claim.trigger and f.start < claim.trigger.end and claim.trigger.start < f.end]
    if framed and claim.type == "TAKE_CONTROL":
        code = iso3_of_iso2(d.ctx.article.source.country)
        if code:
            dem = actor_table().demonym.get(code)
            return Actor(text=f"{dem} forces" if dem else f"{code} forces", code=code, sector="military",
                         basis="inferred:outlet-country")
    if claim.place is not None:
        for *_, other in d.claims:
            if (other.type == claim.type and other.actor and other.actor.code and other.place
                    and other.place.name and other.place.name == claim.place.name):
                return Actor(text=other.actor.text, code=other.actor.code, sector=other.actor.sector,
                             basis="inferred:context")
    if claim.type == "TAKE_CONTROL":
        dom = _dominant_military(d)
        if dom is not None:
            return Actor(text=dom.text, code=dom.code, sector=dom.sector, basis="inferred:context")
    return None


# A definite singular place description that names nothing: "the city", "this strategic town".
_ANAPHOR = re.compile(r"(?i)^(?:the|this|that)\b(?!.*\b(?:\w+s)$)")


def _link_anaphoric_places(d: _Doc, claims: list[Claim]) -> None:
    """'the strategic city' -> the place the headline (or another claim) names."""
    named = [c.place for c in claims if c.place and c.place.name]
    topic = (d.ctx.article.title or "") + " " + (d.ctx.article.description or "")
    topic_places = []
    pool = [(p.text, p) for p in d.places] + [(n.text, n) for n in named]
    pool += [(t, None) for s, e, label, t in d.ents if label in PLACE_LABELS]
    for text, obj in pool:
        if text and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", topic):
            topic_places.append((text, obj))
    for c in claims:
        if c.type not in TERRITORIAL or c.place is None or c.place.name or not _ANAPHOR.match(c.place.text):
            continue
        pick = topic_places[0] if topic_places else ((named[0].text, named[0]) if named else None)
        if pick is None:
            continue
        text, obj = pick
        name = getattr(obj, "name", None) or text
        c.place.name = name
        c.place.basis = "inferred:context"
        for attr in ("geonames_id", "country_code", "lat", "lon"):
            if obj is not None and hasattr(obj, attr):
                setattr(c.place, attr, getattr(obj, attr))
        c.confidence = round(c.confidence - 0.1, 2)
