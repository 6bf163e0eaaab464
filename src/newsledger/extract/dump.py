"""Page dumps (the seed format). Placeholder: the full parser replaces this."""

from __future__ import annotations

import re

from ..schema import Article, RawDocument

DATE_LINE = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2}) (\S+)\s*$")


def looks_like_dump(text: str) -> bool:
    first = next((l for l in text.splitlines() if l.strip()), "")
    return bool(DATE_LINE.match(first))


def split_dump(text: str) -> list[str]:
    """One string per page: a new page starts at each `date YYYY-MM-DD URL` line."""
    pages, cur = [], []
    for line in text.splitlines():
        if DATE_LINE.match(line) and cur and any(l.strip() for l in cur):
            pages.append("\n".join(cur))
            cur = []
        cur.append(line)
    if any(l.strip() for l in cur):
        pages.append("\n".join(cur))
    return pages


def extract_dump(raw: RawDocument) -> Article:
    raise NotImplementedError
