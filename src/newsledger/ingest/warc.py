"""WARC archives (plain or gzip): one raw document per HTML response record."""

from __future__ import annotations

import zlib
from typing import Iterator, Optional, Union

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, ReadStats, head_text, looks_like_markup, too_large
from .fetch import content_type_charset, is_html_type

Item = Union[RawDocument, BadInput]

WARC_SUFFIXES = (".warc", ".warc.gz")

# Errors warcio and the gzip layer raise on damaged or cut archives.
_DAMAGE = (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError, IndexError)


def is_warc_path(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


def read_warc(path: str, stats: Optional[ReadStats] = None) -> Iterator[Item]:
    """Stream the records of one archive; non-page records are counted in
    ``stats.skipped`` under ``warc:<record type>``, ``warc:non-200`` and
    ``warc:non-html``. Damage ends the file with one BadInput."""
    stats = stats if stats is not None else ReadStats()
    offset = 0
    try:
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                offset = records.offset
                item = _record(record, path, offset, stats)
                if item is not None:
                    yield item
    except _DAMAGE as e:
        # offset is the start of the record being read when the damage showed.
        yield BadInput(Origin("warc", path, offset=offset), f"damaged WARC: {type(e).__name__}: {e}"[:300])


def _record(record, path: str, offset: int, stats: ReadStats) -> Item | None:
    if record.rec_type != "response":
        stats.skip(f"warc:{record.rec_type}")
        return None
    headers = record.rec_headers
    origin = Origin("warc", path, offset=offset, item=headers.get_header("WARC-Record-ID"))
    http = record.http_headers
    if http is None:  # a response for dns: or ftp: captures, not a web page
        stats.skip("warc:non-http")
        return None
    status = http.get_statuscode()
    if status != "200":
        stats.skip("warc:non-200")
        return None
    ctype = http.get_header("Content-Type")
    if ctype and not is_html_type(ctype):
        stats.skip("warc:non-html")
        return None
    data = record.content_stream().read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        return BadInput(origin, too_large())
    if not data.strip():
        return BadInput(origin, "empty response body")
    text, bom = head_text(data)
    if not ctype and (text is None or not looks_like_markup(text)):
        stats.skip("warc:non-html")
        return None
    if text is None:
        return BadInput(origin, "not HTML: binary content")
    return RawDocument(
        origin=origin,
        format="html",
        content=data,
        url=headers.get_header("WARC-Target-URI"),
        charset=bom or content_type_charset(ctype),
        fetched=headers.get_header("WARC-Date"),
    )
