"""Framing: loaded terms, with who uses them and a neutral equivalent.

The lexicon is data (``newsledger/data/framing.json``); users extend or
override it without code changes by listing JSON files of the same shape in
``NEWSLEDGER_FRAMING`` (``os.pathsep``-separated) or by passing paths to
``lexicon()``/``load()``. An extra entry whose ``term`` already exists
replaces the bundled one, so a user can also retune a pattern or confidence.

Matching rules: each pattern is a regular expression matched as whole words
(no letter, digit or hyphen directly before, no letter or digit directly
after), so "Kiev" matches "Kiev" and "Kiev’s" but never "Kievan" or "Kyiv";
a space in a pattern matches any whitespace run (line breaks included).
When matches of the same category overlap, the longest is kept ("terrorist
state", not "terrorist"); matches of different categories may nest ("Kiev
regime" is delegitimising, its "Kiev" is also a spelling choice).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from ..schema import Framing
from .pipeline import component

ENV_VAR = "NEWSLEDGER_FRAMING"
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "framing.json"
# Russian and Ukrainian lexicons beside the English one: same categories, their own terms.
BUNDLED_LANGS = tuple(Path(__file__).resolve().parent.parent / "data" / lang / "framing.json" for lang in ("ru", "uk"))


class FramingLexiconError(ValueError):
    """A lexicon file is malformed (bad JSON, missing keys, bad regex)."""


@dataclass(frozen=True)
class Entry:
    term: str
    category: str
    regex: re.Pattern
    neutral: Optional[str]
    used_by: Optional[str]
    confidence: float
    lang: Optional[str] = None  # only for articles in this language (None: every article)


def _compile(patterns: Sequence[str], case_sensitive: bool, origin: str, term: str) -> re.Pattern:
    parts = [p.replace(" ", r"\s+") for p in patterns]
    body = "|".join(f"(?:{p})" for p in parts)
    try:
        return re.compile(rf"(?<![\w-])(?:{body})(?!\w)", 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise FramingLexiconError(f"{origin}: bad pattern for {term!r}: {exc}") from exc


def _read(path: Path, lang: Optional[str] = None) -> list[Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FramingLexiconError(f"{path}: {exc}") from exc
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise FramingLexiconError(f"{path}: expected a list of entries")
    out = []
    for i, it in enumerate(items):
        if not isinstance(it, dict) or not it.get("term") or not it.get("category"):
            raise FramingLexiconError(f"{path}: entry #{i} needs 'term' and 'category'")
        pats = it.get("patterns") or [" ".join(map(re.escape, it["term"].split()))]
        if isinstance(pats, str) or not all(isinstance(p, str) and p for p in pats):
            raise FramingLexiconError(f"{path}: entry {it['term']!r}: 'patterns' must be a list of strings")
        out.append(Entry(
            term=it["term"],
            category=it["category"],
            regex=_compile(pats, bool(it.get("case_sensitive")), str(path), it["term"]),
            neutral=it.get("neutral"),
            used_by=it.get("used_by"),
            confidence=float(it.get("confidence", 1.0)),
            lang=it.get("lang", lang),
        ))
    return out


@lru_cache(maxsize=8)
def lexicon(extra_paths: tuple[str, ...] = ()) -> tuple[Entry, ...]:
    """Bundled entries with those of ``extra_paths`` merged over them by term."""
    merged: dict[str, Entry] = {}
    sources = [(BUNDLED, None), *((p, p.parent.name) for p in BUNDLED_LANGS), *((Path(p), None) for p in extra_paths)]
    for path, lang in sources:
        for e in _read(path, lang):
            merged[e.term.lower()] = e
    return tuple(merged.values())


def env_paths() -> tuple[str, ...]:
    return tuple(p for p in (os.environ.get(ENV_VAR) or "").split(os.pathsep) if p)


def find_framing(text: str, entries: Iterable[Entry]) -> list[Framing]:
    found: list[Framing] = []
    for e in entries:
        for m in e.regex.finditer(text):
            found.append(Framing(term=e.term, text=m.group(0), start=m.start(), end=m.end(), category=e.category,
                                 neutral=e.neutral, used_by=e.used_by, confidence=e.confidence))
    # Longest first so a same-category overlap keeps the fuller phrase.
    found.sort(key=lambda f: (f.start - f.end, f.start))
    kept: list[Framing] = []
    for f in found:
        if not any(k.category == f.category and k.start < f.end and f.start < k.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: (f.start, -f.end))
    return kept


@component("framing")
def load(paths: Sequence[str] = ()) -> Callable[[object], list[Framing]]:
    """Pipeline component: framing over the article body (not the headline: offsets index ``text``)."""
    entries = lexicon(tuple(paths) or env_paths())

    def framing(ctx) -> list[Framing]:
        lang = ctx.article.language
        return find_framing(ctx.article.text or "", [e for e in entries if e.lang is None or e.lang == lang])

    return framing
