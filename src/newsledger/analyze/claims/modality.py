"""How firmly a claim is stated: questioned, conditional, denied, attempted, reported, predicted
or asserted (in that order of precedence), and who denies it."""

from __future__ import annotations

from .syntax import _governing_verb, _subject
from .vocab import (CLAIM_DENIAL_VERBS, CLAIM_NOUNS, DENIAL_VERBS, FALSE_ADJ, FALSEHOOD_NOUNS, FUTURE_AUX, FUTURE_HEADS,
                    REPORTED_ADVERBS)


def _chain(tok):
    chain, node, hops = [tok], tok, 0
    while node.dep_ in ("xcomp", "conj", "dobj", "pobj", "prep", "nsubj", "nsubjpass", "compound", "amod", "acomp",
                        "poss", "attr", "pcomp") and node.head != node and hops < 8:
        node, hops = node.head, hops + 1
        chain.append(node)
    return chain


def _in_condition(tok) -> bool:
    return any(node.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in node.children)
               for node in [tok, *tok.ancestors])


def _modality(tok, sent, effects=None) -> str:
    if sent.text.rstrip(" ”\"'’").endswith("?"):
        return "questioned"
    chain = _chain(tok)
    ancestors = list(tok.ancestors)
    for node in chain + ancestors:
        if node.lower_ == "whether" or any(c.dep_ == "mark" and c.lower_ == "whether" for c in node.children):
            return "questioned"
    for node in [tok] + ancestors:
        for c in node.children:
            if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children):
                if not (c == tok or c in tok.ancestors):
                    return "conditional"
        if node.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in node.children):
            return "conditional"
    for node in chain:
        if any(c.dep_ == "neg" or c.lower_ in ("never",) for c in node.children):
            return "denied"
        if any(c.dep_ in ("nsubj", "nsubjpass") and any(g.lower_ == "no" for g in c.children) for c in node.children):
            return "denied"
    for node in chain + ancestors:
        if node.lemma_.lower() in DENIAL_VERBS and node != tok:
            return "denied"
    if _reported_denial(tok) is not None:
        return "denied"
    if _attempted(tok, effects or {}):
        return "attempted"
    if _reported_claim(tok) is not None or any(
            c.dep_ == "advmod" and c.lower_ in REPORTED_ADVERBS for node in chain for c in node.children):
        return "reported"  # "Russian claims that X was captured", "rebels reportedly seized X"
    for node in chain:
        for c in node.children:
            if c.dep_ == "aux" and (c.lower_ in FUTURE_AUX or c.lemma_.lower() in ("will", "shall")):
                return "predicted"
        if node != tok and node.lemma_.lower() in FUTURE_HEADS:
            return "predicted"
    return "asserted"


def _attempted(tok, effects) -> bool:
    """An attempt, not an outcome ("tried to storm X", "an offensive to capture X"): data/claim_patterns.json."""
    return any(e.get("modality") == "attempted" for e in effects.get(tok.i, ()))


def _reported_claim(tok):
    """The claim noun a claim is reported under, not endorsed: "Russian claims that the town has
    been captured", "reports that rebels had entered X" (a disowned one is a denial instead)."""
    for anc in tok.ancestors:
        if anc.pos_ == "NOUN" and anc.lemma_.lower() in CLAIM_NOUNS:
            return anc
        if anc.pos_ in ("VERB", "AUX") and anc.dep_ not in ("ccomp", "acl", "relcl", "xcomp", "conj"):
            return None
    return None


def _reported_denial(tok):
    """The word that disowns a reported claim containing ``tok``: a falsehood noun ("fakes about"),
    a claim noun called false or governed by a denial verb ("rejected claims that"), or "no truth
    to reports that"."""
    for anc in tok.ancestors:
        lemma = anc.lemma_.lower()
        if anc.pos_ in ("NOUN", "PROPN") and (lemma in FALSEHOOD_NOUNS or anc.lower_ in FALSEHOOD_NOUNS):
            return anc
        if anc.dep_ == "prep" and anc.lower_ in ("about", "on", "over"):
            # "spreading propaganda about the capture": the parser may hang "about" on the verb
            for c in anc.head.children:
                if c.dep_ in ("dobj", "oprd", "attr") and (c.lemma_.lower() in FALSEHOOD_NOUNS
                                                            or c.lower_ in FALSEHOOD_NOUNS):
                    return c
        if anc.pos_ == "NOUN" and lemma in CLAIM_NOUNS:
            head = anc.head
            if any(c.dep_ == "amod" and c.lower_ in FALSE_ADJ for c in anc.children):
                return anc
            if head.lemma_.lower() in CLAIM_DENIAL_VERBS:
                return head
            if (head.lower_ == "to" and head.head.lower_ in ("truth", "basis", "substance")
                    and any(c.lower_ == "no" for c in head.head.children)):
                return head.head
    return None


def _denier(tok):
    """Who denies: the subject of the denial verb above the trigger, else of the sentence's main verb."""
    for anc in tok.ancestors:
        if anc.lemma_.lower() in CLAIM_DENIAL_VERBS and anc.pos_ == "VERB":
            return _subject(anc)
    word = _reported_denial(tok)
    if word is not None:
        root = tok.sent.root
        if word.lemma_.lower() in FALSEHOOD_NOUNS or word.lower_ in FALSEHOOD_NOUNS:
            # "the occupiers are spreading fakes about X": whoever spreads the fake asserts X; the
            # denier is whoever says so ("bloggers accused Kyiv of spreading fakes"), else the speaker
            spreader = _governing_verb(word)
            if spreader is None or spreader == root:
                return None
        return _subject(root) if root != tok else None
    return None
