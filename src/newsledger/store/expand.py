"""Place-name expansion for full-text queries: "Seversk" also finds "Siversk".

Outlets spell the same town differently (Russian and Ukrainian transliterations,
old and new names). The place mentions already resolved to GeoNames ids say
which spellings are one place: a query word that names a resolved place is
widened to every spelling stored for the same id. Only plain words are
expanded; a query that uses the FTS syntax (quotes, brackets, prefixes,
columns) is left exactly as typed, apart from its plain words.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Rows = Callable[[str, Any], list[dict[str, Any]]]

_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
_WORD = re.compile(r"^[^\W\d_][\w’'\-]*$")
MAX_VARIANTS = 8


def place_variants(rows: Rows, word: str) -> list[str]:
    """Other single-word spellings of the place(s) ``word`` names (case-insensitively), by GeoNames id."""
    found = rows(
        "SELECT DISTINCT v FROM ("
        "SELECT text AS v FROM places WHERE geonames_id IN (SELECT geonames_id FROM places "
        "WHERE (lower(text) = lower(?) OR lower(name) = lower(?)) AND geonames_id IS NOT NULL) "
        "UNION SELECT name FROM places WHERE geonames_id IN (SELECT geonames_id FROM places "
        "WHERE (lower(text) = lower(?) OR lower(name) = lower(?)) AND geonames_id IS NOT NULL)) AS t "
        "WHERE v IS NOT NULL ORDER BY v",
        [word] * 4,
    )
    out, seen = [], {word.lower()}
    for r in found:
        v = str(r["v"]).strip()
        if v.lower() in seen or not _WORD.match(v):
            continue  # multi-word descriptions ("the strategic city") are no spelling of the name
        seen.add(v.lower())
        out.append(v)
    return out[:MAX_VARIANTS]


def expand_query(rows: Rows, query: str) -> tuple[str, dict[str, list[str]]]:
    """The query with each plain place word widened to ``(word OR variant ...)``, and the
    expansions made ({word: [variants]}). Unchanged when nothing expands."""
    tokens = query.split()
    expanded: dict[str, list[str]] = {}
    out = []
    for tok in tokens:
        if tok.upper() in _OPERATORS or not _WORD.match(tok):
            out.append(tok)
            continue
        variants = place_variants(rows, tok)
        if variants:
            expanded[tok] = variants
            out.append("(" + " OR ".join(f'"{w}"' for w in [tok, *variants]) + ")")
        else:
            out.append(f'"{tok}"' if not tok.isalpha() else tok)
    if not expanded:
        return query, {}
    return " ".join(out), expanded
