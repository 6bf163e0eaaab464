"""XML sitemaps: ``urlset``, ``sitemapindex`` and Google News extensions."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..schema import BadInput, Origin, RawDocument
from .base import gunzip_capped
from .dates import iso_date
from .fetch import Fetcher, FetchError, fetch_page

Item = Union[RawDocument, BadInput]

MAX_INDEX_DEPTH = 2  # an index of indexes is allowed; deeper is a loop or a trap


@dataclass
class SitemapEntry:
    loc: str
    hints: dict = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(data: bytes, limit: int) -> tuple[str, list[SitemapEntry], Optional[str]]:
    """(root name, entries, problem with the rest of the file or None);
    ValueError with a reason when nothing is usable.

    Entity declarations and external references are refused by defusedxml.
    """
    entries: list[SitemapEntry] = []
    root, problem = None, None
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end"),
                                     forbid_dtd=False, forbid_entities=True, forbid_external=True):
            name = _local(elem.tag)
            if root is None:
                root = name
                if root not in ("urlset", "sitemapindex"):
                    raise ValueError(f"not a sitemap: root element <{root}>")
                continue
            if event != "end" or name not in ("url", "sitemap"):
                continue
            entry = _entry(elem)
            elem.clear()
            if entry is not None:
                entries.append(entry)
                if len(entries) >= limit:
                    problem = f"more than {limit:,} URLs in one sitemap; the rest were skipped"
                    break
    except DefusedXmlException as e:
        raise ValueError(f"refused XML: {type(e).__name__}") from None
    except ParseError as e:
        if not entries:
            raise ValueError(f"malformed sitemap XML: {e}") from None
        problem = f"malformed sitemap XML after {len(entries):,} URLs: {e}"
    if root is None:
        raise ValueError("empty sitemap")
    return root, entries, problem


def _entry(elem) -> SitemapEntry | None:
    loc, hints = None, {}
    for child in elem:
        name = _local(child.tag)
        if name == "news":  # Google News: <news:news><news:publication_date/><news:title/>
            for item in child:
                text = (item.text or "").strip()
                if text and _local(item.tag) == "publication_date" and iso_date(text):
                    # an unparseable date is dropped: downstream it would be guessed at
                    hints["published"] = iso_date(text)
                elif text and _local(item.tag) == "title":
                    hints["title"] = text
            continue
        text = (child.text or "").strip()
        if text and name == "loc":
            loc = text
        elif text and name == "lastmod" and iso_date(text):
            hints["modified"] = iso_date(text)
    return SitemapEntry(loc, hints) if loc else None


def read_sitemap(data: bytes, source: str, fetcher: Fetcher, *, depth: int = 0,
                 want: Optional[Callable[[Origin], bool]] = None, follow: bool = True) -> Iterator[Item]:
    """Fetch every page a sitemap lists (following index files); one item per page.
    Pages whose origin ``want`` refuses are passed over unfetched. Without
    ``follow`` (a local sitemap file, by default) nothing is fetched: one
    BadInput says how many pages were listed."""
    try:
        kind, entries, problem = parse_sitemap(gunzip_capped(data), fetcher.options.max_sitemap_urls)
    except ValueError as e:
        yield BadInput(Origin("sitemap", source), str(e))
        return
    remote = source.startswith(("http://", "https://"))
    if not follow:
        yield BadInput(Origin("sitemap", source),
                       f"sitemap lists {len(entries):,} pages: links not followed (pass --follow-links to fetch them)")
        return
    for index, entry in enumerate(entries):
        url = urljoin(source, entry.loc) if remote else entry.loc
        origin = Origin("sitemap", source, offset=index, item=url)
        if want is not None and not want(origin):
            continue
        if kind == "urlset":
            yield fetch_page(fetcher, url, origin, entry.hints)
            continue
        if depth >= MAX_INDEX_DEPTH:
            yield BadInput(origin, "sitemap index nested too deeply")
            continue
        try:
            resp = fetcher.fetch(url)
        except FetchError as e:
            yield BadInput(origin, str(e))
            continue
        yield from read_sitemap(resp.content, resp.url, fetcher, depth=depth + 1, want=want)
    if problem:
        yield BadInput(Origin("sitemap", source, offset=len(entries)), problem)
