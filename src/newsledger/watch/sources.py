"""Followed sources: a feed, a sitemap or a section page, polled on a schedule.

Adding one records it in the database (``store.watch``), linked to the outlet
registry when its domain is there. Lists come from OPML files, the format
feed readers export.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

from ..outlets import lookup
from ..store.watch import WatchStore

DEFAULT_EVERY = 15 * 60
MIN_EVERY = 60  # polling a news source more than once a minute is rude and useless
MAX_EVERY = 7 * 24 * 3600
OPML_MAX_BYTES = 5 * 1024 * 1024
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


class SourceError(ValueError):
    """A source, interval or OPML file cannot be used; the message says how to fix it."""


def parse_every(text: Any) -> int:
    """``15m``, ``2h``, ``1d``, ``90s`` or plain seconds -> seconds."""
    m = _EVERY.match(str(text))
    if not m:
        raise SourceError(f"interval {text!r} not understood: use e.g. 90s, 15m, 2h or 1d")
    seconds = int(float(m.group(1)) * _UNITS[(m.group(2) or "s").lower()])
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise SourceError(f"interval {text!r} out of range: between 1m and 7d")
    return seconds


def format_every(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) URL: {url[:200]!r} (a source is a feed, sitemap or section page URL)")
    return url


def guess_kind(url: str) -> Optional[str]:
    """feed | sitemap from the URL when it says; None: found out on the first poll."""
    path = urlsplit(url).path.lower()
    if "sitemap" in path:
        return "sitemap"
    if path.endswith((".rss", ".atom", "/feed", "/rss", "/feed/", "/rss/")) or "rss" in path or "atom" in path:
        return "feed"
    return None


def add(ws: WatchStore, url: str, *, name: Optional[str] = None, every: Any = DEFAULT_EVERY,
        collection: Optional[str] = None, now: Optional[str] = None) -> dict[str, Any]:
    url = check_url(url)
    seconds = every if isinstance(every, int) else parse_every(every)
    host = (urlsplit(url).hostname or "").lower()
    outlet = lookup(host)
    return ws.add_source(
        url, name=name or (outlet.name if outlet else None), kind=guess_kind(url), collection=collection,
        every_s=seconds, outlet=outlet.name if outlet else None, domain=host.removeprefix("www."),
        added=now or datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def read_opml(data: bytes) -> Iterator[dict[str, Any]]:
    """(url, name, collection) of every feed outline; an enclosing outline without
    a URL names the collection of those inside it."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring
    from xml.etree.ElementTree import ParseError

    if len(data) > OPML_MAX_BYTES:
        raise SourceError(f"OPML file larger than {OPML_MAX_BYTES // (1024 * 1024)} MB")
    try:
        root = fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError) as e:
        raise SourceError(f"not a readable OPML file: {e}") from None
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise SourceError(f"not an OPML file: root element <{root.tag}>")
    body = next((c for c in root if c.tag.rsplit("}", 1)[-1].lower() == "body"), None)
    if body is None:
        return

    def walk(node, collection: Optional[str]) -> Iterator[dict[str, Any]]:
        for child in node:
            if child.tag.rsplit("}", 1)[-1].lower() != "outline":
                continue
            url = child.get("xmlUrl") or child.get("xmlurl") or child.get("url")
            label = child.get("title") or child.get("text")
            if url:
                yield {"url": url.strip(), "name": label, "collection": collection or child.get("category") or None}
            else:
                yield from walk(child, label or collection)

    yield from walk(body, None)
