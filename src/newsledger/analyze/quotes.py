"""Quotations and reported speech, with their speakers.

Two passes. ``find_quotations`` pairs quotation marks in the raw text (no
NLP), paragraph by paragraph, so an unbalanced mark can cost at most its
own paragraph. Attribution then reads the spaCy parse of the quote's
sentence(s): the nearest speech cue outside any quotation ("said", "told",
"according to", ...) gives the speaker through its subject, passive agent
or, for participles like "emphasizing", the subject of the verb it hangs on.
A quote without a cue of its own continues the previous speaker when it
follows in the same or the next paragraph, or a sentence ending in a colon.

Kinds:

- ``direct``: a quoted utterance: at least ``DIRECT_MIN_WORDS`` words, or a
  shorter clause with a finite verb ("I quit").
- ``partial``: a shorter quoted fragment (scare quotes, one-word borrowings
  like “euphoric”).
- ``indirect``: reported speech without marks: the clause governed by a speech,
  belief or finding verb ("X said that ...", "polls show that ..."), the clause
  a parenthetical cue interrupts ("The plan, he said, is dead"), an "according
  to X" clause, or the complement of "urged"/"warned" ("urged against ...").
  Clauses that are mostly a direct quote are not repeated as indirect.

Offsets (``start``/``end``) are those of the content, without the marks and
without a trailing comma/colon/semicolon that belongs to the outer sentence.
A quote carried over from an earlier attribution keeps the earlier
``speaker_mention`` and ``cue`` (the words that name its speaker) and a lower
confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Callable, Optional

from ..schema import Entity, Mention, Quote, Span
from .coref import ORG_PRONOUNS, PRONOUN_GENDER, clean_name
from .entities import DETERMINERS, build_resolver, find_entities
from .pipeline import component
from .speech import cues

DIRECT_MIN_WORDS = 4
MAX_MENTION_TOKENS = 30
# A sentence split off after a quote is its attribution when its cue comes this early.
SPLIT_CUE_WINDOW = 8

_CUES = cues()
# Speech and thought verbs (lemmas) that introduce a quotation or report: data/speech_cues.json.
SPEECH_VERBS = _CUES.speech_verbs
# Verbs that need a particle to be about speech ("summed up", "pointed out").
PARTICLE_VERBS = _CUES.particle_verbs
# Verbs of belief and of findings ("polls show that ..."): only used for indirect attribution.
THOUGHT_VERBS = _CUES.thought_verbs
# Complements of "urged"/"warned" that carry the reported content.
URGE_VERBS = _CUES.urge_verbs
NON_SPEAKERS = _CUES.non_speakers

# ---------------------------------------------------------------- quotation marks

# Opening mark -> marks that may close it. Straight and doubled-apostrophe
# marks appear on both sides; „ closes with “ (German) or ” (Polish, Romanian).
CLOSERS = {
    "“": "”\"",
    "„": "“”\"",
    "«": "»",
    "»": "«",
    "\"": "\"”",
    "``": "''\"",
    "''": "''",
    "”": "”",
    "‘": "’'",
    "‚": "‘’",
    "'": "'’",
    "‹": "›",
    "›": "‹",
    "「": "」",
    "『": "』",
}
ALWAYS_OPEN = set("“„«‘‚‹「『") | {"``"}
SINGLE = set("‘’'‚‹›")
MARK_RE = re.compile(r"``|''|[\"'“”„«»‹›‘’‚「」『』]")
PARAGRAPH_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Elided openings that are not quotation marks ('90s, 'em, 'til).
LEADING_ELISION = re.compile(r"(?:\d\ds\b|em\b|til\b|cause\b|n\b|tis\b|twas\b)", re.I)
TRAIL_PUNCT = ",;:"


@dataclass(slots=True)
class Quotation:
    """A pair of quotation marks: ``open``/``close`` span the marks, ``start``/``end`` the content."""

    open: int
    close: int
    start: int
    end: int
    paragraph: int
    continues: bool = False  # left open at the paragraph end, resumed by the next paragraph


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in PARAGRAPH_RE.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _is_apostrophe(text: str, i: int, mark: str, lo: int, hi: int) -> bool:
    """Single-quote characters inside or at the start of words (We’ll, Trump’s, ’90s)."""
    if mark not in SINGLE:
        return False
    prev = text[i - 1] if i > lo else " "
    nxt = text[i + 1] if i + 1 < hi else " "
    if prev.isalnum() and nxt.isalnum():
        return True
    if mark in "’'" and not prev.isalnum() and prev not in ".,!?;:" and LEADING_ELISION.match(text, i + 1, hi):
        return True
    return False


def _can_open(mark: str, prev: str, nxt: str) -> bool:
    if nxt.isspace() or not nxt:
        return False
    if mark in ALWAYS_OPEN:
        return True
    return prev.isspace() or prev in "([{—–-/:" or prev == "" or MARK_RE.match(prev) is not None


def _can_close(mark: str, prev: str) -> bool:
    return mark not in ALWAYS_OPEN or mark in ("“", "‘") or not prev.isspace()


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in TRAIL_PUNCT):
        b -= 1
    return a, b


def find_quotations(text: str) -> list[Quotation]:
    """Top-level quotations of ``text`` in order; nested quotes stay inside their outer quote.

    Works on any mark style (“ ” " « » „ “ ‘ ’ ' `` ''). A mark left open at a
    paragraph end is kept only when the next paragraph reopens (a quote running
    over paragraphs) or when it opened the paragraph; otherwise it is dropped
    without affecting the other quotes.
    """
    paras = _paragraphs(text)
    pairs: list[Quotation] = []
    for pi, (lo, hi) in enumerate(paras):
        stack: list[tuple[str, int]] = []
        for m in MARK_RE.finditer(text, lo, hi):
            mark, i = m.group(), m.start()
            if _is_apostrophe(text, i, mark, lo, hi):
                continue
            prev = text[i - 1] if i > lo else ""
            nxt = text[m.end()] if m.end() < hi else ""
            closed = False
            if _can_close(mark, prev) and not (mark in SINGLE and prev.isspace()):
                for k in range(len(stack) - 1, -1, -1):
                    opener, at = stack[k]
                    if mark in CLOSERS[opener] and not (opener == mark and at + len(opener) == i):
                        a, b = _trim(text, at + len(opener), i)
                        if b > a:
                            pairs.append(Quotation(at, m.end(), a, b, pi))
                        del stack[k:]
                        closed = True
                        break
            if not closed and mark in CLOSERS and _can_open(mark, prev, nxt):
                stack.append((mark, i))
        if stack:
            opener, at = stack[0]
            nxt_para = text[paras[pi + 1][0] : paras[pi + 1][0] + 2] if pi + 1 < len(paras) else ""
            resumes = bool(nxt_para) and any(nxt_para.startswith(o) for o in ALWAYS_OPEN | {"\"", "'"})
            if resumes or text[lo:at].strip() == "":
                a, b = _trim(text, at + len(opener), hi)
                if b > a:
                    pairs.append(Quotation(at, hi, a, b, pi, continues=resumes))
    pairs.sort(key=lambda q: (q.open, -q.close))
    top: list[Quotation] = []
    for q in pairs:
        if top and q.open < top[-1].close:
            continue  # nested inside the previous top-level quote
        if any(ch.isalnum() for ch in text[q.start : q.end]):
            top.append(q)
    return top


# ---------------------------------------------------------------- attribution


@dataclass(slots=True)
class Attribution:
    speaker: Optional[str]
    mention: Optional[Mention]
    descriptor: Optional[str]
    cue: Optional[str]
    token: int  # position of the cue, for carry-over ordering
    confidence: float


class _DocIndex:
    """Per-document lookups shared by every quote, built in one pass."""

    outlet_country: Optional[str] = None

    def __init__(self, doc, entities: list[Entity], quotations: list[Quotation]):
        self.doc = doc
        self.text = doc.text
        self.tok_starts = doc.to_array("IDX").tolist()  # no Token object per token
        self.sents = list(doc.sents)
        self.sent_starts = [s.start for s in self.sents]
        self.in_quote = bytearray(len(doc))
        for q in quotations:
            a, b = self.token_range(q.open, q.close)
            self.in_quote[a:b] = b"\x01" * (b - a)
        self.ent_of_token: dict[int, Entity] = {}
        for e in entities:
            a, b = self.token_range(e.start, e.end)
            for i in range(a, b):
                self.ent_of_token[i] = e
        self.descriptors = {e.canonical: e.descriptor for e in entities if e.descriptor}
        self.orgs_by_head: dict[str, str] = {}
        for e in entities:
            if e.label == "ORG" and e.canonical:
                # "the ministry" after "the Ministry of Transport"
                for word in e.canonical.split():
                    if len(word) > 3 and word[0].isupper():
                        self.orgs_by_head.setdefault(word.lower(), e.canonical)
        self.resolver = build_resolver(doc, entities)
        self.paras = _paragraphs(self.text) or [(0, len(self.text))]
        self.para_starts = [p[0] for p in self.paras]

    def paragraph_tokens(self, token: int) -> tuple[int, int]:
        """Token range of the paragraph holding ``token``."""
        k = max(0, bisect_right(self.para_starts, self.doc[token].idx) - 1)
        return self.token_range(*self.paras[k])

    def token_range(self, a: int, b: int) -> tuple[int, int]:
        """Tokens overlapping characters [a, b)."""
        i = max(0, bisect_right(self.tok_starts, a) - 1)
        if i < len(self.doc) and self.doc[i].idx + len(self.doc[i]) <= a:
            i += 1
        j = bisect_left(self.tok_starts, b)
        return i, max(i, j)

    def sent_index(self, token: int) -> int:
        return max(0, bisect_right(self.sent_starts, token) - 1)


def _is_cue(tok) -> bool:
    lemma = tok.lemma_.lower()
    if tok.pos_ not in ("VERB", "AUX") and not (tok.pos_ == "NOUN" and tok.dep_ == "ROOT" and lemma in SPEECH_VERBS):
        return False
    if lemma == "put":  # "as X put it"
        return any(c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children)
    if lemma in PARTICLE_VERBS:
        return any(c.dep_ == "prt" and c.lower_ == PARTICLE_VERBS[lemma] for c in tok.children)
    return lemma in SPEECH_VERBS


def _is_according(tok) -> bool:
    return tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children)


def _inverted_name(cue, quoted: bytearray):
    """Last word of the name right after a misparsed inverted cue ("”, insisted councillor Rosa Quint.")."""
    doc, last = cue.doc, None
    for t in doc[cue.i + 1 : cue.i + 8]:
        if quoted[t.i] or not (t.pos_ in ("PROPN", "NOUN", "ADJ") or t.is_title):
            break
        last = t
    return last if last is not None and last.pos_ == "PROPN" else None


def _subject(cue, quoted: bytearray, depth: int = 0):
    """The token naming who speaks through ``cue`` (None when nobody does).

    Tokens inside quotation marks never name the speaker: the parser often
    makes the quote's first noun the subject of the cue.
    """
    if cue.lower_ == "according":
        for to in cue.children:
            if to.lower_ == "to":
                return next((c for c in to.children if c.dep_ == "pobj"), None)
        return None
    subj = agent = None
    for c in cue.children:
        if quoted[c.i]:
            continue
        if c.dep_ in ("nsubj", "nsubjpass", "csubj") and subj is None:
            subj = c
        elif c.dep_ == "agent":
            agent = next((g for g in c.children if g.dep_ == "pobj"), None)
    if agent is not None:
        return agent  # "it was stated by the ministry"
    if subj is None and (cue.i == 0 or cue.doc[cue.i - 1].is_punct or cue.doc[cue.i - 1].is_space or cue.is_sent_start):
        # Inverted order after a quote, parsed as an object: "“...”, warned hydrologist Petra Holm."
        obj = next((c for c in cue.rights if c.dep_ == "dobj" and not quoted[c.i]), None)
        if obj is not None:
            return obj
        name = _inverted_name(cue, quoted) if cue.dep_ != "ROOT" or cue.is_sent_start else None
        if name is not None:
            return name
    if subj is not None and subj.dep_ == "nsubjpass":
        return None  # "he was told", without an agent: the subject listened
    if subj is not None and subj.lower_ in ("who", "that", "which") and cue.dep_ == "relcl":
        head = cue.head
        for _ in range(3):  # "one Democrat familiar with the discussion, who added": the Democrat
            if head.dep_ != "pobj":
                break
            up = head.head.head
            while up.dep_ in ("amod", "acl") and up.pos_ in ("ADJ", "VERB") and up.head is not up:
                up = up.head
            if up.pos_ not in ("NOUN", "PROPN") or quoted[up.i]:
                break
            head = up
        return head
    if subj is None and cue.dep_ == "acl" and cue.head.pos_ in ("PROPN", "NOUN", "PRON"):
        return cue.head  # "footage of Hillary Clinton asking, “...”"
    if subj is None and depth < 3 and cue.dep_ in ("advcl", "conj", "xcomp", "pcomp") and cue.head is not cue:
        head = cue.head
        if head.pos_ == "ADP" and head.head is not head:
            head = head.head  # "before asking her"
        return _subject(head, quoted, depth + 1)
    return subj


class _Attributor:
    def __init__(self, ix: _DocIndex):
        self.ix = ix

    def mention(self, head, cue=None) -> Mention:
        """The whole noun phrase of the speaker ("military analyst Igor Korotchenko")."""
        ix = self.ix
        left, right = head.left_edge.i, head.right_edge.i
        if cue is not None and left <= cue.i < head.i:
            left = cue.i + 1
        if right - left + 1 > MAX_MENTION_TOKENS or any(ix.in_quote[left : right + 1]):
            left, right = head.i, head.i
            while left > 0 and ix.doc[left - 1].dep_ in ("compound", "amod", "det", "poss", "case") and ix.doc[left - 1].head.i >= left:
                left -= 1
        doc = ix.doc
        while left < right and (doc[left].is_punct or doc[left].is_space):
            left += 1
        while right > left and (doc[right].is_punct or doc[right].is_space):
            right -= 1
        span = doc[left : right + 1]
        return Mention(span.text, span.start_char, span.end_char)

    def speaker(self, head) -> tuple[Optional[str], Optional[str], float]:
        """(canonical speaker, descriptor, confidence) for the speaker's head token."""
        ix = self.ix
        low = head.lower_
        if head.pos_ == "PRON" or low in PRONOUN_GENDER or low in ORG_PRONOUNS:
            ref = ix.resolver.resolve(head.i, ix.sent_index(head.i), low)
            if ref is None:
                return None, None, 0.5
            return ref.canonical, ix.descriptors.get(ref.canonical), 0.8
        ent = ix.ent_of_token.get(head.i)
        if ent is None:
            # "the spokesman, John Smith," / "his aide Jane Roe": a name inside the phrase.
            for t in head.subtree:
                cand = ix.ent_of_token.get(t.i)
                if cand is not None and cand.label == "PERSON" and not ix.in_quote[t.i]:
                    ent = cand
                    break
        if ent is not None and ent.label in ("PERSON", "ORG", "GPE", "NORP"):
            return ent.canonical, ix.descriptors.get(ent.canonical), 0.9
        org = ix.orgs_by_head.get(head.lemma_.lower()) if head.pos_ == "NOUN" else None
        if org is not None:
            return org, None, 0.8
        if head.pos_ == "PROPN":
            name = [t for t in head.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [head]
            return clean_name(" ".join(t.text for t in name)), None, 0.7
        start = head.left_edge.i
        words = [t for t in ix.doc[start : head.i + 1] if not t.is_punct and not t.is_space]
        if words and words[0].lower_ in DETERMINERS and len(words) > 1:
            phrase = " ".join(t.text for t in words)
        else:
            phrase = " ".join(t.text for t in words) or head.text
        return phrase, None, 0.7

    def from_cue(self, cue) -> Optional[Attribution]:
        head = _subject(cue, self.ix.in_quote)
        if head is None or head.lower_ in NON_SPEAKERS or self.ix.in_quote[head.i]:
            return None
        speaker, desc, conf = self.speaker(head)
        cue_text = cue.text
        if cue.lower_ == "according":
            cue_text = "according to"
        else:
            prt = next((c for c in cue.children if c.dep_ == "prt"), None)
            if prt is not None and prt.i == cue.i + 1:
                cue_text = f"{cue.text} {prt.text}"
        mention = self.mention(head, cue)
        rel = next((c for c in cue.children if c.dep_ == "nsubj" and c.lower_ in ("who", "which", "that")), None)
        if cue.dep_ == "relcl" and rel is not None and 0 < rel.i - head.i <= 12 and not any(self.ix.in_quote[head.i : rel.i]):
            # The mention runs to the relative pronoun that is the cue's subject ("critics, who").
            end = rel.idx + len(rel)
            mention = Mention(self.ix.text[mention.start : end], mention.start, end)
        return Attribution(speaker, mention, desc, cue_text, cue.i, conf)


def _quote_root(doc, a: int, b: int):
    for i in range(a, b):
        h = doc[i].head.i
        if h < a or h >= b or doc[i].head is doc[i]:
            return doc[i]
    return None


def _bare_cue(tok) -> bool:
    """A cue that reports nothing of its own ("Trump said, looking on.")."""
    if tok.dep_ != "ROOT" or not _is_cue(tok) or any(c.dep_ in ("ccomp", "xcomp") for c in tok.children):
        return False
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    return nxt is None or nxt.is_punct or nxt.dep_ == "prt"


def _frame(ix: _DocIndex, a: int, b: int) -> tuple[int, int]:
    """Token range of the sentence(s) holding quote tokens [a, b), plus a split-off tail,
    never beyond the quote's paragraph (spaCy may run a sentence over a paragraph break)."""
    p_lo, p_hi = ix.paragraph_tokens(a)
    lo, hi = _sentences_around(ix, a, b)
    return max(lo, p_lo), min(hi, p_hi)


def _sentences_around(ix: _DocIndex, a: int, b: int) -> tuple[int, int]:
    s0 = ix.sent_index(a)
    s1 = ix.sent_index(max(a, b - 1))
    lo, hi = ix.sents[s0].start, ix.sents[s1].end
    if s1 + 1 < len(ix.sents):
        nxt = ix.sents[s1 + 1]
        words = [t for t in nxt if not t.is_space]
        # spaCy splits “...?” Trump said. / “...,” he added. / (D-Md.) said. off the quote.
        if words and (
            words[0].is_lower or (b >= hi - 3 and any(_bare_cue(t) for t in words[:SPLIT_CUE_WINDOW]))
        ):
            hi = nxt.end
    return lo, hi


def _cue_for(ix: _DocIndex, att: _Attributor, a: int, b: int) -> Optional[Attribution]:
    doc = ix.doc
    lo, hi = _frame(ix, a, b)
    cands = [t for t in doc[lo:hi] if not ix.in_quote[t.i] and (_is_cue(t) or _is_according(t))]
    if not cands and b - a <= 8:
        # A short quote under a belief verb ("she thinks the plan is “pure theatre”"): its thinker.
        cands = [t for t in doc[lo:hi] if not ix.in_quote[t.i] and t.pos_ == "VERB"
                 and t.lemma_.lower() in THOUGHT_VERBS and t.i < a]
    if not cands:
        return None
    root = _quote_root(doc, a, b)
    if root is not None:
        anc, steps = root.head, 0
        while steps < 6:
            if anc in cands:
                found = att.from_cue(anc)
                if found is not None:
                    return found
            if anc.head is anc:
                break
            anc, steps = anc.head, steps + 1
    # Otherwise the nearest cue; after the quote wins ties (“...,” he said).
    cands.sort(key=lambda t: (a - t.i if t.i < a else t.i - b + 1, t.i < a))
    for t in cands:
        found = att.from_cue(t)
        if found is not None:
            return found
    return None


def _colon_intro(ix: _DocIndex, att: _Attributor, a: int) -> Optional[Attribution]:
    """"Caddell continued:" followed by the quote."""
    s = ix.sent_index(a)
    sent = ix.sents[s]
    before = [t for t in ix.doc[sent.start : a] if not t.is_space and not ix.in_quote[t.i]]
    if before and before[-1].text == ":":
        scope = before
    elif s > 0:
        prev = [t for t in ix.sents[s - 1] if not t.is_space]
        if not prev or prev[-1].text != ":":
            return None
        scope = prev
    else:
        return None
    for t in reversed(scope):
        if (_is_cue(t) or t.pos_ in ("VERB", "AUX")) and not ix.in_quote[t.i]:
            found = att.from_cue(t)
            if found is not None:
                return found
    # Headline style: "Stone: “...”", a bare name before the colon.
    words = [t for t in scope[:-1] if not t.is_punct]
    if words and len(words) <= 4 and all(t.pos_ == "PROPN" for t in words):
        head = words[-1]
        speaker, desc, _ = att.speaker(head)
        span = ix.doc[words[0].i : head.i + 1]
        return Attribution(speaker, Mention(span.text, span.start_char, span.end_char), desc, ":", head.i, 0.7)
    return None


_NAME_WORD = r"(?:[A-Z][\w'’.-]*|de|da|del|la|van|von|bin|al)"
DASH_BYLINE = re.compile(
    r"[ \t\u00a0]*(?P<dash>―|—|–|--|-)[ \t\u00a0]*"
    rf"(?P<name>[A-Z][\w'’.-]*(?:[ \u00a0]+{_NAME_WORD}){{0,5}}?)\.?[ \t\u00a0]*(?:\n|$)"
)


def _dash_byline(ix: _DocIndex, close: int) -> Optional[Attribution]:
    """“...” ― Sonya Herridge: a name after a dash that follows the closing mark."""
    m = DASH_BYLINE.match(ix.text, close)
    if m is None:
        return None
    a, b = m.span("name")
    if ix.text[b - 1] == "." and b - a > 2 and ix.text[b - 3] != " ":
        b -= 1  # a sentence full stop, not an initial ("Oscar P.")
    ent = ix.ent_of_token.get(ix.token_range(a, b)[0])
    speaker = ent.canonical if ent is not None and ent.label == "PERSON" else ix.text[a:b]
    # The dash itself is the cue; its token position orders the attribution.
    return Attribution(speaker, Mention(ix.text[a:b], a, b), ix.descriptors.get(speaker), m.group("dash"), -1, 0.8)


def _previous_subject(ix: _DocIndex, att: _Attributor, a: int) -> Optional[Attribution]:
    """A quote opening its sentence right after one whose subject is a person:
    "Cummings called him a master. “He showed again and again ...”"."""
    s = ix.sent_index(a)
    sent = ix.sents[s]
    if any(not t.is_space and not t.is_punct for t in ix.doc[sent.start : a]):
        return None
    while s > 0 and not ix.sents[s - 1].text.strip():
        s -= 1
    if s == 0:
        return None
    prev = ix.sents[s - 1]
    p_lo = ix.paragraph_tokens(a)[0]
    if prev.start < p_lo and (sent.start > p_lo or ix.paragraph_tokens(prev.start)[1] < ix.paragraph_tokens(p_lo - 1)[1]):
        return None  # only the sentence just before: in this paragraph, or ending the one before
    if any(ix.in_quote[t.i] or _is_cue(t) for t in prev):
        return None  # an attribution sentence: carry-over decides
    root = prev.root
    subj = next((c for c in root.children if c.dep_ == "nsubj" and not ix.in_quote[c.i]), None)
    if subj is None:
        return None
    ent = ix.ent_of_token.get(subj.i)
    if (ent is None and subj.pos_ != "PROPN") or (ent is not None and ent.label != "PERSON"):
        return None
    speaker, desc, _ = att.speaker(subj)
    return Attribution(speaker, att.mention(subj), desc, None, subj.i, 0.6)


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _kind(doc, a: int, b: int, text: str) -> str:
    words = _word_count(text)
    if words >= DIRECT_MIN_WORDS:
        return "direct"
    finite = any(
        "Fin" in doc[i].morph.get("VerbForm") and any(c.dep_.startswith("nsubj") for c in doc[i].children)
        for i in range(a, b)
    )
    return "direct" if finite and words >= 2 else "partial"


def _indirect(ix: _DocIndex, att: _Attributor) -> list[tuple[Quote, Attribution]]:
    doc, text = ix.doc, ix.text
    out = []
    for tok in doc:
        if ix.in_quote[tok.i]:
            continue
        content = hole = None
        if _is_according(tok):
            head = tok.head
            if head is tok:
                continue
            lo, hi = head.left_edge.i, head.right_edge.i
            acc_lo, acc_hi = tok.left_edge.i, tok.right_edge.i
            if acc_lo <= lo + 1:
                lo = acc_hi + 1
            elif acc_hi >= hi - 1:
                hi = acc_lo - 1
            content = (lo, hi)
        elif tok.pos_ in ("VERB", "AUX"):
            lemma = tok.lemma_.lower()
            if not (_is_cue(tok) or lemma in THOUGHT_VERBS):
                continue
            comp = next((c for c in tok.children if c.dep_ == "ccomp"), None)
            if comp is None and lemma in URGE_VERBS:
                comp = next(
                    (c for c in tok.children if c.dep_ == "xcomp" or (c.dep_ == "prep" and c.lower_ in ("against", "for"))),
                    None,
                )
            if comp is None and tok.dep_ == "parataxis" and _is_cue(tok) and tok.head.pos_ in ("VERB", "AUX"):
                # "The plan, he said, is dead." / "The plan is dead, he said.": the clause it interrupts.
                head = tok.head
                lo, hi = head.left_edge.i, head.right_edge.i
                c_lo, c_hi = tok.left_edge.i, tok.right_edge.i
                if c_hi >= hi - 1:
                    content = (lo, c_lo - 1)
                elif c_lo <= lo + 1:
                    content = (c_hi + 1, hi)
                elif not any(ix.in_quote[lo : hi + 1]):
                    content, hole = (lo, hi), (c_lo, c_hi)  # "The plan, he said, is dead.": two parts
            elif comp is not None:
                lo, hi = comp.left_edge.i, comp.right_edge.i
                if lo > tok.i and tok.right_edge.i > hi:
                    # "she said she wanted change, but found him objectionable": the report runs
                    # on to the end of the cue's clause unless a new cue or a quote takes over.
                    for t in ix.doc[hi + 1 : tok.right_edge.i + 1]:
                        if ix.in_quote[t.i] or _is_cue(t) or _is_according(t):
                            break
                        hi = t.i
                if not lo <= tok.i <= hi:
                    content = (lo, hi)
        if content is None:
            continue
        lo, hi = content
        while lo <= hi and (doc[lo].is_punct or doc[lo].is_space or (doc[lo].dep_ == "mark" and doc[lo].lower_ in ("that", "whether", "if"))):
            lo += 1
        while hi >= lo and (doc[hi].is_punct or doc[hi].is_space):
            hi -= 1
        if hi - lo + 1 < 3:
            continue
        a, b = doc[lo].idx, doc[hi].idx + len(doc[hi])
        quoted = sum(ix.in_quote[lo : hi + 1])
        if quoted >= 0.8 * (hi - lo + 1):
            continue  # the clause is a direct quote, already recorded
        attribution = att.from_cue(tok)
        if attribution is None:
            continue
        parts = [Span(a, b)]
        if hole is not None:
            h_lo, h_hi = hole
            while h_lo > lo and (doc[h_lo - 1].is_punct or doc[h_lo - 1].is_space):
                h_lo -= 1
            while h_hi < hi and (doc[h_hi + 1].is_punct or doc[h_hi + 1].is_space):
                h_hi += 1
            if lo < h_lo and h_hi < hi:
                parts = [Span(a, doc[h_lo - 1].idx + len(doc[h_lo - 1])), Span(doc[h_hi + 1].idx, b)]
        out.append(
            (
                Quote(
                    text=" ".join(text[p.start : p.end] for p in parts),
                    kind="indirect",
                    start=a,
                    end=b,
                    cue=attribution.cue,
                    confidence=round(min(attribution.confidence, 0.8), 2),
                    parts=parts,
                ),
                attribution,
            )
        )
    return out


def _apply(q: Quote, attr: Attribution, confidence: float) -> None:
    q.speaker, q.speaker_mention, q.speaker_descriptor, q.cue = attr.speaker, attr.mention, attr.descriptor, attr.cue
    q.confidence = round(confidence, 2)


# ---------------------------------------------------------------- not quotes: titles, terms, scare quotes

_WORD_RE = re.compile(r"[\w'’.-]+")
_GAP_EDGES = re.compile(r"^[\s,;:.!?]*(?:``|''|[\"'“”„«»‹›‘’‚])|(?:``|''|[\"'“”„«»‹›‘’‚])\s*$")
# A full stop that ends a sentence: not after an initial or a short title ("H.", "Mr.", "Sen.").
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\b[A-Z][a-z])(?<!\b[A-Z][a-z]{2})[.!?]\s")
_SMALL_WORDS = frozenset("a an the of and or in on at to for by with from as is be vs".split())


def _lead_in(ix: _DocIndex, q: Quotation) -> str:
    """Up to three words before the opening mark, in its sentence, lower case."""
    sent = ix.sents[ix.sent_index(ix.token_range(q.open, q.open + 1)[0])]
    before = ix.text[max(sent.start_char, q.open - 60) : q.open].lower()
    return " ".join(_WORD_RE.findall(before)[-3:])


def _title_case(text: str) -> bool:
    words = _WORD_RE.findall(text)
    big = [w for w in words if w.lower() not in _SMALL_WORDS]
    return len(words) >= 2 and bool(big) and all(w[0].isupper() or w[0].isdigit() for w in big)


def _not_a_quote(ix: _DocIndex, q: Quotation, body: str, own_cue: bool) -> Optional[str]:
    """``title``, ``term`` or ``scare`` for quoted text nobody says, else None.

    Titles and terms are told by the words before the mark ("his book “...”",
    "the so-called “...”") or, without a speech cue, by Title Case; a scare
    quote is a word or two with no speech cue in its sentence.
    """
    lead = _lead_in(ix, q)
    lead_words = lead.split()
    words = _word_count(body)
    if words == 1 and len(body.strip(" .,!?")) <= 2:
        return "scare"  # a letter or an initial: “R”, “D”
    if any(w in _CUES.term_cues for w in lead_words) or any(c in lead for c in _CUES.term_cues if " " in c):
        if words <= 8:
            return "term"
    if words <= 12 and any(w in _CUES.title_nouns for w in lead_words[-2:]) and not any(
        w in SPEECH_VERBS or w.rstrip("sd") in SPEECH_VERBS for w in lead_words
    ):
        return "title"
    sent = ix.sents[ix.sent_index(ix.token_range(q.open, q.open + 1)[0])]
    starts_sentence = not ix.text[max(sent.start_char, q.open - 200) : q.open].strip(" \t\n\"'“”‘’«»")
    if (
        words <= (6 if own_cue else 10)
        and not starts_sentence
        and _title_case(body)
        and not body.rstrip().endswith(("?", "!"))
        and (not body.rstrip().endswith(".") or words <= 4)  # “Meet the Press.” ending a sentence
    ):
        return "title"
    if own_cue:
        return None
    if words <= _CUES.scare_max_words:
        return "scare"
    return None


# ---------------------------------------------------------------- one quote per statement


def _begins_clause(ix: _DocIndex, q: Quotation, quote: Quote) -> bool:
    """Nothing but its own attribution stands before the quote in its sentence."""
    sent = ix.sents[ix.sent_index(ix.token_range(q.open, q.open + 1)[0])]
    start = max(sent.start_char, ix.paras[max(0, bisect_right(ix.para_starts, q.open) - 1)][0])
    before = ix.text[start : q.open]
    if quote.speaker_mention is not None and start <= quote.speaker_mention.start < q.open:
        before = before.replace(quote.speaker_mention.text, "").replace(quote.cue or "\0", "")
    return not re.sub(r"[\W_]+", "", before.replace("\n", ""))


def _interruption_only(text: str, prev: Quote, nxt: Quote) -> bool:
    """Only the attribution stands between the two quotes ("”, he said, “" or "” he said. “")."""
    end = prev.parts[-1].end if prev.parts else prev.end
    gap = text[end : nxt.start]
    m = prev.speaker_mention
    if m is not None and end <= m.start and m.end <= nxt.start:
        gap = text[end : m.start] + " " + text[m.end : nxt.start]
    if prev.cue:
        gap = gap.replace(prev.cue, " ", 1)
    gap = _GAP_EDGES.sub(" ", gap)  # the closing and the reopening marks
    if PARAGRAPH_RE.search(gap) or MARK_RE.search(gap):
        return False
    rest = _WORD_RE.findall(gap)
    if len(rest) <= 2 and not any(w[0].isupper() for w in rest):
        return True
    # ", said Ada Lind, a lawyer who advises the council. “": the attribution sentence itself,
    # with no sentence of its own in between.
    inner = gap.rstrip()[:-1] if gap.rstrip().endswith((".", ",")) else gap
    return m is not None and end <= m.start < nxt.start and not _SENTENCE_END.search(inner)


def _merge_statements(ix: _DocIndex, quotations: list[Quotation], quotes: list[Quote]) -> list[Quote]:
    """“A,” he said, “B.” and a quote running over paragraphs become one quote with parts.

    Only when the first piece opens its sentence (besides its attribution): a
    quoted clause inside someone's reported sentence stays its own quote.
    """
    out: list[Quote] = []
    last_mark: list[Quotation] = []
    prev_first: list[Quotation] = []
    for q, quote in zip(quotations, quotes):
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind in ("direct", "partial")
            and quote.kind in ("direct", "partial")
            and prev.speaker_mention is not None
            and quote.speaker_mention == prev.speaker_mention
            and (last_mark[-1].continues or (_begins_clause(ix, prev_first[-1], prev) and _interruption_only(ix.text, prev, quote)))
        ):
            prev.parts.append(Span(quote.start, quote.end))
            prev.text = " ".join(ix.text[p.start : p.end] for p in prev.parts)
            prev.end = quote.end
            if quote.kind == "direct" or _word_count(prev.text) >= DIRECT_MIN_WORDS:
                prev.kind = "direct"
            prev.confidence = min(prev.confidence, max(quote.confidence, prev.confidence - 0.1))
            last_mark[-1] = q
            continue
        out.append(quote)
        last_mark.append(q)
        prev_first.append(q)
    return out


# ---------------------------------------------------------------- speakers a reader can use

_DET_RE = re.compile(r"^(?:the|a|an|its|their|his|her)\s+", re.I)


def _country_in(words: str) -> Optional[str]:
    low = " " + words.lower() + " "
    for name, code in sorted(_CUES.country_adjectives.items(), key=lambda kv: -len(kv[0])):
        if f" {name} " in low:
            return code
    return None


def _article_country(text: str, upto: int, outlet: Optional[str]) -> Optional[str]:
    """The country an unqualified institution ("the Defense Ministry") belongs to: the outlet's
    own country when the article names it, else the country it names most, the latest first."""
    counts: dict[str, int] = {}
    last: dict[str, int] = {}
    low = text.lower()
    for table in (_CUES.country_adjectives, _CUES.capitals):
        for name, code in table.items():
            if len(name) < 4 and name != "u.s.":
                continue
            for m in re.finditer(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", low):
                counts[code] = counts.get(code, 0) + 1
                if m.start() < upto:
                    last[code] = max(last.get(code, -1), m.start())
    own = _CUES.alpha2.get((outlet or "").upper())
    if own in counts:
        return own
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], last.get(c, -1)))


def _institution_phrase(mention: str) -> Optional[str]:
    """"the General Staff of the Armed Forces of Ukraine" -> the phrase without its article, when
    an institution head names the speaker."""
    phrase = _DET_RE.sub("", mention.strip()).strip(" ,")
    phrase = re.split(r",|\s+(?:who|which|that)\s+", phrase)[0].strip()
    words = [w.lower() for w in _WORD_RE.findall(phrase)]
    if not words:
        return None
    head_zone = words[: len(words)]
    if any(w in _CUES.institution_heads for w in head_zone) or phrase.lower() in _CUES.institution_heads:
        return phrase
    return None


def _institution_key(phrase: str, country: Optional[str]) -> str:
    words = [_CUES.spelling.get(w.lower(), w.lower()) for w in _WORD_RE.findall(phrase)]
    words = [w for w in words if w not in _CUES.country_adjectives]
    if "of" in words:  # "Ministry of Defense" = "Defense Ministry"
        k = words.index("of")
        if k > 0 and words[k - 1] in _CUES.institution_heads:
            words = words[k + 1 :] + words[:k]
    words = [w for w in words if w not in ("the", "of", "for")]
    return f"institution:{country or '-'}:{' '.join(words)}"


def _named_role(ix: _DocIndex, role: str) -> Optional[str]:
    """The one person the article names with this role word before the name ("Governor Ada Voss")."""
    names = set()
    for m in re.finditer(rf"\b{re.escape(role)}\s+(?=[A-Z])", ix.text, re.I):
        ent = ix.ent_of_token.get(ix.token_range(m.end(), m.end() + 1)[0])
        if ent is not None and ent.label == "PERSON":
            names.add(ent.canonical or ent.text)
    return next(iter(names)) if len(names) == 1 else None


def _profile(ix: _DocIndex, quote: Quote, ent_label: Optional[str]) -> None:
    """Fill speaker_kind, speaker_named, speaker_country and speaker_key (and fix the display name)."""
    m = quote.speaker_mention
    if m is None:
        return
    mention = m.text.strip()
    low = _DET_RE.sub("", mention.lower()).strip()
    if low in _CUES.capitals:
        quote.speaker_kind, quote.speaker_country, quote.speaker_named = "institution", _CUES.capitals[low], True
        quote.speaker = quote.speaker or mention
        quote.speaker_key = f"government:{quote.speaker_country}"
        return
    inst = _institution_phrase(mention) if ent_label != "PERSON" else None
    if inst is not None and quote.speaker:
        resolved = _institution_phrase(quote.speaker)  # "the ministry" resolved to "Russian Defense Ministry"
        if resolved is not None and len(resolved) > len(inst):
            inst = resolved
    if inst is not None:
        country = _country_in(inst) or _article_country(ix.text, m.start, ix.outlet_country)
        display = inst
        if _country_in(inst) is None and country in _CUES.demonyms:
            display = f"{_CUES.demonyms[country]} {inst}"
        if display.lower() == display:
            display = quote.speaker or display
        quote.speaker_kind, quote.speaker_country, quote.speaker_named = "institution", country, True
        quote.speaker_key = _institution_key(inst, country)
        if quote.speaker is None or len(quote.speaker) < len(display) or quote.speaker.lower() in inst.lower():
            quote.speaker = display
        return
    head = low.split()[-1] if low.split() else ""
    words = mention.split()
    if ent_label is None and len(words) > 1 and all(w[:1].islower() for w in words[1:]) and head.isalpha():
        name = _named_role(ix, head)  # "the regional governor" when the article names "Governor Ada Voss"
        if name is not None:
            quote.speaker, quote.speaker_descriptor = name, quote.speaker_descriptor or mention
            quote.speaker_kind, quote.speaker_named, quote.speaker_key = "person", True, f"person:{name.lower()}"
            return
    if ent_label != "PERSON" and head in _CUES.unnamed_heads:
        quote.speaker_kind, quote.speaker_named = "person", False
        quote.speaker_descriptor = quote.speaker_descriptor or mention
        quote.speaker = None
        quote.speaker_key = None
        return
    if quote.speaker is None:
        return
    quote.speaker_named = True
    quote.speaker_kind = {"PERSON": "person", "ORG": "organization", "GPE": "institution", "NORP": "organization"}.get(
        ent_label or "", "person" if ent_label is None and quote.speaker[:1].isupper() else None
    )
    if ent_label == "GPE":
        quote.speaker_country = _country_in(quote.speaker) or _CUES.capitals.get(quote.speaker.lower())
    quote.speaker_key = f"{quote.speaker_kind or 'speaker'}:{quote.speaker.lower()}"


def attribute_quotes(doc, entities: list[Entity], outlet_country: Optional[str] = None) -> list[Quote]:
    """Direct, partial and indirect quotes of ``doc`` (a spaCy Doc over the article text),
    plus the quoted text that is no quote (kinds ``title``, ``term``, ``scare``)."""
    text = doc.text
    quotations = find_quotations(text)
    ix = _DocIndex(doc, entities, quotations)
    ix.outlet_country = outlet_country  # ISO alpha-2 of the outlet: whose "Defense Ministry" it is
    att = _Attributor(ix)

    def para_of(char: int) -> int:
        return max(0, bisect_right(ix.para_starts, char) - 1)

    indirect = _indirect(ix, att)
    reported = sorted(((attr.token, attr) for _, attr in indirect), key=lambda x: x[0])
    reported_at = [tok for tok, _ in reported]

    quotes: list[Quote] = []
    own: list[bool] = []
    last: Optional[Attribution] = None
    for q in quotations:
        a, b = ix.token_range(q.start, q.end)
        body = text[q.start : q.end]
        quote = Quote(text=body, kind=_kind(doc, a, b, body), start=q.start, end=q.end, sentence=ix.sent_index(a),
                      parts=[Span(q.start, q.end)])
        attr = _inside_report(indirect, q) if b > a else None
        if attr is None and b > a:
            attr = _cue_for(ix, att, a, b)
        own.append(attr is not None)
        not_quote = _not_a_quote(ix, q, body, attr is not None) if b > a else None
        if not_quote is not None:
            quote.kind = not_quote
            quote.confidence = 0.6
            quotes.append(quote)
            continue
        if attr is not None:
            _apply(quote, attr, attr.confidence)
        else:
            attr = _colon_intro(ix, att, a) if b > a else None
            if attr is not None:
                _apply(quote, attr, attr.confidence - 0.1)
        if attr is None:
            byline = _dash_byline(ix, q.close)
            if byline is not None:
                _apply(quote, byline, byline.confidence)  # names this quote only: no carry-over
                quotes.append(quote)
                continue
        if attr is None and quote.kind == "direct" and b > a:
            attr = _previous_subject(ix, att, a)
            if attr is not None:
                _apply(quote, attr, attr.confidence)
        if attr is None:
            # Carry over the latest attribution before the quote, reported or quoted: a direct
            # quote from this paragraph or the one before, a partial one from this paragraph.
            k = bisect_left(reported_at, a) - 1
            prior = last
            if k >= 0 and (prior is None or reported[k][1].token > prior.token):
                prior = reported[k][1]
            continued = bool(quotes) and quotations[len(quotes) - 1].continues
            gap = q.paragraph - para_of(ix.doc[prior.token].idx) if prior is not None and prior.token >= 0 else 9
            if prior is not None and (continued or (quote.kind == "direct" and gap <= 1) or gap == 0):
                attr = prior
                _apply(quote, prior, min(prior.confidence, 0.9) - 0.2)
        if attr is None:
            quote.confidence = 0.5
        elif attr.speaker is not None or attr.mention is not None:
            last = attr
        quotes.append(quote)

    # A quote running over paragraphs often names its speaker only in its last part.
    for i in range(len(quotes) - 2, -1, -1):
        if quotations[i].continues and not own[i] and quotes[i + 1].speaker_mention is not None:
            nxt = quotes[i + 1]
            quotes[i].speaker, quotes[i].speaker_mention = nxt.speaker, nxt.speaker_mention
            quotes[i].speaker_descriptor, quotes[i].cue = nxt.speaker_descriptor, nxt.cue
            quotes[i].confidence = min(quotes[i].confidence, nxt.confidence)

    quotes = _merge_statements(ix, quotations, quotes)
    for quote, attr in indirect:
        quote.speaker, quote.speaker_mention, quote.speaker_descriptor = attr.speaker, attr.mention, attr.descriptor
        quote.sentence = ix.sent_index(ix.token_range(quote.start, quote.end)[0])
        quote.parts = quote.parts or [Span(quote.start, quote.end)]
        quotes.append(quote)
    for quote in quotes:
        _profile(ix, quote, _mention_label(ix, quote.speaker_mention))
    _merge_speaker_variants(quotes)
    quotes.sort(key=lambda x: (x.start, x.kind))
    return quotes


def _inside_report(indirect: list[tuple[Quote, Attribution]], q: Quotation) -> Optional[Attribution]:
    """A quoted fragment inside a reported clause inherits that report's speaker."""
    best = None
    for rep, attr in indirect:
        if rep.start <= q.open and q.close <= rep.end + 1 and (best is None or rep.end - rep.start < best[0]):
            best = (rep.end - rep.start, attr)
    return best[1] if best is not None else None


def _mention_label(ix: _DocIndex, m: Optional[Mention]) -> Optional[str]:
    if m is None:
        return None
    if m.text.strip().lower() in PRONOUN_GENDER:
        return "PERSON"
    a, b = ix.token_range(m.start, m.end)
    labels = [ix.ent_of_token[i].label for i in range(a, b) if i in ix.ent_of_token]
    return "PERSON" if "PERSON" in labels else (labels[-1] if labels else None)


def _merge_speaker_variants(quotes: list[Quote]) -> None:
    """One display name per speaker key in an article: the longest variant ("Russian Defense Ministry")."""
    best: dict[str, str] = {}
    for q in quotes:
        if q.speaker_key and q.speaker and len(q.speaker) > len(best.get(q.speaker_key, "")):
            best[q.speaker_key] = q.speaker
    for q in quotes:
        if q.speaker_key in best:
            q.speaker = best[q.speaker_key]


def extract_quotes(ctx) -> list[Quote]:
    if ctx.doc is None:
        return []
    entities = ctx.entities or find_entities(ctx.doc, ctx.article.source.name if ctx.article else None)
    source = ctx.article.source if ctx.article else None
    return attribute_quotes(ctx.doc, entities, source.country if source else None)


@component("quotes")
def load() -> Callable:
    return extract_quotes
