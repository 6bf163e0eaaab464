"""Per-article state and dependency-parse helpers shared by the claim stages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ...schema import Attribution, Claim


@dataclass
class _Doc:
    ctx: Any
    text: str
    places: list
    ents: list[tuple[int, int, str, str]]  # start, end, label, text
    quoted: list[tuple[int, int]]  # direct-quote spans
    claims: list[tuple[int, int, int, Claim]] = field(default_factory=list)  # (sentence start, depth, order, claim)
    effects: dict[int, list[dict]] = field(default_factory=dict)  # token index -> claim pattern effects
    last_speaker: Optional[Attribution] = None
    _dominant: Any = None

    def place_at(self, start: int, end: int):
        for p in self.places:
            if p.start < end and start < p.end:
                return p
        return None

    def ent_at(self, start: int, end: int, labels=None):
        for s, e, label, t in self.ents:
            if s < end and start < e and (labels is None or label in labels):
                return s, e, label, t
        return None

    def in_quote(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.quoted)


def _entities(ctx) -> list[tuple[int, int, str, str]]:
    if ctx.entities:
        return [(e.start, e.end, e.label, e.text) for e in ctx.entities]
    if ctx.doc is not None:
        return [(e.start_char, e.end_char, e.label_, e.text) for e in ctx.doc.ents]
    return []


_QUOTE_SPAN = re.compile(r"“[^”]{1,2000}”|\"[^\"\n]{1,2000}\"")


def _quoted_spans(ctx) -> list[tuple[int, int]]:
    if ctx.quotes:
        return [(q.start, q.end) for q in ctx.quotes if q.kind in ("direct", "partial")]
    # Without the quotes component, quotation marks delimit direct speech.
    return [(m.start(), m.end()) for m in _QUOTE_SPAN.finditer(ctx.article.text or "")]


def _depth(tok) -> int:
    d = 0
    while tok.head != tok and d < 50:
        tok, d = tok.head, d + 1
    return d


def _span(tok, limit: int = 12):
    """The phrase a token heads, without leading punctuation or trailing clauses."""
    # coordinated premodifiers stay ("Hungarian and Romanian officials"), trailing clauses go
    toks = [t for t in tok.subtree if t == tok or t.dep_ not in ("relcl", "acl", "appos", "punct", "cc", "conj")
            or (t.dep_ in ("cc", "conj") and t.i < tok.i)]
    toks = [t for t in toks if abs(t.i - tok.i) <= limit]
    left = [t for t in toks if t.i <= tok.i]
    # keep only the contiguous run around the head
    lo = tok.i
    for t in reversed(left):
        if t.i == lo - 1:
            lo = t.i
    hi = tok.i
    for t in sorted(toks, key=lambda t: t.i):
        if t.i == hi + 1:
            hi = t.i
    return tok.doc[lo:hi + 1]


def _children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def _prep_objs(tok, *preps):
    out = []
    for c in tok.children:
        if c.dep_ in ("prep", "agent", "prt") and c.lower_ in preps:
            out += [(c.lower_, o) for o in c.children if o.dep_ in ("pobj", "pcomp")]
            # "in and around X": the object hangs off the coordinated preposition
            out += [(c.lower_, o) for c2 in c.children if c2.dep_ == "conj" and c2.pos_ == "ADP"
                    for o in c2.children if o.dep_ == "pobj"]
        if c.dep_ in ("prep", "prt", "advmod") and c.lower_ in ("out", "away", "back"):
            # complex prepositions: "out of X", "away from X", "back from X"
            for c2 in c.children:
                if c2.dep_ == "prep" and c2.lower_ in preps:
                    out += [(c2.lower_, o) for o in c2.children if o.dep_ in ("pobj", "pcomp")]
    return out


def _particle(tok) -> Optional[str]:
    for c in tok.children:
        if c.dep_ in ("prt", "prep", "advmod") and c.lower_ in ("out", "back", "away"):
            return c.lower_
    return None


def _subject(tok):
    """The subject of a verb, inherited through conjunction, xcomp and relative-clause chains."""
    node, hops = tok, 0
    while hops < 6:
        subs = _children(node, "nsubj", "csubj") + (_children(node, "nsubjpass") if node != tok else [])
        if subs:
            return subs[0]
        agents = [o for p, o in _prep_objs(node, "by") if p == "by"]
        if agents and _children(node, "nsubjpass"):
            return agents[0]
        if node.dep_ in ("conj", "xcomp", "advcl", "acomp") and node.head != node:
            node, hops = node.head, hops + 1
            continue
        if node.dep_ == "relcl":
            return node.head
        return None
    return None


def _governing_verb(tok):
    node, hops = tok, 0
    while node.pos_ not in ("VERB", "AUX") and node.head != node and hops < 6:
        node, hops = node.head, hops + 1
    return node if node.pos_ in ("VERB", "AUX") else None
