"""Walls instead of news: captcha and paywall pages, recognised by the patterns
in ``data/watch_blocks.json``."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

DATA = Path(__file__).resolve().parent.parent / "data" / "watch_blocks.json"
SCAN_CHARS = 64 * 1024


@lru_cache(maxsize=1)
def patterns() -> dict[str, re.Pattern]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {kind: re.compile("|".join(f"(?:{p})" for p in raw[kind]), re.I) for kind in ("captcha", "paywall")}


def detect(page: str) -> Optional[str]:
    """"captcha" or "paywall" when ``page`` is such a wall, else None."""
    head = page[:SCAN_CHARS]
    for kind, pattern in patterns().items():
        if pattern.search(head):
            return kind
    return None
