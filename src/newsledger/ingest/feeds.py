"""RSS and Atom feeds: each item's page, or its own content when the page
cannot be had."""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Iterator, Optional, Union
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from ..schema import BadInput, Origin, RawDocument
from .base import scrub_surrogates
from .dates import iso_date, iso_from_struct
from .fetch import Fetcher, FetchError, page_document

Item = Union[RawDocument, BadInput]

# Any entity declaration is refused, also in XML too broken for defusedxml to
# reach it: feedparser's lenient fallback would otherwise see it.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _safe_char_ref(m: re.Match) -> bytes:
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"  # feedparser would crash on it (chr) or pass on an unencodable surrogate
    return m.group(0)


def refuse_reason(data: bytes) -> Optional[str]:
    """Why a feed document must not be parsed (entity expansion, external
    references), or None."""
    try:
        safe_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        return f"refused XML: {type(e).__name__} (entity expansion or external reference)"
    except (ParseError, ValueError, LookupError):  # LookupError: unknown declared encoding
        pass  # malformed feeds are common; feedparser copes, once entities are ruled out
    if _ENTITY_DECL.search(data.replace(b"\x00", b"")):
        return "refused XML: entity declaration"
    return None


def read_feed(data: bytes, source: str, fetcher: Optional[Fetcher],
              want: Optional[Callable[[Origin], bool]] = None) -> Iterator[Item]:
    """One item per feed entry. With a fetcher (and ``follow_links``) the
    entry's link is fetched; otherwise, or when that fails, the entry's own
    content or summary is the page. Entries whose origin ``want`` refuses
    (a watcher's items already taken) are passed over unfetched."""
    why = refuse_reason(data)
    if why:
        yield BadInput(Origin("feed", source), why)
        return
    # Bytes only: given a str, feedparser would open paths and URLs itself.
    try:
        parsed = feedparser.parse(_CHAR_REF.sub(_safe_char_ref, data), resolve_relative_uris=False)
    except (UnicodeError, LookupError, ValueError) as e:
        # e.g. a non-UTF-8 byte inside the XML declaration's encoding name
        yield BadInput(Origin("feed", source), f"unreadable feed: {type(e).__name__}", excerpt=str(e)[:250])
        return
    if not parsed.entries:
        detail = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}" if parsed.bozo else ""
        yield BadInput(Origin("feed", source), "no entries in feed", excerpt=detail[:250])
        return
    follow = fetcher is not None and fetcher.options.follow_links is not False
    for index, entry in enumerate(parsed.entries):
        link = _link(entry, source)
        origin = Origin("feed", source, offset=index, item=entry.get("id") or link)
        if want is not None and not want(origin):
            continue
        hints = entry_hints(entry)
        failure = None
        if follow and link:
            try:
                doc = page_document(fetcher.fetch(link), origin, hints)
            except FetchError as e:
                doc = BadInput(origin, str(e))
            if isinstance(doc, RawDocument):
                yield doc
                continue
            failure = doc
        body = _entry_html(entry)
        if body is None:
            yield failure or BadInput(origin, "feed item has no content" + ("" if follow else " (links not followed: pass --follow-links)"))
            continue
        if failure is not None:
            hints["fetch_error"] = failure.reason
        yield RawDocument(origin=origin, format="html", content=body, url=link, charset="utf-8", hints=hints)


def _link(entry: Any, source: str) -> Optional[str]:
    link = (entry.get("link") or "").strip()
    if not link:
        return None  # joined with the feed URL it would point at the feed itself
    if source.startswith(("http://", "https://")):
        link = urljoin(source, link)
    return link if link.lower().startswith(("http://", "https://")) else None


def entry_hints(entry: Any) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    published = _date(entry, "published") or _date(entry, "updated")
    if published:
        hints["published"] = published
    updated = _date(entry, "updated")
    if updated and updated != published:
        hints["modified"] = updated
    if entry.get("title"):
        hints["title"] = html.unescape(entry.title).strip()
    authors = [a.get("name", "").strip() for a in entry.get("authors") or [] if isinstance(a, dict)]
    authors = [a for a in authors if a]
    if not authors and entry.get("author"):
        authors = [entry.author.strip()]
    if authors:
        hints["authors"] = authors
    return hints


def _date(entry: Any, key: str) -> Optional[str]:
    # The raw string keeps the publisher's UTC offset; feedparser's parsed
    # value is normalised to UTC, a fallback for zone names dateutil lacks.
    # dict.get skips feedparser's deprecated updated->published aliasing.
    # A string dateutil rejects (year -1, 2203) is not second-guessed:
    # feedparser's lenient parse turns some of those into year 2000.
    raw = dict.get(entry, key)
    if raw and iso_date(raw) is None:
        return None
    return iso_date(raw, aware_only=True) or iso_from_struct(dict.get(entry, f"{key}_parsed"))


def _entry_html(entry: Any) -> Optional[bytes]:
    """The entry's longest content (or summary) as a small HTML page."""
    candidates = list(entry.get("content") or [])
    if entry.get("summary_detail"):
        candidates.append(entry.summary_detail)
    best = max(candidates, key=lambda c: len(c.get("value") or ""), default=None)
    if best is None or not (best.get("value") or "").strip():
        return None
    value = best["value"]
    if "html" not in (best.get("type") or "text/html"):
        value = "".join(f"<p>{html.escape(p.strip())}</p>" for p in value.split("\n\n") if p.strip())
    title = html.escape(html.unescape(entry.get("title") or ""))
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><article>{value}</article></body></html>"
    )
    return scrub_surrogates(page).encode("utf-8")
