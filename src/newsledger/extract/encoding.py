"""Bytes -> str for pages whose declared charset may be missing or wrong."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


def _valid(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode trusting UTF-8 first, a declared charset only when it decodes
    cleanly and is not the classic latin-1 mislabel, else detection."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _valid(declared)
    # latin-1/cp1252 labels decode any byte string, so they prove nothing: detect instead.
    if declared and declared not in ("latin-1", "iso8859-1", "cp1252", "ascii"):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode(declared or "cp1252", errors="replace")
