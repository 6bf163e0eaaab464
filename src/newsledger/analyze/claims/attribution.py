"""Who stands behind a claim and how: attributions with roles (asserts | denies | reports).

Speakers come from the quotes component (``ctx.quotes``); without it, from the subjects of the
speech verbs listed in ``data/speech_cues.json`` (shared with quotes)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ...schema import Attribution, Claim, Mention
from .actors import normalize_actor
from .syntax import _Doc, _span, _children
from .modality import _denier
from .vocab import ORG_WORDS, PRONOUNS, REPORTING

SPEAKER_KINDS = ("person", "organization", "institution")


def _speaker_kind(d: _Doc, name: str) -> str:
    for s, e, label, text in d.ents:
        if text == name or name in text:
            if label == "PERSON":
                return "person"
            if label in ("ORG", "GPE", "NORP"):
                return "organization"
    act = normalize_actor(name)
    if ORG_WORDS.search(name) or (act is not None and act.code and " " not in name.strip()):
        return "organization"
    return "person"


def _fallback_speaker(d: _Doc, sent) -> Optional[Attribution]:
    for t in sent:
        if t.lemma_.lower() in REPORTING and t.pos_ == "VERB":
            for s in _children(t, "nsubj"):
                if s.lower_ in ("he", "she"):
                    prev = [x for x in d.ents if x[2] == "PERSON" and x[1] <= s.idx]
                    if prev:
                        name = _full_name(d, prev[-1][3])
                        return Attribution(name=name, kind="person", mention=Mention(s.text, s.idx, s.idx + len(s)))
                    continue
                if s.lower_ in PRONOUNS:
                    continue
                ent = d.ent_at(s.idx, s.idx + len(s), {"PERSON", "ORG"})
                if ent:
                    name = _full_name(d, ent[3])
                    m = Mention(ent[3], ent[0], ent[1])
                else:
                    sp = _span(s, limit=6)
                    name, m = sp.text, Mention(sp.text, sp.start_char, sp.end_char)
                return Attribution(name=name, kind=_speaker_kind(d, name), mention=m)
    low = sent.text.lower()
    i = low.find("according to ")
    if i >= 0:
        rest = sent.text[i + 13:]
        head = re.split(r"[,.;:”\"]", rest, maxsplit=1)[0]
        name = head.strip()
        if name:
            s = sent.start_char + i + 13 + len(head) - len(head.lstrip())
            return Attribution(name=name, kind=_speaker_kind(d, name), mention=Mention(name, s, s + len(name)))
    return None


def _denier_attribution(d: _Doc, tok) -> Optional[Attribution]:
    subj = _denier(tok)
    if subj is None or subj.lower_ in PRONOUNS:
        return None
    ent = d.ent_at(subj.idx, subj.idx + len(subj), {"PERSON", "ORG", "GPE", "NORP"})
    if ent and ent[2] == "PERSON":
        name, m = _full_name(d, ent[3]), Mention(ent[3], ent[0], ent[1])
    else:
        sp = _span(subj, limit=6)
        name, m = sp.text, Mention(sp.text, sp.start_char, sp.end_char)
    return Attribution(name=name, kind=_speaker_kind(d, name), mention=m)


def _full_name(d: _Doc, name: str) -> str:
    """'Korotchenko' -> 'Igor Korotchenko' when the article names him in full (entities give canonical names)."""
    for e in d.ctx.entities or []:
        if e.label == "PERSON" and e.canonical and (e.text == name or e.canonical == name):
            return e.canonical
    best = name
    for s, e, label, text in d.ents:
        if label == "PERSON" and len(text) > len(best) and text.split()[-1] == name.split()[-1]:
            best = text
    return best


def _sentence_speakers(d: _Doc, sent) -> list[Attribution]:
    s, e = sent.start_char, sent.end_char
    out: list[Attribution] = []
    if d.ctx.quotes:
        for q in d.ctx.quotes:
            if q.start < e and s < q.end and q.speaker:
                if not any(a.name == q.speaker for a in out):
                    # the quotes component knows institutions ("Moscow", "the ministry") from its own cues
                    kind = q.speaker_kind if q.speaker_kind in SPEAKER_KINDS else _speaker_kind(d, q.speaker)
                    out.append(Attribution(name=q.speaker, kind=kind, mention=q.speaker_mention))
        return out
    sp = _fallback_speaker(d, sent)
    if sp is not None:
        d.last_speaker = sp
        return [sp]
    # A quotation that runs on from the previous sentence keeps its speaker.
    if d.last_speaker is not None and any(qs < e and s < qe for qs, qe in d.quoted):
        return [d.last_speaker]
    d.last_speaker = None
    return []


def _outlet(article) -> Optional[Attribution]:
    name = article.source.name or article.source.domain
    return Attribution(name=name, kind="outlet") if name else None


def _attribution(d: _Doc, claim: Claim, outlet, speakers, denier) -> list[Attribution]:
    """Who stands behind the claim, and how.

    Speakers assert it (deny it when the claim is denied, report it when it is only reported); a
    named denier denies it. The outlet asserts or denies what it says in its own voice (as its
    speakers do); a direct quote it only reports, unless the quote is a denial: publishing its
    source's rebuttal puts the outlet on the denying side of the claim."""
    role = {"denied": "denies", "reported": "reports"}.get(claim.modality, "asserts")
    voices = [replace(a, role=role) for a in speakers]
    if denier is not None and all(a.name != denier.name for a in voices):
        voices.append(replace(denier, role="denies"))
    quoted = claim.trigger is not None and d.in_quote(claim.trigger.start)
    if outlet is None:
        return voices
    if quoted and voices:
        return [replace(outlet, role="denies" if role == "denies" else "reports")] + voices
    return [replace(outlet, role=role)] + voices
