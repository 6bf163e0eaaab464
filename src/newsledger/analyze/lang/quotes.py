"""Russian/Ukrainian quotes: marked quotations (« », „ “, ‹ ›), dash direct speech and dialogue,
reported speech after a verb of saying or "по словам / за словами", with speakers resolved to
the entities (pronouns to the last named person, surnames to the full name).

The marks are paired by the shared ``quotes.find_quotations``; the cue lists are data
(``data/ru/speech.json``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Optional

from ...schema import Mention, Quote
from ..nlp import CYRILLIC, sentence_of
from ..pipeline import component
from .common import DATA

DIRECT_MIN_WORDS = 4
DASHES = "—–"
# After a closing mark: ", — сказал он", "— заявив Коваленко".
_AFTER = re.compile(r"\s*[,.!?…]?\s*[—–-]\s*")
# Dash dialogue: a paragraph opening with a dash, its speech up to ", — cue ...".
_DIALOGUE = re.compile(r"^[ \t]*[—–]\s*(?P<speech>[^—–\n]+?)\s*[,!?.…]?\s*[—–]\s*(?P<rest>[^\n]+)$", re.M)


@lru_cache(maxsize=None)
def _cues(lang: str) -> dict:
    d = json.loads((DATA / "ru" / "speech.json").read_text(encoding="utf-8"))[lang]
    d["verbs"] = frozenset(d["verbs"])
    d["according"] = tuple(sorted(d["according"], key=len, reverse=True))
    return d


class _Speakers:
    """Entities by position, for "the speaker named near this offset"."""

    def __init__(self, entities):
        self.people = [e for e in entities if e.label in ("PERSON", "ORG")]

    def within(self, a: int, b: int):
        return [e for e in self.people if a <= e.start and e.end <= b]

    def last_person_before(self, pos: int):
        best = None
        for e in self.people:
            if e.label == "PERSON" and e.end <= pos:
                best = e
        return best


def _cue_tokens(doc, lang: str, a: int, b: int):
    """Speech-verb tokens whose text lies in [a, b)."""
    verbs = _cues(lang)["verbs"]
    span = doc.char_span(a, b, alignment_mode="contract")
    if span is None:
        return []
    return [t for t in span if t.lemma_ in verbs or t.lemma_.replace("ё", "е") in verbs]


def _resolve(lang: str, doc, sp: _Speakers, a: int, b: int, quote_start: int):
    """(speaker entity or None, mention text) from the words in [a, b) around a cue."""
    ents = sp.within(a, b)
    if ents:
        # "представитель МИД России Мария Захарова": the person, not the body she speaks for.
        people = [e for e in ents if e.label == "PERSON"]
        e = people[-1] if people else ents[0]
        return e, Mention(text=e.text, start=e.start, end=e.end)
    pronouns = _cues(lang)["pronouns"]
    for m in re.finditer(r"\w+", doc.text[a:b]):
        if m.group(0).lower() in pronouns:
            return sp.last_person_before(a + m.start()), Mention(text=m.group(0), start=a + m.start(), end=a + m.end())
    return None, None


def _quote(doc, text: str, s: int, e: int, kind: str, ent, mention: Optional[Mention], cue: Optional[str],
           conf: float = 1.0) -> Quote:
    q = Quote(text=text[s:e], kind=kind, start=s, end=e, cue=cue, sentence=sentence_of(doc, s),
              confidence=conf)
    if ent is not None:
        q.speaker = ent.canonical
        q.speaker_descriptor = ent.descriptor
        q.speaker_kind = "person" if ent.label == "PERSON" else "organization"
        q.speaker_named = True
        q.speaker_key = ent.key
    q.speaker_mention = mention
    return q


def _sentence_bounds(doc, pos: int) -> tuple[int, int]:
    tok = doc.char_span(pos, min(len(doc.text), pos + 1), alignment_mode="expand")
    if tok is None:
        return pos, pos
    sent = tok[0].sent
    return sent.start_char, sent.end_char


def find_quotes(doc, entities, lang: str) -> list[Quote]:
    from ..quotes import find_quotations

    if doc is None:
        return []
    text = doc.text
    sp = _Speakers(entities)
    out: list[Quote] = []
    covered: list[tuple[int, int]] = []
    last_speaker = None

    for q in find_quotations(text):
        body = text[q.start:q.end]
        words = len(body.split())
        para_end = text.find("\n", q.close)
        para_end = len(text) if para_end < 0 else para_end
        ent = mention = cue = None
        conf = 1.0
        # Cue after the quote: «...», — сказал Коротченко.
        m = _AFTER.match(text, q.close + 1, para_end)
        if m:
            after_end = min(para_end, m.end() + 80)
            stop = re.search(r"[.!?]", text[m.end():after_end])
            after_end = m.end() + stop.start() if stop else after_end
            cues = _cue_tokens(doc, lang, m.end(), after_end)
            if cues:
                cue = cues[0].text
                ent, mention = _resolve(lang, doc, sp, m.end(), after_end, q.start)
        if cue is None and (words >= DIRECT_MIN_WORDS or text[:q.open].rstrip().endswith(":")):
            # Cue before the quote in its sentence: Коротченко заявил: «...».
            s0, _ = _sentence_bounds(doc, q.open)
            cues = _cue_tokens(doc, lang, s0, q.open)
            if cues:
                cue = cues[-1].text
                ent, mention = _resolve(lang, doc, sp, s0, q.open, q.start)
        if cue is None:
            if words < DIRECT_MIN_WORDS or body[:1].islower():
                continue  # a name or term in quotes (группировка «Юг»), not speech
            ent = last_speaker
            conf = 0.6
        else:
            conf = 1.0
        # A short quote is still a whole utterance when it opens with a capital and a cue names its speaker.
        kind = "direct" if words >= DIRECT_MIN_WORDS or (cue is not None and body[:1].isupper()) else "partial"
        out.append(_quote(doc, text, q.start, q.end, kind, ent, mention, cue, conf))
        covered.append((q.open, q.close + 1))
        if ent is not None:
            last_speaker = ent

    # Dash direct speech: — Мы готовы, — заявил он.
    for m in _DIALOGUE.finditer(text):
        s, e = m.start("speech"), m.end("speech")
        if any(a <= s < b for a, b in covered):
            continue
        rest_s = m.start("rest")
        rest_e = rest_s + len(re.split(r"[.!?]", m.group("rest"))[0])
        cues = _cue_tokens(doc, lang, rest_s, rest_e)
        if not cues:
            continue
        ent, mention = _resolve(lang, doc, sp, rest_s, rest_e, s)
        out.append(_quote(doc, text, s, e, "direct", ent, mention, cues[0].text))
        covered.append((s, e))

    # Reported speech: "По словам X, ..." and "X заявил, что ...".
    low = text.lower()
    for phrase in _cues(lang)["according"]:
        for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", low):
            s0, s1 = _sentence_bounds(doc, m.start())
            comma = text.find(",", m.end(), s1)
            if comma < 0:
                continue
            if any(a <= comma < b for a, b in covered):
                continue
            # From the phrase's start: "по его словам" names its speaker inside the phrase.
            ent, mention = _resolve(lang, doc, sp, m.start(), comma, m.end())
            if ent is None:
                continue
            cs = comma + 1
            while cs < s1 and text[cs].isspace():
                cs += 1
            ce = s1
            while ce > cs and text[ce - 1] in " .!?\n":
                ce -= 1
            if ce - cs < 10:
                continue
            out.append(_quote(doc, text, cs, ce, "indirect", ent, mention, text[m.start():m.end()]))
            covered.append((cs, ce))
    that = set(_cues(lang)["that"])
    for sent in doc.sents:
        toks = list(sent)
        for i, t in enumerate(toks[:-2]):  # noqa: B007
            if t.lemma_ not in _cues(lang)["verbs"]:
                continue
            # "заявил, что", "рассказал корреспонденту, что": up to three words before the comma.
            k = next((k for k in range(i + 1, min(i + 5, len(toks) - 1))
                      if toks[k].text == "," and toks[k + 1].lower_ in that), None)
            if k is None or any(x.is_punct for x in toks[i + 1:k]):
                continue
            cs = toks[k + 1].idx + len(toks[k + 1].text)
            while cs < sent.end_char and text[cs].isspace():
                cs += 1
            ce = sent.end_char
            while ce > cs and text[ce - 1] in " .!?\n":
                ce -= 1
            if ce - cs < 10 or any(a < ce and cs < b for a, b in covered):
                continue
            ent, mention = _resolve(lang, doc, sp, sent.start_char, t.idx, cs)
            out.append(_quote(doc, text, cs, ce, "indirect", ent, mention, t.text))
            covered.append((cs, ce))
    out.sort(key=lambda q: q.start)
    return out


@component("quotes", langs=CYRILLIC)
def load(lang: str):
    def quotes(ctx) -> list[Quote]:
        return find_quotes(ctx.doc, ctx.entities, lang)

    return quotes
