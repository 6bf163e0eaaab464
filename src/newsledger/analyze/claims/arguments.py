"""Claim arguments from the parse: the place slot (only ever a place), actors and targets, and
first-person actors inside quotes."""

from __future__ import annotations

import re
from typing import Optional

from ...schema import Actor, ClaimPlace
from .actors import actor_table, iso3_of_iso2, normalize_actor
from .patterns import _Trig
from .syntax import _children, _Doc, _governing_verb, _prep_objs, _span
from .vocab import (BODY_WORDS, LOCATIVE_PREPS, NOT_PLACE_ENTS, PART_WORDS, PLACE_HEADS, PLACE_LABELS, PRONOUNS,
                    SETTLEMENT_HEADS, TERRITORIAL, TIME_WORDS)


def _is_place(d: _Doc, tok) -> bool:
    if tok.ent_type_ in NOT_PLACE_ENTS or tok.lower_ in TIME_WORDS:
        return False
    sp = _span(tok)
    if d.place_at(tok.idx, tok.idx + len(tok)):
        return True
    if _names_a_body(d, tok):
        return False
    if tok.lower_ in PLACE_HEADS or tok.lemma_.lower() in PLACE_HEADS:
        return True
    if tok.lower_ in PART_WORDS:
        inner = _place_token(tok)
        return inner != tok and _is_place(d, inner)
    if d.ent_at(tok.idx, tok.idx + len(tok), PLACE_LABELS):
        return True
    if tok.pos_ == "PROPN" or (tok.dep_ in ("advmod", "npadvmod") and tok.is_title and tok.is_alpha):
        act = normalize_actor(sp.text)
        # Unknown proper names after a territorial trigger are mostly toponyms the small model mislabels.
        return act is None or act.code is None or act.text.lower() in actor_table().country_code
    return False


def _names_a_body(d: _Doc, tok) -> bool:
    """"the General Staff", "the National Security Council": a headquarters, organisation or group
    named by its own words is never the place of a claim (a building is: "the council building")."""
    if tok.lemma_.lower() in PLACE_HEADS or tok.lower_ in PLACE_HEADS:
        return False
    name = " ".join(t.text for t in tok.subtree if t.dep_ in ("compound", "amod") or t == tok)
    ent = d.ent_at(tok.idx, tok.idx + len(tok), {"ORG"})
    return bool(BODY_WORDS.search(ent[3] if ent else name))


def _place_token(tok):
    """'the village of X' -> X; otherwise the token itself."""
    if tok.lower_ in PART_WORDS:
        for p, o in _prep_objs(tok, "of"):
            return _place_token(o)
        for c in tok.children:
            if c.dep_ == "poss" and c.pos_ == "PROPN":
                return c  # "Avdiivka's southern flank"
    if tok.lower_ in PLACE_HEADS or tok.lemma_.lower() in PLACE_HEADS:
        for p, o in _prep_objs(tok, "of"):
            if o.pos_ == "PROPN":
                return o
        for c in tok.children:
            if c.dep_ in ("appos", "compound") and c.pos_ == "PROPN" and c.ent_type_ not in ("NORP",):
                # "the town Kupiansk" / "Pokrovsk city" name the place directly
                if c.dep_ == "appos" or c.i > tok.i - 2:
                    return c if c.dep_ == "appos" else tok
    return tok


def _claim_place(d: _Doc, tok) -> ClaimPlace:
    tok = _place_token(tok)
    sp = _span(tok)
    # Only a place the head word names: "the strategic Donbass city" is a city, not the Donbas;
    # but "Kherson city" names the city Kherson.
    p = d.place_at(tok.idx, tok.idx + len(tok))
    if p is None and tok.lower_ in SETTLEMENT_HEADS:
        for c in tok.children:
            if c.dep_ == "compound":
                q = d.place_at(c.idx, c.idx + len(c))
                if q is not None and q.feature == "city":
                    p = q
    if p is not None:
        return ClaimPlace(text=p.text, name=p.name or p.text, geonames_id=p.geonames_id,
                          country_code=p.country_code, lat=p.lat, lon=p.lon, start=p.start, end=p.end)
    if tok.pos_ == "PROPN" or (tok.dep_ in ("advmod", "npadvmod") and tok.is_title):
        s = tok.idx
        e = tok.idx + len(tok)
        # extend over a multi-word name ("Chasiv Yar")
        for c in tok.children:
            if c.dep_ == "compound" and c.pos_ == "PROPN":
                s = min(s, c.idx)
        name = d.text[s:e]
        return ClaimPlace(text=name, name=name, start=s, end=e)
    return ClaimPlace(text=sp.text, name=None, start=sp.start_char, end=sp.end_char)


def _clause_owner(tok) -> Optional[Actor]:
    """The coded subject of an enclosing clause: "Kyiv said (it / its troops / troops) ..."."""
    for anc in tok.ancestors:
        for subj in _children(anc, "nsubj"):
            if subj != tok and subj.i < tok.i and subj.lower_ not in PRONOUNS:
                sp = _span(subj, limit=8)
                owner = normalize_actor(sp.text, sp.start_char, sp.end_char)
                if owner is not None and owner.code:
                    return owner
    return None


def _actor_of(tok) -> Optional[Actor]:
    if tok is None:
        return None
    sp = _span(tok, limit=8)
    if tok.lower_ in PRONOUNS:
        if tok.lower_ in ("it", "they") and tok.dep_ in ("nsubj", "nsubjpass"):
            owner = _clause_owner(tok)
            if owner is not None:
                return Actor(text=tok.text, code=owner.code, sector=owner.sector, start=tok.idx,
                             end=tok.idx + len(tok))
        if tok.lower_ in ("we", "us"):
            return Actor(text=tok.text, start=tok.idx, end=tok.idx + len(tok))  # resolved by _first_person
        return None
    actor = normalize_actor(sp.text, sp.start_char, sp.end_char)
    if actor is not None and actor.code is None and actor.sector in ("military", "government", "police") and (
            any(t.dep_ == "poss" and t.pos_ == "PRON" for t in sp) or not any(t.dep_ == "det" for t in sp)):
        # "Kyiv denied that its troops ...", "Ukraine's commander said troops were ..."
        owner = _clause_owner(tok)
        if owner is not None:
            actor.code = owner.code
    return actor


def _place_args(d: _Doc, tr: _Trig):
    """Candidate place tokens for a trigger, most specific first."""
    t = tr.tok
    cands = []
    if tr.kind == "noun":
        cands += _children(t, "poss")
        cands += [o for p, o in _prep_objs(t, "of", "for", "over", "from", "in", "near", "around", "on")]
        if t.dep_ in ("nsubj", "nsubjpass") and t.head != t:
            # "Fighting continues for control of X", "fighting was reported around X"
            cands += [o for p, o in _prep_objs(t.head, "for", "over", "around", "in", "near", "at", "on")]
        if t.dep_ == "dobj" and (tr.spec.get("place") in TERRITORIAL or tr.spec.get("type") in TERRITORIAL):
            # "renewed their offensive on Marib": the parser hangs the place on the verb
            cands += [o for p, o in _prep_objs(t.head, "on", "for", "around", "near", "against", "to")]
        if t.dep_ == "ROOT":
            cands += _children(t, "nsubjpass")  # "Aleppo was overrun by ...": a verb the tagger read as a noun
    elif tr.kind == "verb":
        cands += _children(t, "dobj", "nsubjpass")
        cands += [o for p, o in _prep_objs(t, "from", "of", "for", "over", "in", "into", "near", "around", "on",
                                           "toward", "towards", "to", "at")]
        for obj in _children(t, "dobj"):
            # "repelled assaults near Lyman", "struck a facility in Odesa"
            # "battling rebels for the port of X"; but "captured the attention of the General Staff":
            # an "of" complement names the place only of a part or place word
            preps = ("in", "near", "around", "outside", "at", "for")
            if obj.lower_ in PART_WORDS or obj.lemma_.lower() in PLACE_HEADS or obj.lower_ in PLACE_HEADS:
                preps += ("of",)
            cands += [o for p, o in _prep_objs(obj, *preps)]
        if t.tag_ == "VBN" and not _children(t, "dobj", "aux") and t.dep_ in ("advcl", "acl", "acomp", "xcomp",
                                                                              "oprd"):
            # "Seized by Russia in 2022, the plant ...", "the plant remains occupied": the patient is a subject
            cands += _children(t.head, "nsubj", "nsubjpass") + _children(t, "nsubj")
        if t.lemma_.lower() == "fall":
            # "X fell to ...": the small model sometimes tags an unknown toponym subject as an adverb
            cands = [c for c in t.lefts if c.dep_ == "nsubj" or (c.dep_ in ("advmod", "npadvmod")
                                                                 and c.text[:1].isupper())] + cands
    else:
        v = t if t.pos_ in ("VERB", "AUX") else _governing_verb(t)
        scope = {t.i} | ({v.i} if v is not None else set())
        # objects after the phrase within its own clause ("took control of X", not "..., X said")
        cands += [x for x in t.sent if x.idx >= tr.end and x.dep_ in ("pobj", "dobj", "nsubjpass", "conj")
                  and any(a.i in scope for a in x.ancestors)]
        if v is not None:
            cands += _children(v, "dobj")  # "take Odesa by force"
        cands += [x for x in _children(t, "nsubj", "nsubjpass")]
        cands += [o for p, o in _prep_objs(t, "of", "for", "over", "from", "in", "near", "around")]
        # "the town of X remains contested": the subject may hang off a copula or auxiliary;
        # "the garrison in X fell back": the subject's location
        subjects = [x for x in t.sent if x.dep_ in ("nsubj", "nsubjpass") and x.idx < tr.start]
        cands += subjects
        for x in subjects:
            cands += [o for p, o in _prep_objs(x, "in", "at")]
    out = []
    # named places before descriptions ("their ground in Chasiv Yar" is about Chasiv Yar)
    cands.sort(key=lambda c: _place_token(c).pos_ != "PROPN" and not d.place_at(c.idx, c.idx + len(c)))
    for c in cands:
        if c.lower_ == "it" and c.dep_ in ("dobj", "nsubjpass", "pobj"):
            # "landed at Hostomel airport and took it": the nearest place before the pronoun
            c = next((x for x in reversed(list(t.sent)) if x.i < c.i and x.pos_ in ("PROPN", "NOUN")
                      and x.dep_ not in ("compound", "amod") and _is_place(d, x)), c)
        if _is_place(d, c):
            out.append(c)
    return out


def _controls_a_non_place(d: _Doc, tr: _Trig) -> bool:
    """A control phrase ("took control of", "lost control over") whose object is named and is not a place."""
    words = d.text[tr.start:tr.end].lower().split()
    if "control" not in words or words[-1] not in ("of", "over"):
        return False
    prep = next((x for x in tr.tok.sent if x.idx >= tr.start and x.idx < tr.end and x.lower_ == words[-1]), None)
    objs = _children(prep, "pobj") if prep is not None else []
    return bool(objs) and objs[0].lower_ not in ("it", "them") and not _is_place(d, objs[0])


_FIRST_PLURAL = re.compile(r"(?i)^(?:we|us|our)\b")


def _first_person(d: _Doc, actor: Optional[Actor], military: bool) -> tuple[Optional[Actor], Optional[bool]]:
    """'we'/'our troops' inside a quote -> the speaker's side. Returns the actor and whether the side
    was known (True), guessed from the outlet's country (False) or not at issue (None).

    The side is the first coded phrase among the quote's speaker descriptor, the speaker's name and
    entity descriptor, and an apposition to the speaker's mention ("Igor Konashenkov, a Russian
    Defence Ministry spokesman"). Failing that, first-person-plural military language ("we took
    the village") from a speaker of unknown nationality is credited to the outlet's country, a weak
    guess (an outlet mostly quotes its own side on its own side's gains) flagged by low confidence.
    """
    if actor is None or actor.code is not None or actor.start is None or not _FIRST_PLURAL.match(actor.text):
        return actor, None
    if d.in_quote(actor.start):
        for text in _speaker_texts(d, actor.start):
            side = normalize_actor(text)
            if side is not None and side.code:
                return Actor(text=actor.text, code=side.code, sector=actor.sector or side.sector or "government",
                             start=actor.start, end=actor.end), True
        code = iso3_of_iso2(d.ctx.article.source.country) if military else None
        if code:
            return Actor(text=actor.text, code=code, sector=actor.sector or "military", start=actor.start,
                         end=actor.end, basis="inferred:outlet-country"), False
    return (None if actor.sector is None else actor), None


def _speaker_texts(d: _Doc, pos: int) -> list[str]:
    names, mentions, out = [], [], []
    quote = next((q for q in d.ctx.quotes or [] if q.start <= pos < q.end and q.kind in ("direct", "partial")), None)
    if quote is not None:
        out.append(quote.speaker_descriptor)
        names.append(quote.speaker)
        mentions.append(quote.speaker_mention)
    elif not d.ctx.quotes and d.last_speaker is not None:
        names.append(d.last_speaker.name)
        mentions.append(d.last_speaker.mention)
    for name in filter(None, names):
        out.append(name)
        out += [e.descriptor for e in d.ctx.entities or [] if e.descriptor and name in (e.canonical, e.text)]
    doc = d.ctx.doc
    for m in filter(None, mentions):
        span = doc.char_span(m.start, m.end, alignment_mode="expand") if m.start is not None else None
        if span is not None:
            out += [" ".join(t.text for t in c.subtree) for c in span.root.children if c.dep_ == "appos"]
    return [t for t in out if t]


def _clause_place(d: _Doc, t, sent, actor, target) -> Optional[ClaimPlace]:
    """A place record inside the trigger's own clause ("a school in central Kharkiv was hit by ..."),
    never one inside the actor or target phrase or another clause ("the Kharkiv governor said")."""
    taken = [(a.start, a.end) for a in (actor, target) if a is not None and a.start is not None]
    for p in d.places:
        if not (sent.start_char <= p.start < sent.end_char) or any(s <= p.start < e for s, e in taken):
            continue
        tok = next((x for x in sent if x.idx <= p.start < x.idx + len(x)), None)
        if tok is not None and t in tok.ancestors and tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_PREPS:
            return ClaimPlace(text=p.text, name=p.name or p.text, geonames_id=p.geonames_id,
                              country_code=p.country_code, lat=p.lat, lon=p.lon, start=p.start, end=p.end)
    return None
