"""Trigger detection: verb and noun lemmas and phrases from ``data/triggers.json``, and the
dependency patterns of ``data/claim_patterns.json`` that qualify a trigger (an attempt, a purpose)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .actors import _words
from .syntax import _depth
from .vocab import DATA, REPORTING


@dataclass
class Triggers:
    verbs: dict[str, dict]
    nouns: dict[str, dict]
    phrases: re.Pattern
    phrase_specs: list[dict]


@lru_cache(maxsize=1)
def triggers() -> Triggers:
    d = json.loads((DATA / "triggers.json").read_text(encoding="utf-8"))
    # one scan per sentence: every phrase is a named alternative of a single pattern
    specs = [{k: v for k, v in p.items() if k != "pattern"} for p in d["phrases"]]
    combined = _words("|".join(f"(?P<p{i}>{p['pattern']})" for i, p in enumerate(d["phrases"])))
    return Triggers(d["verbs"], d["nouns"], combined, specs)


@dataclass
class _Trig:
    tok: Any  # anchor token
    start: int
    end: int
    spec: dict
    kind: str  # verb | noun | phrase


def _find_triggers(sent, trig: Triggers) -> list[_Trig]:
    found: list[_Trig] = []
    covered: set[int] = set()
    base = sent.start_char
    tokens = list(sent)
    for m in trig.phrases.finditer(sent.text):
        s, e = base + m.start(), base + m.end()
        toks = [t for t in tokens if s <= t.idx < e]
        if not toks or any(t.i in covered for t in toks):
            continue
        anchor = min(toks, key=_depth)
        covered.update(t.i for t in toks)
        found.append(_Trig(anchor, s, e, trig.phrase_specs[int(m.lastgroup[1:])], "phrase"))
    for t in tokens:
        if t.i in covered:
            continue
        if (t.lower_ in ("must", "should") and t.dep_ == "aux" and t.head.dep_ == "ccomp"
                and t.head.head.lemma_.lower() in REPORTING | {"insist", "reiterate", "declare", "conclude"}):
            # "X said Y must do Z": X demands it of Y
            found.append(_Trig(t, t.idx, t.idx + len(t), {"type": "REQUEST", "demand": True}, "phrase"))
            continue
        # Most tokens are neither verbs nor nouns: read the lemma only for those that are.
        pos = t.pos_
        if pos == "VERB":
            lemma = t.lemma_.lower()
            if lemma in trig.verbs:
                found.append(_Trig(t, t.idx, t.idx + len(t), trig.verbs[lemma], "verb"))
        elif pos in ("NOUN", "PROPN"):
            lemma = t.lemma_.lower()
            if lemma in trig.nouns or t.lower_ in trig.nouns:
                found.append(_Trig(t, t.idx, t.idx + len(t), trig.nouns.get(lemma) or trig.nouns[t.lower_], "noun"))
    return found


@lru_cache(maxsize=1)
def claim_patterns() -> list[dict]:
    return json.loads((DATA / "claim_patterns.json").read_text(encoding="utf-8"))["patterns"]


_MATCHERS: dict[int, Any] = {}


def _matcher(vocab):
    # one matcher per vocabulary (per loaded pipeline), built on first use
    m = _MATCHERS.get(id(vocab))
    if m is None:
        from spacy.matcher import DependencyMatcher

        m = DependencyMatcher(vocab)
        for i, p in enumerate(claim_patterns()):
            m.add(str(i), [p["pattern"]])
        _MATCHERS.clear()
        _MATCHERS[id(vocab)] = m
    return m


def pattern_effects(doc) -> dict[int, list[dict]]:
    """Token index of each pattern's 'trigger' node -> the effects of the patterns that matched it."""
    specs = claim_patterns()
    out: dict[int, list[dict]] = {}
    for match_id, toks in _matcher(doc.vocab)(doc):
        spec = specs[int(doc.vocab.strings[match_id])]
        ids = [n["RIGHT_ID"] for n in spec["pattern"]]
        out.setdefault(toks[ids.index("trigger")], []).append(spec["effect"])
    return out
