"""Text features for story clustering and copy detection: lead terms and sentence hashes."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from datetime import date
from typing import Optional

_WORD = re.compile(r"\w+", re.UNICODE)
# Sentence ends: terminal punctuation (optionally a closing quote) before space, or a paragraph break.
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’»]?\s+|\n\s*\n")
LEAD_WORDS = 80  # words of the body that, with the title, describe what an article is about
STEM = 7  # terms are cut to this many characters: a cheap, language-neutral stemmer
MIN_SENTENCE_WORDS = 6  # shorter sentences ("He said.") are too common to mark a copy

# Function words of the corpus languages that carry no topic.
STOPWORDS = frozenset(
    """a about after again against all also an and any are as at be because been before being between both but by
    can could did do does during each few for from further had has have having he her here hers him his how i if in
    into is it its itself just me more most my no nor not now of off on once only or other our out over own said same
    says she should so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your told according
    on monday tuesday wednesday thursday friday saturday sunday
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от
    меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам
    ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего
    раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем
    чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот
    через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть
    том нельзя такой им более всегда конечно всю между і та це що як але з до від за на не та
    """.split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _term(w: str) -> Optional[str]:
    if len(w) < 3 or w.isdigit() or w in STOPWORDS:
        return None
    return w[:STEM]


def lead_terms(title: Optional[str], text: str) -> Counter:
    """Term counts of the title (counted twice: it names the event) and the lead."""
    counts: Counter = Counter()
    for w in words(title or ""):
        t = _term(w)
        if t:
            counts[t] += 2
    for w in words(text)[:LEAD_WORDS]:
        t = _term(w)
        if t:
            counts[t] += 1
    return counts


def title_terms(title: Optional[str]) -> set[str]:
    return {t for t in (_term(w) for w in words(title or "")) if t and len(t) >= 4}


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 1)) + 1.0


def weigh(v: dict[str, int], dfs: dict[str, int], n: int, idfs: dict[str, float]) -> tuple[dict[str, float], float]:
    """TF-IDF weights of a term-count vector under the current document frequencies, and their norm.

    ``idfs`` caches idf per term for the duration of one comparison round.
    """
    out = {}
    for t, c in v.items():
        w = idfs.get(t)
        if w is None:
            w = idfs[t] = idf(dfs.get(t, 0), n)
        out[t] = (1 + math.log(c)) * w if c > 1 else w
    return out, math.sqrt(sum(w * w for w in out.values()))


def cosine(a: tuple[dict[str, float], float], b: tuple[dict[str, float], float]) -> float:
    """Cosine of two weighted vectors from ``weigh``."""
    (wa, na), (wb, nb) = a, b
    if len(wb) < len(wa):
        wa, wb = wb, wa
    dot = sum(w * wb[t] for t, w in wa.items() if t in wb)
    return dot / (na * nb) if dot else 0.0


def sentences(text: str) -> list[tuple[int, int, int]]:
    """(hash, start, end) of each sentence of at least MIN_SENTENCE_WORDS words.

    The hash is of the lower-cased words only, so punctuation, quote styles and
    spacing changed by a reprinting outlet do not hide a copied sentence.
    """
    out = []
    pos = 0
    for m in _SENT_END.finditer(text + "\n\n"):
        start, end = pos, m.start()
        pos = m.end()
        chunk = text[start:end]
        ws = words(chunk)
        if len(ws) < MIN_SENTENCE_WORDS:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        digest = hashlib.blake2b(" ".join(ws).encode("utf-8"), digest_size=8).digest()
        out.append((int.from_bytes(digest, "big", signed=True), start + lead, min(end, len(text))))
    return out


def day_number(iso: Optional[str]) -> Optional[int]:
    """Days since 0001-01-01 of an ISO date or date-time (its local calendar day)."""
    if not iso or len(iso) < 10:
        return None
    try:
        return date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None
