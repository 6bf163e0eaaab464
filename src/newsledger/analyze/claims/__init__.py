"""Claims: the events a text states, who does them to whom, where, when,
how firmly, and on whose word.

A claim is anchored on a trigger found with the dependency parse: a verb or
noun lemma, or a multi-word phrase, from ``data/triggers.json`` (documented
in ``data/plover_mapping.md``). Types are PLOVER's sixteen event categories
plus three territorial-control types (TAKE_CONTROL, LOSE_CONTROL,
CONTESTED). Territorial triggers ("capture", "withdraw", "fighting for")
only count when their argument is a place; otherwise they fall back to a
PLOVER type ("captured soldiers" is COERCE) or to nothing.

Arguments come from the parse: subjects and "by" agents are actors, objects
and "of"/"from"/"for" complements are places or targets; possessives and
"of" complements of nominal triggers ("Seversk’s fall", "the liberation of
X"). Actor phrases are normalised to an ISO 3166-1 alpha-3 code and a sector
with ``data/actors.json`` then country names, demonyms and capitals.

When a territorial claim names no actor, the actor is inferred (confidence
0.5, ``basis`` "inferred:..." on the actor; a place carried over from the
headline is ``basis`` "inferred:context"): a capture framed as "liberation"
is credited to the publishing outlet's country when known; otherwise to the actor of another claim about the same
place, else to the military actor the article mentions most.

Modality, in order of precedence: questioned ("?" or "whether"), conditional
(an "if"/"unless" clause), denied (negation, "no ...", a complement of
"deny", or a disowned report: "rejected claims that", "no truth to reports
that", "fakes about"; the denier joins ``attributions`` with role "denies";
whoever spreads the "fakes" asserts, never denies), attempted ("tried to
storm X", "failed to seize X", "an offensive to capture X stalled": the
dependency patterns of ``data/claim_patterns.json``), reported (under a
claim noun: "Russian claims that the town has been captured"), predicted
(will/would/may/could, "is expected to", "plans to"...), else asserted. A
conditional coercive or violent act ("if ..., we will take it by force") is a
THREATEN claim; an act inside the condition itself is not.

Precision rules for territorial types (issue 10): the place slot only ever
holds a place (never an organisation or body: "the General Staff"; an "of"
complement of an object names a place only after a part or place word); a
fight in or near X is ASSAULT, CONTESTED needs control at stake ("fighting
for X", "the front line runs through X", "control half of X"); a
destination is not the place given up ("pulled back towards X"); driving
civilians out of X, people surrendering in X and the purpose clause of a
movement verb ("troops were sent to defend X") change no control.

"we"/"our" inside a quote is the speaker's side (speaker descriptor, name,
apposition); failing that, for military claims, the outlet's country at
confidence 0.4. Armed actors without a nationality take the country of the
claim's place (ACLED's convention for non-state groups). See
``data/plover_mapping.md``.

``attributions`` (each with a role: asserts | denies | reports): the outlet
and the speaker of any quote overlapping the sentence (from the quotes
component, or when it produced nothing, the subject of a speech verb of
``data/speech_cues.json`` in the sentence, or the previous sentence's
speaker for a quote that runs on). Speakers and the outlet's own voice
assert a claim, deny a denied one and report a reported one; the outlet
only reports a claim inside a direct quote, unless the quote denies it.

Package layout: ``patterns`` (triggers and dependency patterns),
``arguments`` (places, actors), ``modality``, ``attribution``,
``inference`` (inferred fields, each with ``basis``), ``vocab`` (the word
lists of ``data/claim_vocabulary.json``), ``actors``, ``syntax``.

Dates: the first date expression in the sentence, resolved against the
publication date (``dates.py``); failing that, narrated past events
(asserted, denied, attempted or reported, past tense) get the publication date as an upper bound
with ``date_text`` None and the claim's confidence lowered by 0.1.

Confidence: 0.8 for verb and phrase triggers, 0.7 for nouns; 0.1 less for a
publication-date fallback or an anaphoric place; at most 0.5 with an
inferred actor; at most 0.3 when nothing grounds the claim (no coded actor,
coded target or place), which filters most off-topic matches.

Claims within a sentence are ordered main clause first (by parse depth),
so the first claim of a sentence is its main event. At most one claim per
type and sentence is kept (the one with the most arguments). A sentence
whose parse trips a rule is skipped with a logged warning, never the batch.

Claim types keep modality separate; ``plover_category`` converts a claim
to the category PLOVER itself would assign (see ``data/plover_mapping.md``).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, Optional

from ...schema import Actor, Claim, Mention
from ..dates import find_date
from ..pipeline import component
from .actors import actor_table, iso3_of_iso2, normalize_actor
from .arguments import (_actor_of, _claim_place, _clause_owner, _clause_place, _controls_a_non_place, _first_person,
                        _place_args)
from .attribution import _attribution, _denier_attribution, _outlet, _sentence_speakers
from .inference import _infer_actor, _link_anaphoric_places
from .modality import _in_condition, _modality
from .patterns import Triggers, _find_triggers, _Trig, claim_patterns, pattern_effects, triggers
from .syntax import (_children, _depth, _Doc, _entities, _governing_verb, _particle, _prep_objs, _quoted_spans,
                     _subject)
from .vocab import (ARMED_SECTORS, COOPERATIVE, DENIAL_VERBS, DESTINATION_PREPS, FIRST_PERSON_GUESS_CONFIDENCE,
                    HALT_VERBS, LIGHT_VERBS, LOCATIVE_PREPS, MILITARY_TYPES, PART_WORDS, PARTIAL_WORDS, PROTEST_COERCE,
                    SPEECH_TYPES, STREET_PROTEST, TERRITORIAL, THREAT_CONVERTIBLE, UNARMED_SECTORS, UNGROUNDED_CONFIDENCE,
                    UNIT_NOUNS)

__all__ = ["TERRITORIAL", "actor_table", "extract_claims", "iso3_of_iso2", "load", "normalize_actor", "plover_category",
           "triggers"]
log = logging.getLogger(__name__)


def _claim_for(d: _Doc, tr: _Trig, sent) -> Optional[tuple[Claim, int]]:
    t = tr.tok
    spec = tr.spec
    places = _place_args(d, tr)
    prt = _particle(t) if tr.kind == "verb" else None
    if spec.get("particle") and prt not in spec["particle"]:
        return None
    if spec.get("place") in ("LOSE_CONTROL", "TAKE_CONTROL") or spec.get("type") == "LOSE_CONTROL":
        # "pulled back towards the capital", "was taken to hospital": a destination is not the place
        # given up or taken (unless the trigger says so: "advanced into X")
        keep = set(spec.get("prep_type") or ())
        places = [p for p in places if not (p.dep_ == "pobj" and p.head.lower_ in DESTINATION_PREPS
                                            and p.head.lower_ not in keep
                                            and not tr.start <= p.head.idx < tr.end)]  # "broke into X"
    blocked = spec.get("blocked_by", ())
    if tr.kind == "verb" and any(
            c.lower_ in blocked or (c.dep_ == "prt" and "prt:" + c.lower_ in blocked) for c in t.children
            if c.dep_ in ("prt", "prep", "acomp", "oprd", "advmod", "dobj", "attr")):
        # "fell ill", "falls into the category", "took to Instagram", "taking it seriously"
        places = []
    if spec.get("direct") and not any(p.dep_ in ("dobj", "nsubjpass") for p in places):
        # without a place object a locative is only where it happened ("lost to Al Ahly in Cairo");
        # with one it says where the object is ("left positions in Krynky")
        places = [p for p in places if p.dep_ == "pobj" and (p.head.lower_ in ("of", "over") or p.head.head != t)]
    objs = _children(t, "dobj") if tr.kind in ("verb", "phrase") else []
    if tr.kind == "verb":
        # the patient of a passive or a participle: "suspects were captured in X", "weapons seized in X"
        objs += [o for o in _children(t, "nsubjpass") if o not in places]
        if spec.get("subject_patient"):
            objs += [o for o in _children(t, "nsubj") if o not in places]
        if t.dep_ == "acl" and t.tag_ == "VBN" and t.head not in places:
            objs.append(t.head)
    if places and not spec.get("type") and not spec.get("enemy_object") and objs and not any(
            o.lower_ == "it" for o in objs) and all(
            p.dep_ == "pobj" and p.head.lower_ in LOCATIVE_PREPS for p in places):
        # "captured twelve soldiers near X": the object is not a place; X is only where it happened
        typ = spec.get("other")
    else:
        typ = spec.get("type") or (spec.get("place") if places else spec.get("other"))
    if spec.get("control_preps") and places and not any(
            p.dep_ == "pobj" and p.head.lower_ in spec["control_preps"] for p in places):
        # "clashed near X", "fighting in X": a fight located in a place; control is at stake only in
        # a fight for or over it
        typ = spec.get("other")
    if places and prt and prt in (spec.get("particle_type") or {}):
        typ = spec["particle_type"][prt]
    if typ in TERRITORIAL and tr.kind == "verb" and not spec.get("type") and not spec.get("enemy_object"):
        moved = [o for o in _children(t, "dobj") if o not in places and o.lower_ not in PART_WORDS | PARTIAL_WORDS]
        if moved and moved[0].lower_ not in ("them", "him", "it") and (
                (_actor_of(moved[0]) or Actor("")).sector not in ARMED_SECTORS):
            # "drove aid workers out of X", "evacuated patients from X", "withdrew its ambassador from X":
            # people or things moved, not a force; no one's control of X changes
            typ = spec.get("other") if not prt else None
            if not typ:
                return None
    if tr.kind == "phrase" and typ in TERRITORIAL and _controls_a_non_place(d, tr):
        return None  # "lost control of the ruling coalition"
    if _dropped_by_pattern(d, t, typ):
        return None  # "a brigade was formed to defend the front": a stated purpose, no event
    if typ == "TAKE_CONTROL" and spec.get("partial_type") and (
            any(o.lower_ in PARTIAL_WORDS for o in _children(t, "dobj"))
            or any(c.lower_ in ("partly", "partially") for c in t.children)):
        typ = spec["partial_type"]  # "control about half of X", "partly controlled": the fight goes on
    if places and places[0].dep_ == "pobj" and places[0].head.lower_ in (spec.get("prep_type") or {}):
        typ = spec["prep_type"][places[0].head.lower_]
    passive_loser = None
    if places and spec.get("passive_type") and _children(t, "nsubjpass") and not _children(t, "agent"):
        typ = spec["passive_type"]
        passive_loser = _children(t, "nsubjpass")[0]
    if not typ:
        return None
    all_places = places
    if typ not in TERRITORIAL:
        # only locatives: the object of "accused Moscow" or "pledged ... to Ukraine" is a target, not a place
        places = [p for p in places if (p.pos_ == "PROPN" or d.place_at(p.idx, p.idx + len(p)))
                  and p.dep_ == "pobj" and p.head.lower_ in LOCATIVE_PREPS]
    actor = target = None
    if passive_loser is not None:
        actor = _actor_of(passive_loser)
    elif tr.kind == "verb":
        if t.lemma_.lower() == "fall":
            actor = next((_actor_of(o) for p, o in _prep_objs(t, "to")), None)
        else:
            actor = next((_actor_of(o) for p, o in _prep_objs(t, "by")), None)
            participle = t.tag_ == "VBN" and t.dep_ in ("advcl", "acl") and not _children(t, "aux", "auxpass")
            subj = None if actor is not None or participle else _subject(t)
            if actor is None and subj is not None and not (places and subj == places[0]):
                actor = _actor_of(subj)
        objs = [o for o in _children(t, "dobj", "nsubjpass") if not places or o != places[0]]
        objs += [o for p, o in _prep_objs(t, "against", "on", "at", "with", "to")]
        for o in objs:
            target = _actor_of(o)
            if target is not None and target.code:
                break
            target = None
    elif tr.kind == "noun":
        by = [o for p, o in _prep_objs(t, "by")]
        if not by and t.lemma_.lower() == "fall":
            by = [o for p, o in _prep_objs(t, "to")]  # "the fall of Goma to M23 rebels"
        if by:
            actor = _actor_of(by[0])
        else:
            for c in t.children:
                if c.dep_ == "poss" and c.lower_ in ("its", "their"):
                    # "the army said it had completed its withdrawal": the owner is the clause's subject
                    # The actor is the owner's own mention: "its" alone tells a reader nothing.
                    owner = _clause_owner(c)
                    if owner is not None:
                        owner.basis = "inferred:context"
                        actor = owner
                        break
                if c.dep_ in ("amod", "compound", "poss") and c not in places:
                    a = normalize_actor(c.text, c.idx, c.idx + len(c))
                    if a is not None and a.code:
                        actor = a
                        break
                    if c.dep_ == "poss" and c.pos_ != "PRON":
                        # "the army's withdrawal": an armed owner without a nationality is still the actor
                        a = _actor_of(c)
                        if a is not None and a.sector in ARMED_SECTORS:
                            a.text = re.sub(r"\s*['’]s$", "", a.text)
                            a.end = a.start + len(a.text)
                            actor = a
                            break
        if actor is None:
            v = _governing_verb(t)
            if v is not None and t.dep_ in ("dobj",) and v.lemma_.lower() in LIGHT_VERBS | {"launch"}:
                actor = _actor_of(_subject(v))
        tgt = [o for p, o in _prep_objs(t, "against", "on", "of") if o not in places]
        if tgt:
            target = _actor_of(tgt[0])
            if target is not None and not target.code:
                target = None
    else:
        v = t if t.pos_ in ("VERB", "AUX") else _governing_verb(t)
        if v is not None:
            subj = _subject(v)
            if subj is not None and not (places and subj == places[0]) and subj.idx < tr.start:
                actor = _actor_of(subj)
    military = typ in TERRITORIAL or typ in MILITARY_TYPES
    actor, side_known = _first_person(d, actor, military)
    target, _ = _first_person(d, target, military)
    if actor is not None and actor.code is None and actor.sector is None:
        actor = None if typ in TERRITORIAL else actor
    if typ in TERRITORIAL and spec.get("armed_only") and (actor is None or actor.sector not in ARMED_SECTORS):
        typ = spec.get("other")  # "thousands marched into the capital" is a protest march
        if not typ:
            return None
    if typ in TERRITORIAL and spec.get("party_only") and not _party_named(t, actor, objects=False):
        # "he left Microsoft", "Kentucky's loss to Miami": only a state or an armed force loses ground
        typ = spec.get("other") if not spec.get("type") else None
        if not typ:
            return None
    if typ in TERRITORIAL and not places and not _party_named(t, actor):
        return None  # "the minister is under fire", "attacks are repelled by HDL": no place, no party
    if typ in TERRITORIAL and actor is not None and actor.sector in UNARMED_SECTORS:
        # "farmers left the city", "the company withdrew from the market": no one's control changes
        typ = spec.get("other") if not spec.get("type") else typ
        if not typ:
            return None
    lemma = t.lemma_.lower()
    if typ == "COERCE" and lemma in PROTEST_COERCE and actor is not None and actor.sector in ("civilian", "opposition"):
        typ = "PROTEST"
    elif typ == "PROTEST" and actor is not None and actor.code and actor.sector in ("government", None) \
            and lemma not in STREET_PROTEST:
        typ = "ACCUSE"  # a government's or organisation's protest is diplomatic (PLOVER: ACCUSE)
    elif typ in COOPERATIVE and tr.kind == "noun":
        v = _governing_verb(t)
        if v is not None and v.lemma_.lower() in HALT_VERBS:
            typ = "SANCTION"
            actor = actor or _actor_of(_subject(v))
    if spec.get("demand"):
        clause = t.head
        actor = _actor_of(_subject(clause.head))
        target = _actor_of(next(iter(_children(clause, "nsubj", "nsubjpass")), None))
    modality = _modality(t, sent, d.effects)
    if modality == "attempted" and spec.get("attempt_type") and all_places:
        typ, places = spec["attempt_type"], all_places  # "tried to storm X" is an attempt to take X
    if modality == "conditional" and typ in THREAT_CONVERTIBLE and not _in_condition(t):
        typ = "THREATEN"  # the promised consequence, not the condition ("unless Israel rescinds its annexation")
    confidence = 0.8 if tr.kind != "noun" else 0.7
    if side_known is False:
        confidence = FIRST_PERSON_GUESS_CONFIDENCE
    place = _claim_place(d, places[0]) if places else _clause_place(d, t, sent, actor, target)
    # the parser's sentence keeps trailing spaces and paragraph breaks; the claim's span does not
    raw = sent.text
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    claim = Claim(type=typ, start=sent.start_char + lead, end=sent.start_char + lead + len(text), sentence=text,
                  actor=actor,
                  target=target, place=place, modality=modality,
                  trigger=Mention(d.text[tr.start:tr.end], tr.start, tr.end), confidence=confidence)
    return claim, _depth(t)


def _party_named(t, actor, objects: bool = True) -> bool:
    """A state or armed party to a territorial claim: its actor, or the phrase it acts on or is
    said of ("a Russian assault ... was repelled")."""
    if actor is not None and (actor.code or actor.sector in ARMED_SECTORS):
        return True
    # "units evacuated from X" read as a participle: the noun it modifies is the party
    for c in [*t.children, *([t.head] if t.dep_ == "acl" else [])]:
        if c.dep_ in (("nsubj", "nsubjpass", "dobj") if objects else ("nsubj",)) or c == t.head:
            a = normalize_actor(" ".join(x.text for x in c.subtree))
            if a is not None and (a.code or a.sector in ARMED_SECTORS):
                return True
    return False


def _dropped_by_pattern(d: _Doc, tok, typ: str) -> bool:
    """A dependency pattern drops this type here (data/claim_patterns.json)."""
    return any(typ in e.get("drop_types", ()) for e in d.effects.get(tok.i, ()))


def _skip_embedded(tr: _Trig, by_tok: dict[int, _Trig], demands: list) -> bool:
    """Complements of speech acts and objects of light verbs are part of the outer claim."""
    t = tr.tok
    if not tr.spec.get("demand") and any(t == clause or clause in t.ancestors for clause in demands):
        return True  # the content of a demand
    node, hops = t, 0
    while node.head != node and hops < 4:
        parent = by_tok.get(node.head.i)
        if parent is not None and parent is not tr:
            ptype = parent.spec.get("type")
            if (node.dep_ in ("xcomp", "ccomp") and ptype in SPEECH_TYPES
                    and parent.tok.lemma_.lower() not in DENIAL_VERBS):
                return True
            if node.dep_ == "prep" and ptype in SPEECH_TYPES and t.dep_ == "pcomp":
                return True  # "accused Moscow of attacking ships": the content of the accusation
        if node.dep_ not in ("xcomp", "ccomp", "aux", "prep", "pobj", "pcomp"):
            break
        node, hops = node.head, hops + 1
    return False


def _light_verb_dropped(tr: _Trig, nouns_by_head: dict[int, list[_Trig]]) -> bool:
    return tr.kind == "verb" and tr.tok.lemma_.lower() in LIGHT_VERBS and bool(nouns_by_head.get(tr.tok.i))


def _sentence_claims(d: _Doc, sent, trig: Triggers, outlet, order: int) -> None:
    ctx = d.ctx
    found = _find_triggers(sent, trig)
    if not found:
        _sentence_speakers(d, sent)
        return
    by_tok = {tr.tok.i: tr for tr in found}
    nouns_by_head: dict[int, list[_Trig]] = {}
    for tr in found:
        if tr.kind == "noun" and tr.tok.dep_ == "dobj":
            nouns_by_head.setdefault(tr.tok.head.i, []).append(tr)
    # "analysts warned (that) Russia could seize X": a warning about someone else's act reports it
    for tr in list(found):
        if tr.kind == "verb" and tr.spec.get("type") == "THREATEN":
            comp = _children(tr.tok, "ccomp")
            if comp and _children(comp[0], "nsubj", "nsubjpass") and comp[0].i in by_tok:
                found.remove(tr)
                del by_tok[tr.tok.i]
    demands = [tr.tok.head for tr in found if tr.spec.get("demand")]
    speakers = _sentence_speakers(d, sent)
    per_type: dict[str, Claim] = {}
    for tr in found:
        if _skip_embedded(tr, by_tok, demands) or _light_verb_dropped(tr, nouns_by_head):
            continue
        if tr.kind == "noun" and tr.tok.dep_ == "compound" and tr.tok.head.lemma_.lower() in UNIT_NOUNS:
            continue  # "assault groups", "attack helicopters": a kind of unit or weapon, not an event
        if tr.kind == "noun" and tr.tok.dep_ == "dobj" and tr.tok.head.i in by_tok:
            parent = by_tok[tr.tok.head.i]
            if not _light_verb_dropped(parent, nouns_by_head):
                continue  # "condemned the attack": the verb is the event reported
        res = _claim_for(d, tr, sent)
        if res is None:
            continue
        claim, depth = res
        prev = per_type.get(claim.type)
        if prev is not None and _score(prev) >= _score(claim):
            continue
        if prev is not None:
            d.claims = [x for x in d.claims if x[-1] is not prev]
        per_type[claim.type] = claim
        denier = _denier_attribution(d, tr.tok) if claim.modality == "denied" else None
        claim.attributions = _attribution(d, claim, outlet, speakers, denier)
        _set_date(ctx, claim, sent, tr.tok)
        claim.framing = _framing_terms(ctx, claim)
        d.claims.append((sent.start_char, depth, order, claim))


def extract_claims(ctx) -> list[Claim]:
    doc = ctx.doc
    if doc is None or not ctx.article.text:
        return []
    # Claims sit at toponyms: a demonym ("Russian forces") names an actor, an unresolved facility no point.
    located = [p for p in ctx.places or [] if getattr(p, "kind", None) not in ("demonym", "facility")]
    d = _Doc(ctx=ctx, text=ctx.article.text, places=located, ents=_entities(ctx),
             quoted=_quoted_spans(ctx), effects=pattern_effects(doc))
    trig = triggers()
    outlet = _outlet(ctx.article)
    for order, sent in enumerate(doc.sents):
        try:
            _sentence_claims(d, sent, trig, outlet, order)
        except Exception:  # an unanticipated parse shape must cost one sentence, not the batch
            log.warning("claims: skipped a sentence of %s", ctx.article.id, exc_info=True)
    claims = [c for *_, c in sorted(d.claims, key=lambda x: x[:3])]
    for c in claims:
        if c.type in ("TAKE_CONTROL", "LOSE_CONTROL") and c.actor is None:
            c.actor = _infer_actor(d, c)
            if c.actor is not None:
                c.confidence = min(c.confidence, 0.5)
    _link_anaphoric_places(d, claims)
    for c in claims:
        if (c.actor is not None and c.actor.code is None and c.actor.sector in ARMED_SECTORS
                and c.place is not None and c.place.country_code):
            # "rebels captured Sittwe": an armed group with no nationality is coded by the country it fights
            # in (ACLED's convention for non-state actors), a guess, hence the lower confidence
            code = iso3_of_iso2(c.place.country_code)
            if code:
                c.actor.code = code
                c.actor.basis = "inferred:place-country"
                c.confidence = round(c.confidence - 0.1, 2)
    for c in claims:
        if not ((c.actor and c.actor.code) or (c.target and c.target.code) or c.place):
            # nothing ties the event to a known actor or place: on PLOVER's gold sentences only a
            # third of these are right (two thirds of grounded ones are), and off-topic news is full of them
            c.confidence = min(c.confidence, UNGROUNDED_CONFIDENCE)
    return claims


def _score(c: Claim) -> int:
    return (c.actor is not None and c.actor.code is not None) * 2 + (c.place is not None) + (c.target is not None)


def _set_date(ctx, claim: Claim, sent, tok) -> None:
    found = find_date(sent.text, ctx.article.published, future=claim.modality in ("predicted", "conditional"))
    if found:
        claim.date, claim.date_text = found[0], found[1]
        return
    if claim.modality in ("asserted", "denied", "attempted", "reported") and ctx.article.published:
        # a nominal trigger takes the tense of its clause ("the capture of X was ..." but not "... is")
        verb = tok if tok.pos_ in ("VERB", "AUX") else _governing_verb(tok)
        past = verb is not None and (verb.tag_ in ("VBD", "VBN") or any(
            c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBD", "VBZ") and c.lower_ in ("was", "were", "had", "has")
            for c in verb.children))
        if past:
            claim.date = ctx.article.published[:10]
            claim.confidence = round(claim.confidence - 0.1, 2)


def _framing_terms(ctx, claim: Claim) -> list[str]:
    spans = [(claim.trigger.start, claim.trigger.end)] if claim.trigger else []
    for a in (claim.actor, claim.target):
        if a is not None and a.start is not None:
            spans.append((a.start, a.end))
    out = []
    for f in ctx.framing or []:
        if any(f.start < e and s < f.end for s, e in spans) and f.term not in out:
            out.append(f.term)
    return out


def plover_category(claim: Claim) -> str:
    """The claim as PLOVER would code it (for comparison with PLOVER-coded data).

    PLOVER folds modality into the category: a stated intention to cooperate
    is AGREE, an announced future retreat is CONCEDE, a stated future
    coercive act is THREATEN, a failed or refused agreement is REJECT.
    Territorial types map to the act PLOVER records: gaining or fighting for
    ground is ASSAULT, giving it up is RETREAT.
    """
    typ, mod = claim.type, claim.modality
    if typ in ("TAKE_CONTROL", "CONTESTED"):
        typ = "ASSAULT"
    elif typ == "LOSE_CONTROL":
        typ = "RETREAT"
    if mod in ("predicted", "conditional"):
        if typ == "RETREAT":
            return "CONCEDE"
        if typ in ("SUPPORT", "AID", "COOPERATE", "CONSULT"):
            return "AGREE"
        if typ in ("COERCE", "SANCTION") or (typ == "ASSAULT" and mod == "conditional"):
            return "THREATEN"
    if mod == "denied" and typ == "AGREE":
        return "REJECT"
    return typ


@component("claims")
def load() -> Callable[[Any], list[Claim]]:
    triggers()
    actor_table()
    claim_patterns()
    return extract_claims
