"""Russian/Ukrainian claims: trigger phrases by sentence, coded like the English claims.

Each trigger (data/ru/claims.json) makes one claim in its sentence: the place is the first
resolved place after the trigger (else the nearest before it), the actor the first actor
phrase nearest before the trigger (else the first in the sentence), the target the first actor of
another side after it. Modality comes from cue words in the sentence; a claim inside a
reported quote is attributed to its speaker, one in a sentence opened by "по словам X" /
"за словами X" to X.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Optional

from ...schema import Actor, Attribution, Claim, ClaimPlace, Mention
from ..nlp import CYRILLIC
from ..pipeline import component
from .common import DATA

MODALITY_ORDER = ("denied", "conditional", "attempted", "predicted", "questioned", "reported")


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?!\w)", flags)


@lru_cache(maxsize=None)
def rules(lang: str) -> dict:
    d = json.loads((DATA / "ru" / "claims.json").read_text(encoding="utf-8"))[lang]
    return {
        "triggers": [(_rx(t["pattern"]), t) for t in d["triggers"]],
        "actors": [(_rx(a["pattern"]), a) for a in d["actors"]],
        "modality": [(m, _rx(d["modality"][m])) for m in MODALITY_ORDER if m in d["modality"]],
    }


def _triggers(lang: str, text: str) -> list[tuple[int, int, dict]]:
    taken: list[tuple[int, int]] = []
    out = []
    for rx, t in rules(lang)["triggers"]:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append((m.start(), m.end(), t))
    return sorted(out, key=lambda x: x[0])


def _actors(lang: str, text: str, base: int) -> list[Actor]:
    found: list[Actor] = []
    for rx, a in rules(lang)["actors"]:
        for m in rx.finditer(text):
            if any(f.start < base + m.end() and base + m.start() < f.end for f in found):
                continue
            found.append(Actor(text=m.group(0), code=a["code"], sector=a.get("sector"),
                               start=base + m.start(), end=base + m.end()))
    return sorted(found, key=lambda a: a.start)


def _modality(lang: str, text: str) -> str:
    for name, rx in rules(lang)["modality"]:
        if rx.search(text):
            return name
    return "asserted"


def find_claims(ctx, lang: str) -> list[Claim]:
    doc = ctx.doc
    if doc is None or not ctx.article.text:
        return []
    text = ctx.article.text
    out: list[Claim] = []
    for sent in doc.sents:
        s0, s1 = sent.start_char, sent.end_char
        stext = text[s0:s1]
        trig = _triggers(lang, stext)
        if not trig:
            continue
        actors = _actors(lang, stext, s0)
        places = [p for p in ctx.places if s0 <= p.start < s1]
        modality = _modality(lang, stext)
        seen: set[tuple] = set()
        for ts, te, t in trig:
            a, b = s0 + ts, s0 + te
            after = [p for p in places if p.start >= b]
            before = [p for p in places if p.end <= a]
            place = after[0] if after else (before[-1] if before else None)
            if "type" in t:
                typ = t["type"]
            else:
                typ = t.get("place") if place is not None else t.get("other")
            if not typ:
                continue
            # The nearest actor before the trigger is its subject far more often than the first.
            actor = next((x for x in reversed(actors) if x.end <= a), None) or next(iter(actors), None)
            target = next((x for x in actors if x.start >= b and (actor is None or x.code != actor.code)), None)
            if actor is not None and actor.end > a:
                actor = None if target is actor else actor
            key = (typ, place.name if place else None, actor.code if actor else None)
            if key in seen:
                continue
            seen.add(key)
            if typ == "CONTESTED" and place is not None and any(
                c.start == s0 and c.type in ("TAKE_CONTROL", "LOSE_CONTROL") and c.place and c.place.name == place.name
                for c in out
            ):
                continue  # "відійшли з Вугледара, щоб уникнути оточення": the change of control is the event
            claim = Claim(
                type=typ, start=s0, end=s1, sentence=stext, actor=actor, target=target, modality=modality,
                trigger=Mention(text=text[a:b], start=a, end=b),
                place=ClaimPlace(text=place.text, name=place.name, geonames_id=place.geonames_id,
                                 country_code=place.country_code, lat=place.lat, lon=place.lon,
                                 start=place.start, end=place.end) if place is not None else None,
                framing=[f.term for f in ctx.framing if s0 <= f.start < s1],
            )
            claim.attributions = _attributions(ctx, a, modality, s0)
            out.append(claim)
    return out


def _attributions(ctx, pos: int, modality: str, sent_start: int) -> list[Attribution]:
    role = {"denied": "denies", "reported": "reports"}.get(modality, "asserts")
    atts = []
    for q in ctx.quotes:
        if q.start <= pos < q.end and q.speaker:
            kind = "person" if q.speaker_kind == "person" else "organization"
            atts.append(Attribution(name=q.speaker, kind=kind, role=role, mention=q.speaker_mention))
            break
    if not atts and modality == "denied":
        # "Міністерство оборони України спростувало повідомлення про відступ": the denier is the subject.
        subj = [e for e in ctx.entities if e.label in ("PERSON", "ORG") and sent_start <= e.start and e.end <= pos]
        if subj:
            e = subj[0]
            atts.append(Attribution(name=e.canonical or e.text, kind="person" if e.label == "PERSON" else "organization",
                                    role="denies", mention=Mention(text=e.text, start=e.start, end=e.end)))
    src = ctx.article.source.name if ctx.article and ctx.article.source else None
    if src:
        atts.append(Attribution(name=src, kind="outlet", role="reports" if atts else role))
    return atts


@component("claims", langs=CYRILLIC)
def load(lang: str):
    def claims(ctx) -> list[Claim]:
        return find_claims(ctx, lang)

    return claims
