"""JSON Lines: one page per line, ``{"url", "html" | "text", "published"?}``."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any, Iterator, Union

from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, scrub_surrogates, too_large
from .dates import iso_date
from .registry import reader

Item = Union[RawDocument, BadInput]

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


def is_jsonl_path(path: str) -> bool:
    return path.lower().endswith(JSONL_SUFFIXES)


def _lines(f) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line over the page cap,
    which is skipped without ever being held whole."""
    number = 0
    while True:
        line = f.readline(MAX_PAGE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_PAGE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = f.readline(1024 * 1024)
            yield number, None
            continue
        yield number, line


def read_jsonl(path: str) -> Iterator[Item]:
    opener = gzip.open if path.lower().endswith(".gz") else open
    number = 0
    try:
        with opener(path, "rb") as f:
            for number, line in _lines(f):
                origin = Origin("jsonl", path, offset=number)
                if line is None:
                    yield BadInput(origin, too_large())
                    continue
                if line.strip():
                    yield parse_line(line, origin)
    except (OSError, EOFError, zlib.error) as e:
        yield BadInput(Origin("jsonl", path, offset=number + 1), f"cannot read file: {e}")


def parse_line(line: bytes, origin: Origin) -> Item:
    # Reasons are fixed phrases so quarantine counts group them; the line
    # number is origin.offset and the detail goes to the excerpt.
    excerpt = line[:200].decode("utf-8", "replace").rstrip()
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as e:
        return BadInput(origin, "invalid JSON", excerpt=f"{e}"[:100] + " | " + excerpt)
    if not isinstance(record, dict):
        return BadInput(origin, "line is not a JSON object", excerpt=excerpt)
    record = {k: _scrub(v) for k, v in record.items()}
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        return BadInput(origin, "'url' is not a string", excerpt=excerpt)
    page, text = record.get("html"), record.get("text")
    if isinstance(page, str) and page.strip():
        fmt, content, charset = "html", page.encode("utf-8"), "utf-8"
    elif isinstance(text, str) and text.strip():
        fmt, content, charset = "text", text, None
    else:
        return BadInput(origin, "needs a non-empty 'html' or 'text' string", excerpt=excerpt)
    return RawDocument(origin=origin, format=fmt, content=content, url=url or None,
                       charset=charset, hints=_hints(record))


def _hints(record: dict[str, Any]) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    # An unparseable or implausible date ("yesterday", year 2203) is dropped
    # rather than passed on, where an extractor would guess at it.
    published = iso_date(record["published"]) if isinstance(record.get("published"), str) else None
    if published:
        hints["published"] = published
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        hints["title"] = title.strip()
    authors = record.get("authors")
    if isinstance(authors, str):
        authors = [authors]
    if isinstance(authors, list):
        names = [a.strip() for a in authors if isinstance(a, str) and a.strip()]
        if names:
            hints["authors"] = names
    return hints


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_surrogates(value)  # json.loads keeps escaped lone surrogates
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


@reader("jsonl", claims=is_jsonl_path, order=40)
def _read_jsonl_file(path: str, ctx) -> Iterator[Item]:
    return read_jsonl(path)
