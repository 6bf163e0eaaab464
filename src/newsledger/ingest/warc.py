"""WARC archives (plain or gzip): one raw document per HTML response record."""

from __future__ import annotations

import os
import zlib
from typing import Iterator, Optional, Union

from warcio.archiveiterator import ArchiveIterator

from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, ReadStats, head_text, looks_like_markup, too_large
from .fetch import content_type_charset, is_html_type

Item = Union[RawDocument, BadInput]

WARC_SUFFIXES = (".warc", ".warc.gz")



def is_warc_path(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


class _Damaged(Exception):
    pass


def read_warc(path: str, stats: Optional[ReadStats] = None) -> Iterator[Item]:
    """Stream the records of one archive; non-page records are counted in
    ``stats.skipped`` under ``warc:<record type>``, ``warc:non-200`` and
    ``warc:non-html``. Damage ends the file with one BadInput."""
    stats = stats if stats is not None else ReadStats()
    offset = 0
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            records = ArchiveIterator(fh)
            for record in records:
                offset = records.offset
                if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
                    raise _Damaged("record without a valid Content-Length")
                item = _record(record, path, offset, stats)
                _drain(record)
                if item is not None:
                    yield item
            # warcio ends quietly on a record cut inside its header; the
            # bytes it left unread are the evidence.
            if records.offset < size:
                offset = records.offset
                raise _Damaged(f"{size - records.offset:,} bytes after the last complete record")
            if _is_gzip(fh) and not _member_complete(fh, offset):
                raise _Damaged("last gzip member cut short")
    except Exception as e:
        # warcio parses damaged bytes with few checks and fails in many ways
        # (AttributeError on a missing header, for one): all of them mean damage.
        # offset is the start of the record being read when the damage showed.
        name = "" if isinstance(e, _Damaged) else f"{type(e).__name__}: "
        yield BadInput(Origin("warc", path, offset=offset), f"damaged WARC: {name}{e}"[:300])


def _is_gzip(fh) -> bool:
    fh.seek(0)
    return fh.read(2) == b"\x1f\x8b"


def _member_complete(fh, offset: int) -> bool:
    """Whether the gzip member at ``offset`` ends with its trailer: a cut in
    the last 8 bytes loses nothing warcio notices, but the file is still cut."""
    fh.seek(offset)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        while not inflater.eof:
            chunk = inflater.unconsumed_tail or fh.read(1024 * 1024)
            if not chunk:
                return False
            inflater.decompress(chunk, 1024 * 1024)  # output discarded, only the end matters
    except zlib.error:
        return False
    return True


def _drain(record) -> None:
    """Read the rest of the record block; fewer bytes than its Content-Length means the file was cut."""
    raw = record.raw_stream
    while raw.read(1024 * 1024):
        pass
    if getattr(raw, "limit", 0) > 0:
        raise _Damaged(f"record cut short ({raw.limit:,} bytes missing)")


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
