"""Bytes -> str for pages whose declared charset may be missing or wrong.

Order of trust: a BOM; valid UTF-8 (random non-UTF-8 bytes almost never
are); the declared charset (HTTP/WARC header, then the page's own
``<meta charset>``) when it decodes cleanly; detection last. Latin-1 and
cp1252 labels decode any byte string, so they prove nothing: such pages are
read as cp1252 (what browsers do) unless the result looks like another
single-byte script read as Latin, in which case detection decides.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_LATIN_LABELS = frozenset(("latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"))
# Letters U+00C0-U+00FF are where Cyrillic/Greek/Hebrew bytes land when read as cp1252.
_HIGH_LATIN = re.compile(r"[\u00c0-\u00ff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _valid(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def sniff_meta_charset(data: bytes) -> str | None:
    """The charset a page declares in its first few kilobytes, if any."""
    m = _META_CHARSET.search(data[:4096])
    return _valid(m.group(1).decode("ascii", "ignore")) if m else None


def _looks_misread(text: str) -> bool:
    """True when cp1252 output is mostly accented capitals/lowercase runs: another script misread."""
    sample = text[:50_000]
    high = len(_HIGH_LATIN.findall(sample))
    return high > 50 and high > len(_ASCII_LETTER.findall(sample)) * 0.3


def _detect(data: bytes) -> str | None:
    best = from_bytes(data[:200_000]).best()
    return best.encoding if best is not None and best.encoding else None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode trusting UTF-8 first, a declared charset only when it decodes
    cleanly and is not the classic latin-1 mislabel, else detection."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    labels = [_valid(declared), sniff_meta_charset(data)]
    latin_label = False
    for label in labels:
        if not label or label == "utf-8":
            continue
        if label in _LATIN_LABELS:
            latin_label = True
            continue
        try:
            return data.decode(label)
        except UnicodeDecodeError:
            continue
    if latin_label:
        text = data.decode("cp1252", errors="replace")
        if not _looks_misread(text):
            return text
    found = _detect(data)
    if found:
        return data.decode(found, errors="replace")
    return data.decode("cp1252", errors="replace")
