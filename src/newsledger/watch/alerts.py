"""Saved searches: every new article is matched against them; matches feed an
Atom feed per search and, optionally, a webhook.

A webhook gets one JSON POST per match, through the fetcher's address rules
(no private addresses unless allowed, no redirects), signed with HMAC-SHA256
of the body under the search's secret in ``X-Newsledger-Signature:
sha256=<hex>``. Failed deliveries are retried with exponential backoff
(honouring Retry-After) up to ``MAX_ATTEMPTS`` times, then marked failed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Any, Callable, Optional
from xml.sax.saxutils import escape

from ..ingest.fetch import FetchError
from ..store.errors import QueryError
from ..store.watch import WatchStore
from .health import iso

MAX_ATTEMPTS = 8
FIRST_RETRY = 60.0
MAX_RETRY = 6 * 3600.0
FILTERS = ("claim_type", "place", "place_id", "near", "admin", "speaker", "outlet", "modality", "contradiction")
SIGNATURE_HEADER = "X-Newsledger-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Only known filters with usable values; QueryError says what is wrong."""
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or value == "" or value is False:
            continue
        if key not in FILTERS:
            raise QueryError(f"unknown alert filter {key!r}: use {', '.join(FILTERS)}")
        if key == "place_id":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise QueryError(f"place_id must be a GeoNames id (a number), not {value!r}") from None
        if key == "near":
            try:
                lat, lon, km = (float(x) for x in (value.split(",") if isinstance(value, str) else value))
            except (TypeError, ValueError):
                raise QueryError("near is LAT,LON,KM (e.g. 48.85,38.0,25)") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 20000):
                raise QueryError("near: latitude -90..90, longitude -180..180, radius 0..20000 km")
            value = [lat, lon, km]
        if key == "contradiction":
            value = True
        out[key] = value
    return out


class Alerts:
    """Matching and delivery for one store (used by the watcher)."""

    def __init__(self, ws: WatchStore, fetcher: Callable[[], Any], clock: Any):
        self.ws = ws
        self.fetcher = fetcher
        self.clock = clock

    def match(self, article_ids: list[str]) -> int:
        """Record which saved searches each of ``article_ids`` matches; returns new matches."""
        if not article_ids:
            return 0
        added = 0
        when = iso(self.clock.now())
        for alert in self.ws.alerts():
            try:
                hits = self.ws.filter_articles(article_ids, query=alert.get("query"), filters=alert["filters"])
            except QueryError:
                continue  # a saved query the index cannot run matches nothing (it was checked when saved)
            added += self.ws.add_matches(alert["id"], hits, when, webhook=bool(alert.get("webhook")))
        return added

    def sweep(self, max_articles: int = 5000) -> int:
        """Match the articles stored since each alert last looked, by any command (``ingest``,
        the API, another watcher); returns new matches. Matching is idempotent, so articles the
        watcher already matched batch by batch cost only the query."""
        added = 0
        for alert in self.ws.alerts():
            seen = 0
            while seen < max_articles:
                ids, last = self.ws.unmatched(alert["id"])
                if not ids:
                    break
                try:
                    hits = self.ws.filter_articles(ids, query=alert.get("query"), filters=alert["filters"])
                except QueryError:
                    hits = []
                added += self.ws.add_matches(alert["id"], hits, iso(self.clock.now()), webhook=bool(alert.get("webhook")))
                self.ws.advance(alert["id"], last)
                seen += len(ids)
        return added

    def deliver(self, limit: int = 200) -> int:
        """POST pending matches to their webhooks; returns how many were delivered."""
        pending = self.ws.pending_deliveries(self.clock.now(), limit)
        if not pending:
            return 0
        alerts = {a["id"]: a for a in self.ws.alerts()}
        delivered = 0
        for m in pending:
            alert = alerts.get(m["alert_id"])
            if alert is None or not alert.get("webhook"):
                continue
            body = json.dumps(payload(alert, m), ensure_ascii=False, sort_keys=True).encode("utf-8")
            headers = {"X-Newsledger-Delivery": f"{alert['id']}:{m['article_id']}"}
            if alert.get("secret"):
                headers[SIGNATURE_HEADER] = sign(alert["secret"], body)
            attempts = int(m["attempts"] or 0) + 1
            try:
                self.fetcher().post_json(alert["webhook"], body, headers)
            except FetchError as e:
                if attempts >= MAX_ATTEMPTS or (e.status is not None and 400 <= e.status < 500 and e.status != 429):
                    self.ws.set_delivery(alert["id"], m["article_id"], "failed", attempts, None, str(e))
                else:
                    wait = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)
                    wait = max(wait, min(e.retry_after or 0, MAX_RETRY))
                    self.ws.set_delivery(alert["id"], m["article_id"], "pending", attempts,
                                         self.clock.now() + wait, str(e))
                continue
            self.ws.set_delivery(alert["id"], m["article_id"], "delivered", attempts, None, None)
            delivered += 1
        return delivered


def payload(alert: dict[str, Any], match: dict[str, Any]) -> dict[str, Any]:
    return {
        "alert": {"id": alert["id"], "name": alert["name"], "query": alert.get("query"), "filters": alert["filters"]},
        "article": {"id": match["article_id"], "title": match.get("title"), "url": match.get("url"),
                    "published": match.get("published"), "source": match.get("source_domain")},
        "matched": match.get("matched"),
    }


def atom(alert: dict[str, Any], matches: list[dict[str, Any]], self_url: str) -> bytes:
    """The saved search's matches as an Atom 1.0 feed (every value escaped)."""
    updated = max((m["matched"] for m in matches), default=alert.get("created")) or \
        datetime.now(timezone.utc).isoformat(timespec="seconds")
    e = lambda v: escape(str(v or ""), {'"': "&quot;"})  # noqa: E731
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>newsledger alert: {e(alert['name'])}</title>",
        f"<id>urn:newsledger:alert:{int(alert['id'])}</id>",
        f'<link rel="self" href="{e(self_url)}"/>',
        f"<updated>{e(updated)}</updated>",
        "<generator>newsledger</generator>",
    ]
    for m in matches:
        link = f'<link href="{e(m["url"])}"/>' if m.get("url") else ""
        out += [
            "<entry>",
            f"<id>urn:newsledger:article:{e(m['article_id'])}</id>",
            f"<title>{e(m.get('title') or m['article_id'])}</title>",
            link,
            f"<updated>{e(m['matched'])}</updated>",
            f"<published>{e(m.get('published') or m['matched'])}</published>",
            f"<author><name>{e(m.get('source_domain') or 'unknown')}</name></author>",
            f"<summary>{e(m.get('summary') or '')}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(x for x in out if x).encode("utf-8")
