"""Text files: page dumps in the seed format, else plain body text."""

from __future__ import annotations

import os
from typing import Iterator, Union

from ..extract.dump import DATE_LINE, looks_like_dump, split_dump
from ..extract.encoding import decode
from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, head_text, too_large

Item = Union[RawDocument, BadInput]


def _load_text(path: str) -> tuple[str | None, BadInput | None]:
    try:
        size = os.path.getsize(path)
        if size > MAX_PAGE_BYTES:
            return None, BadInput(Origin("text", path), too_large(size))
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, BadInput(Origin("text", path), f"cannot read file: {e.strerror or e}")
    if not data.strip():
        return None, BadInput(Origin("text", path), "empty file")
    text, _ = head_text(data)
    if text is None:
        return None, BadInput(Origin("text", path), "not text: binary content")
    return decode(data), None


def read_text_file(path: str) -> Iterator[Item]:
    """A ``.txt`` file: one ``dump`` document per page, or one ``text`` document."""
    text, bad = _load_text(path)
    if bad is not None:
        yield bad
        return
    if looks_like_dump(text):
        yield from dump_pages(text, path)
        return
    yield RawDocument(origin=Origin("text", path), format="text", content=text)


def dump_pages(text: str, path: str) -> Iterator[Item]:
    for index, page in enumerate(split_dump(text)):
        first = next((line for line in page.splitlines() if line.strip()), "")
        m = DATE_LINE.match(first)
        yield RawDocument(
            origin=Origin("dump", path, offset=index),
            format="dump",
            content=page,
            url=m.group(2) if m else None,
        )
