"""Stage 1: inputs (files, directories, URLs) -> RawDocument | BadInput.

``read`` dispatches every input to the reader registered for its name
(``ingest.registry``: each reader module registers itself), sniffing the
content when no reader claims the name, and streams the results: a WARC or
a directory is never loaded whole. Unreadable input becomes a ``BadInput``;
only an input that does not exist at all stops the run, before it starts.
"""

from __future__ import annotations

import os
import zlib
from typing import Callable, Iterable, Iterator, Optional, Union

from ..extract.dump import looks_like_dump
from ..schema import BadInput, Origin, RawDocument
from .base import (
    FEED_ROOTS,
    MAX_PAGE_BYTES,
    SITEMAP_ROOTS,
    SNIFF_BYTES,
    InputError,
    ReadStats,
    gunzip_capped,
    head_text,
    looks_like_markup,
    root_element,
    too_large,
)
from . import registry
from .dumps import read_text_file
from .feeds import read_feed
from .fetch import Fetcher, FetchError, FetchOptions, page_document
from .html_files import check_html, is_html_path, read_capped, read_html_file
from .jsonl import is_jsonl_path, read_jsonl
from .sitemaps import read_sitemap
from .warc import is_warc_path, read_warc

Item = Union[RawDocument, BadInput]

XML_SUFFIXES = (".xml", ".xml.gz", ".rss", ".atom")
# Files a website mirror is full of that can never be articles: skipped in
# directories without being opened.
_NEVER_PAGES = (
    ".css", ".js", ".json", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico",
    ".pdf", ".woff", ".woff2", ".ttf", ".mp3", ".mp4", ".zip", ".cdx", ".idx",
)


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def read(
    inputs: Iterable[str],
    *,
    stats: Optional[ReadStats] = None,
    fetch_options: Optional[FetchOptions] = None,
) -> Iterator[Item]:
    """Every raw document (or BadInput) of ``inputs``, in input order.

    Raises InputError at once, before reading anything, when a path does not
    exist. ``stats`` is updated while iterating.
    """
    inputs = list(inputs)
    for item in inputs:
        if not is_url(item) and not os.path.exists(item):
            raise InputError(f"no such file or directory: {item}")
    return _read(inputs, stats if stats is not None else ReadStats(), fetch_options or FetchOptions())


def count_inputs(inputs: Iterable[str]) -> Optional[int]:
    """Number of files ``read`` will open (for a progress bar, compare with
    ``ReadStats.files``); None when it cannot be known cheaply (URLs, feeds,
    sitemaps: they expand to pages only while reading)."""
    total = 0
    for item in inputs:
        if is_url(item) or item.lower().endswith(XML_SUFFIXES):
            return None
        if os.path.isdir(item):
            for path in _walk(item):
                if path.lower().endswith(XML_SUFFIXES):
                    return None
                total += not path.lower().endswith(_NEVER_PAGES)
        elif os.path.exists(item):
            total += 1
    return total


# ---------------------------------------------------------------- dispatch


class _Context:
    def __init__(self, stats: ReadStats, options: FetchOptions):
        self.stats = stats
        self.options = options
        self._fetcher: Optional[Fetcher] = None

    @property
    def fetcher(self) -> Fetcher:
        # Created on first use only, so reading local files never builds a client.
        if self._fetcher is None:
            self._fetcher = Fetcher(self.options)
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()


def _read(inputs: list[str], stats: ReadStats, options: FetchOptions) -> Iterator[Item]:
    ctx = _Context(stats, options)
    try:
        for item in inputs:
            if is_url(item):
                source = _guarded(_read_url(item, ctx), Origin("url", item))
            elif os.path.isdir(item):
                source = _read_dir(item, ctx)
            else:
                source = _guarded(_read_file(item, ctx, in_directory=False), Origin("text", item))
            for result in source:
                if isinstance(result, BadInput):
                    stats.bad += 1
                else:
                    stats.documents += 1
                yield result
    finally:
        ctx.close()


def _walk(root: str) -> Iterator[str]:
    """Files under ``root``, depth first in name order; hidden entries and
    symlinked directories (possible loops) are left out."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path)
            elif entry.is_file():
                yield entry.path
        except OSError:
            continue


def _read_dir(root: str, ctx: _Context) -> Iterator[Item]:
    for path in _walk(root):
        if path.lower().endswith(_NEVER_PAGES):
            ctx.stats.skip("file:not-a-page")
            continue
        yield from _guarded(_read_file(path, ctx, in_directory=True), Origin("text", path))


def _guarded(source: Iterator[Item], origin: Origin) -> Iterator[Item]:
    """The readers turn every known failure into BadInput; this is the net
    for the unknown ones (a parser library tripping on hostile bytes), so one
    input can end early but never the batch."""
    try:
        yield from source
    except Exception as e:  # noqa: BLE001 - deliberately broad, see docstring
        yield BadInput(origin, f"unexpected error: {type(e).__name__}: {e}"[:300])


def _read_file(path: str, ctx: _Context, *, in_directory: bool) -> Iterator[Item]:
    ctx.stats.files += 1
    found = registry.for_path(path)
    if found is not None:
        return found.read(path, ctx)
    return _sniff_file(path, ctx, in_directory)


@registry.reader("xml", claims=lambda path: path.lower().endswith(XML_SUFFIXES), order=50)
def _read_xml_file(path: str, ctx: _Context) -> Iterator[Item]:
    origin = Origin("html", path)
    try:
        data = read_capped(path)
    except (OSError, EOFError, zlib.error) as e:
        yield BadInput(origin, f"cannot read file: {e}")
        return
    if len(data) > MAX_PAGE_BYTES:
        yield BadInput(origin, too_large())
        return

    def as_page() -> Item:
        charset, bad = check_html(data, origin)
        return bad or RawDocument(origin=origin, format="html", content=data, charset=charset)

    yield from _feed_sitemap_or_page(data, path, ctx, as_page)


def _feed_sitemap_or_page(data: bytes, source: str, ctx: _Context, as_page: Callable[[], Item]) -> Iterator[Item]:
    """Told apart by the root element: feed, sitemap, else a page (HTML
    may start with any element, but an XML document rooted elsewhere is
    something else)."""
    text, _ = head_text(data)
    root = root_element(text) if text is not None else None
    follow = ctx.options.follow_links if ctx.options.follow_links is not None else is_url(source)
    if root in FEED_ROOTS:
        yield from read_feed(data, source, ctx.fetcher if follow else None)
    elif root in SITEMAP_ROOTS:
        yield from read_sitemap(data, source, ctx.fetcher, follow=follow)
    elif root is not None and root != "html" and text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        yield BadInput(Origin("html", source), f"unknown format: XML root <{root}>")
    else:
        yield as_page()


def _sniff_file(path: str, ctx: _Context, in_directory: bool) -> Iterator[Item]:
    """A file whose name says nothing: look at its first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        yield BadInput(Origin("text", path), f"cannot read file: {e.strerror or e}")
        return
    if gunzip_capped(head, limit=8).startswith(b"WARC/"):
        yield from read_warc(path, ctx.stats)
        return
    text, _ = head_text(gunzip_capped(head, limit=SNIFF_BYTES))
    if text is not None:
        root = root_element(text)
        if root in FEED_ROOTS or root in SITEMAP_ROOTS:
            yield from _read_xml_file(path, ctx)
            return
        if looks_like_dump(text):
            yield from read_text_file(path)
            return
        if looks_like_markup(text):
            yield from read_html_file(path)
            return
    if in_directory:
        ctx.stats.skip("file:unknown-format")
        return
    yield BadInput(Origin("text", path), "unknown format")


def _read_url(url: str, ctx: _Context) -> Iterator[Item]:
    origin = Origin("url", url)
    try:
        resp = ctx.fetcher.fetch(url)
    except FetchError as e:
        yield BadInput(origin, str(e))
        return
    data = gunzip_capped(resp.content)  # sitemap.xml.gz is often served as plain gzip
    yield from _feed_sitemap_or_page(data, resp.url, ctx, lambda: page_document(resp, origin))


__all__ = [
    "read", "count_inputs", "is_url", "ReadStats", "InputError", "FetchOptions", "Fetcher",
    "FetchError", "MAX_PAGE_BYTES",
]
