"""Pieces every reader shares: limits, statistics and content sniffing."""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass, field

# A real article page is well under 2 MB; anything past this is a crawl
# artefact or an attack, and holding it in memory would hurt the batch.
MAX_PAGE_BYTES = 20 * 1024 * 1024

# How much of a file the sniffers look at: enough to get past a long
# <head> of inline scripts, small enough to be free.
SNIFF_BYTES = 64 * 1024


class InputError(Exception):
    """An input named on the command line cannot be used at all (e.g. it does not exist)."""


@dataclass
class ReadStats:
    """Counts of what ``read`` produced and what it passed over on purpose."""

    documents: int = 0
    bad: int = 0
    files: int = 0  # files opened so far (progress against ``count_inputs``)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, key: str, n: int = 1) -> None:
        self.skipped[key] = self.skipped.get(key, 0) + n


def too_large() -> str:
    # One wording for every oversize input, so quarantine counts group them.
    return f"page larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB"


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_charset(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


_TAG = re.compile(r"<(?:!doctype|!--|\?xml|/?[a-z][a-z0-9:-]*[\s>/])", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def head_text(data: bytes) -> tuple[str | None, str | None]:
    """(decoded start of ``data``, charset hint from a BOM or UTF-16 shape).

    Returns ``(None, None)`` for binary data: NUL or control bytes that no
    text encoding explains.
    """
    head = data[:SNIFF_BYTES]
    charset = bom_charset(head)
    if charset is None and b"\x00" in head[:512]:
        # BOM-less UTF-16 markup: every other byte of an ASCII '<' is NUL.
        if head[:2] == b"<\x00":
            charset = "utf-16-le"
        elif head[:2] == b"\x00<":
            charset = "utf-16-be"
        elif head[:512].count(b"\x00") > 16 or not looks_like_markup(head[:512].decode("utf-8", errors="replace")):
            # a stray NUL or two in markup (in a meta value, say) is damage, not binary
            return None, None
    if charset is None:
        if len(_CONTROL.findall(head)) > max(8, len(head) // 100):
            return None, None
        return head.decode("utf-8", errors="replace"), None
    return head.decode(charset, errors="replace").lstrip("\ufeff"), charset


def looks_like_markup(text: str) -> bool:
    return bool(_TAG.search(text[:SNIFF_BYTES]))


_PROLOG_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def root_element(text: str) -> str | None:
    """Local name of the first element, lower-cased, skipping the XML prolog."""
    pos = 0
    while True:
        m = _PROLOG_SKIP.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _ROOT.match(text, pos)
    return m.group(2).lower() if m else None


# A lone surrogate cannot be encoded, so one that reaches a str (from a JSON
# escape or an XML character reference) would fail hashing, spaCy and SQLite.
SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(text: str) -> str:
    return SURROGATE.sub("\ufffd", text)


FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})

GZIP_MAGIC = b"\x1f\x8b"


def gunzip_capped(data: bytes, limit: int = MAX_PAGE_BYTES + 1) -> bytes:
    """Inflate gzip ``data`` (first member) to at most ``limit`` bytes;
    anything else, or damaged gzip, comes back unchanged. Works on a
    truncated prefix too, which is what sniffing hands it."""
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data, limit)
    except zlib.error:
        return data
