"""Saved HTML pages: ``.html``, ``.htm`` and gzip-compressed ``.html.gz``."""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Iterator, Union

from ..schema import BadInput, Origin, RawDocument
from .base import GZIP_MAGIC, MAX_PAGE_BYTES, head_text, looks_like_markup, too_large
from .registry import reader

Item = Union[RawDocument, BadInput]

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")


def is_html_path(path: str) -> bool:
    return path.lower().endswith(HTML_SUFFIXES)


def read_capped(path: str) -> bytes:
    """File bytes (gunzipped when gzip), at most MAX_PAGE_BYTES + 1 of them,
    so a gzip bomb is cut off instead of filling memory."""
    with open(path, "rb") as f:
        if f.read(2) == GZIP_MAGIC:
            f.seek(0)
            with gzip.GzipFile(fileobj=f) as z:
                return z.read(MAX_PAGE_BYTES + 1)
        f.seek(0)
        return f.read(MAX_PAGE_BYTES + 1)


def check_html(data: bytes, origin: Origin) -> tuple[str | None, BadInput | None]:
    """(charset hint, None) for usable markup, else (None, BadInput)."""
    if not data.strip():
        return None, BadInput(origin, "empty file")
    if len(data) > MAX_PAGE_BYTES:
        return None, BadInput(origin, too_large())
    text, charset = head_text(data)
    if text is None:
        return None, BadInput(origin, "not HTML: binary content")
    if not looks_like_markup(text):
        return None, BadInput(origin, "not HTML: no markup", excerpt=text[:200])
    return charset, None


def read_html_file(path: str) -> Iterator[Item]:
    origin = Origin("html", path)
    try:
        if os.path.getsize(path) > MAX_PAGE_BYTES:
            yield BadInput(origin, too_large())
            return
        data = read_capped(path)
    except (OSError, EOFError, zlib.error) as e:
        # gzip raises BadGzipFile (an OSError), EOFError or zlib.error on damage.
        yield BadInput(origin, f"cannot read file: {getattr(e, 'strerror', None) or e}")
        return
    charset, bad = check_html(data, origin)
    if bad is not None:
        yield bad
        return
    yield RawDocument(origin=origin, format="html", content=data, charset=charset)


@reader("html", claims=is_html_path, order=20)
def _read_html(path: str, ctx) -> Iterator[Item]:
    return read_html_file(path)
