"""Search stems for Russian and Ukrainian words, so "Северск" finds "Северска" and "Северском".

The full-text indexes keep Cyrillic words as written (their stemmer is English), so a
Cyrillic query word becomes a prefix query on its stem. Russian uses the Snowball
stemmer; Ukrainian, which Snowball lacks, drops one case ending from a list.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CYRILLIC = re.compile(r"^[а-яёіїєґʼ'’]+$")
_UKRAINIAN = re.compile(r"[іїєґ]")
# Ukrainian noun and adjective case endings, longest first.
_UK_ENDINGS = tuple(sorted((
    "ами", "ями", "ові", "еві", "єві", "ого", "ому", "ими", "ій", "ої", "ою", "ею", "єю", "их", "ім", "им",
    "ах", "ях", "ам", "ям", "ом", "ем", "єм", "ий", "а", "я", "у", "ю", "і", "ї", "е", "є", "о", "и",
), key=len, reverse=True))
MIN_STEM = 4


@lru_cache(maxsize=1)
def _russian():
    import snowballstemmer

    return snowballstemmer.stemmer("russian")


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.match(word.lower()))


@lru_cache(maxsize=50_000)
def search_stem(word: str, min_stem: int = MIN_STEM) -> str:
    """The prefix a Cyrillic query word is searched by (never shorter than ``min_stem`` letters)."""
    w = word.lower()
    if _UKRAINIAN.search(w):
        for end in _UK_ENDINGS:
            if w.endswith(end) and len(w) - len(end) >= min_stem:
                return w[: -len(end)]
        return w
    stem = _russian().stemWord(w)
    return stem if len(stem) >= min_stem else w[: max(min_stem, len(stem))]


_CONS = "бвгґджзклмнпрстфхцчшщ"
_CLOSED = re.compile(rf"^(.+?)([іїоеє])([{_CONS}])$")
# Ukrainian і in a closed last syllable alternates with о/е in the other cases (Київ/Києва, Харків/Харкова).
_ALTERNATE = {"і": ("о", "е"), "ї": ("є",), "о": ("і",), "е": ("і",), "є": ("ї",)}


def search_stems(word: str) -> tuple[str, ...]:
    """The stem, and for Ukrainian its alternate vowel form: every case form starts with one of them."""
    stem = search_stem(word)
    m = _CLOSED.match(stem)
    if not m or not (_UKRAINIAN.search(word.lower()) or m.group(2) in "іїє"):
        return (stem,)
    return (stem, *(m.group(1) + v + m.group(3) for v in _ALTERNATE[m.group(2)]))
