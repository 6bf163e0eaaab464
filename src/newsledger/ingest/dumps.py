"""Text files: page dumps in the seed format, else plain body text."""

from __future__ import annotations

import os
from typing import Iterator, Union

from ..extract.dump import DATE_LINE, looks_like_dump, split_dump
from ..extract.encoding import decode
from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, head_text, too_large
from .registry import reader

Item = Union[RawDocument, BadInput]


# A dump file larger than one page may hold is read in blocks of about
# this size, each cut just before a date line, so memory stays bounded.
DUMP_BLOCK_BYTES = 4 * 1024 * 1024


def _load_text(path: str) -> tuple[str | None, BadInput | None]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, BadInput(Origin("text", path), f"cannot read file: {e.strerror or e}")
    if not data.strip():
        return None, BadInput(Origin("text", path), "empty file")
    # A dump is text by its first line; junk in one page is that page's
    # problem (its extraction fails), not a reason to lose the others.
    if not looks_like_dump(data[:4096].decode("utf-8", errors="replace")) and head_text(data)[0] is None:
        return None, BadInput(Origin("text", path), "not text: binary content")
    return decode(data), None


def read_text_file(path: str) -> Iterator[Item]:
    """A ``.txt`` file: one ``dump`` document per page, or one ``text`` document."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
    except OSError as e:
        yield BadInput(Origin("text", path), f"cannot read file: {e.strerror or e}")
        return
    if size > MAX_PAGE_BYTES:
        if looks_like_dump(head.decode("utf-8", errors="replace")):
            yield from _stream_dump(path)
        else:
            yield BadInput(Origin("text", path), too_large())
        return
    text, bad = _load_text(path)
    if bad is not None:
        yield bad
        return
    if looks_like_dump(text):
        yield from dump_pages(text, path)
        return
    yield RawDocument(origin=Origin("text", path), format="text", content=text)


def _stream_dump(path: str) -> Iterator[Item]:
    """Pages of a dump file too big to read at once, in file order."""
    index = 0
    block: list[bytes] = []  # whole pages, then the page being read
    size = 0
    page_line, page_size = 0, 0  # where in ``block`` the page being read starts
    skipping = False  # inside a page already reported as too large

    def flush(lines: list[bytes]) -> Iterator[Item]:
        nonlocal index
        for item in dump_pages(decode(b"".join(lines)), path, first_index=index):
            index += 1
            yield item

    with open(path, "rb") as f:
        while True:
            line = f.readline(MAX_PAGE_BYTES + 1)
            if not line:
                yield from flush(block)
                return
            if DATE_LINE.match(line[:4096].decode("utf-8", errors="replace")):
                skipping = False
                if size >= DUMP_BLOCK_BYTES:
                    yield from flush(block)
                    block, size = [], 0
                page_line, page_size = len(block), size
            if skipping:
                continue
            block.append(line)
            size += len(line)
            if size - page_size > MAX_PAGE_BYTES:
                yield from flush(block[:page_line])
                yield BadInput(Origin("dump", path, offset=index), too_large())
                index += 1
                block, size, page_line, page_size = [], 0, 0, 0
                skipping = True


def dump_pages(text: str, path: str, first_index: int = 0) -> Iterator[Item]:
    for index, page in enumerate(split_dump(text), start=first_index):
        first = next((line for line in page.splitlines() if line.strip()), "")
        m = DATE_LINE.match(first)
        yield RawDocument(
            origin=Origin("dump", path, offset=index),
            format="dump",
            content=page,
            url=m.group(2) if m else None,
        )


@reader("page-dump", claims=lambda path: path.lower().endswith(".txt"), order=30)
def _read_dump(path: str, ctx) -> Iterator[Item]:
    return read_text_file(path)
