"""WARC archives (plain or gzip): one raw document per HTML response record."""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Generator, Iterator, Optional, Union

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, ReadStats, head_text, looks_like_markup, too_large
from .fetch import content_type_charset, is_html_type
from .registry import reader

Item = Union[RawDocument, BadInput]

WARC_SUFFIXES = (".warc", ".warc.gz")


def is_warc_path(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


class _Damaged(Exception):
    pass


class _WholeFileGzip(Exception):
    """The archive is one gzip stream instead of one gzip member per record."""


def read_warc(path: str, stats: Optional[ReadStats] = None) -> Iterator[Item]:
    """Stream the records of one archive; non-page records are counted in
    ``stats.skipped`` under ``warc:<record type>``, ``warc:non-200`` and
    ``warc:non-html``. Damage ends the file with one BadInput.

    Offsets are byte offsets in the file, except for an archive gzipped as
    a whole (not per record), where they count uncompressed bytes.
    """
    stats = stats if stats is not None else ReadStats()
    done = [0]  # records handled so far, kept across the whole-file-gzip restart
    try:
        with open(path, "rb") as fh:
            yield from _records(fh, path, stats, done, seekable=True)
        return
    except _WholeFileGzip:
        pass
    with open(path, "rb") as fh, gzip.GzipFile(fileobj=fh) as stream:
        damaged = yield from _records(stream, path, stats, done, seekable=False)
        # warcio takes the EOFError of a cut gzip stream for a normal end
        if not damaged and not _gzip_complete(fh, 0):
            yield BadInput(Origin("warc", path), "damaged WARC: gzip stream cut short")


def _records(fh, path: str, stats: ReadStats, done: list[int], *, seekable: bool) -> Generator[Item, None, bool]:
    """Items of the records in ``fh``, skipping the first ``done[0]``; returns
    whether damage was reported."""
    offset, skip = 0, done[0]
    try:
        records = ArchiveIterator(fh)
        for n, record in enumerate(records):
            offset = records.offset
            if n < skip:
                continue
            if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
                raise _Damaged("record without a valid Content-Length")
            item = _record(record, path, offset, stats)
            _drain(record)
            done[0] += 1
            if item is not None:
                yield item
        if not seekable:
            return False
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise _Damaged("empty file")
        # warcio ends quietly on a record cut inside its header; the
        # bytes it left unread are the evidence.
        if records.offset < size:
            offset = records.offset
            raise _Damaged(f"{size - records.offset:,} bytes after the last complete record")
        if _is_gzip(fh) and not _gzip_complete(fh, offset):
            raise _Damaged("last gzip member cut short")
    except ArchiveLoadFailed as e:
        if seekable and "non-chunked gzip" in str(e):
            raise _WholeFileGzip() from None
        yield BadInput(Origin("warc", path, offset=offset), f"damaged WARC: ArchiveLoadFailed: {e}"[:300])
        return True
    except Exception as e:
        # warcio parses damaged bytes with few checks and fails in many ways
        # (AttributeError on a missing header, for one): all of them mean damage.
        # offset is the start of the record being read when the damage showed.
        name = "" if isinstance(e, _Damaged) else f"{type(e).__name__}: "
        yield BadInput(Origin("warc", path, offset=offset), f"damaged WARC: {name}{e}"[:300])
        return True
    return False


def _is_gzip(fh) -> bool:
    fh.seek(0)
    return fh.read(2) == b"\x1f\x8b"


def _gzip_complete(fh, offset: int) -> bool:
    """Whether the gzip members from ``offset`` to the end of the file all end
    with their trailer. A cut in a member's last bytes loses nothing warcio
    notices (and it takes a cut whole-file gzip for a normal end), but the
    file is still cut."""
    fh.seek(offset)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    data = b""
    try:
        while True:
            if not data:
                data = fh.read(1024 * 1024)
                if not data:
                    return inflater.eof
            if inflater.eof:
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)  # the next member
            inflater.decompress(data, 1024 * 1024)  # output discarded, only the ends matter
            data = inflater.unconsumed_tail or inflater.unused_data
    except zlib.error:
        return False


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


@reader("warc", claims=is_warc_path, order=10)
def _read_warc_file(path: str, ctx) -> Iterator[Item]:
    return read_warc(path, ctx.stats)
