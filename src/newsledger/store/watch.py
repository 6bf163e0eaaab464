"""SQL of followed sources, the items taken from them, and saved searches (alerts).

One implementation serves both backends: it goes through the store's own
``_write``/``_read`` with SQL both read alike (``store.dialect``), and only the
full-text match of an alert's query differs by backend.
Tables are created by migration step 6.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Optional

from .errors import QueryError, StoreError
from .filters import like_escape

# Columns a poll may update (the scheduler passes only these).
POLL_FIELDS = (
    "etag", "last_modified", "next_due", "last_attempt", "last_success", "last_error", "last_error_kind",
    "last_status", "consecutive_failures", "items_total", "last_new_item", "last_duration", "daily", "polls",
    "kind",
)
SOURCE_FIELDS = ("name", "collection", "every_s", "outlet")


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value  # PostgreSQL hands jsonb back decoded


def _source(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["daily"] = _json(row.get("daily")) or {}
    return row


class WatchStore:
    """Followed sources and alerts in one newsledger database (SQLite or PostgreSQL)."""

    def __init__(self, store: Any):
        self.store = store

    # ------------------------------------------------------------ sources

    def add_source(self, url: str, *, name: Optional[str], kind: Optional[str], collection: Optional[str],
                   every_s: int, outlet: Optional[str], domain: Optional[str], added: str) -> dict[str, Any]:
        """Follow ``url``; StoreError when it is already followed."""
        with self.store._write() as db:
            row = db.execute("SELECT id FROM watch_sources WHERE url = ?", (url,)).fetchone()
            if row is not None:
                raise StoreError(f"already following {url} (source {row[0]}): `newsledger sources remove {url}` first")
            db.execute(
                "INSERT INTO watch_sources (url, name, kind, collection, every_s, outlet, domain, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (url, name, kind, collection, int(every_s), outlet, domain, added),
            )
        return self.source(url)

    def source(self, key: Any) -> Optional[dict[str, Any]]:
        """One source by id or URL."""
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            rows = self.store._read("SELECT * FROM watch_sources WHERE id = ?", (int(key),))
        else:
            rows = self.store._read("SELECT * FROM watch_sources WHERE url = ?", (str(key),))
        return _source(rows[0]) if rows else None

    def sources(self, collection: Optional[str] = None) -> list[dict[str, Any]]:
        where, params = ("WHERE collection = ?", (collection,)) if collection else ("", ())
        return [_source(r) for r in self.store._read(f"SELECT * FROM watch_sources {where} ORDER BY id", params)]

    def remove_source(self, key: Any) -> bool:
        src = self.source(key)
        if src is None:
            return False
        with self.store._write() as db:
            db.execute("DELETE FROM watch_seen WHERE source_id = ?", (src["id"],))
            db.execute("DELETE FROM watch_sources WHERE id = ?", (src["id"],))
        return True

    def due(self, now: float, limit: int = 1000) -> list[dict[str, Any]]:
        """Sources whose next poll is due at ``now`` (never polled ones first)."""
        rows = self.store._read(
            "SELECT * FROM watch_sources WHERE next_due IS NULL OR next_due <= ? "
            "ORDER BY next_due IS NOT NULL, next_due, id LIMIT ?", (float(now), int(limit)),
        )
        return [_source(r) for r in rows]

    def next_due(self) -> Optional[float]:
        rows = self.store._read("SELECT min(next_due) AS t FROM watch_sources")
        return rows[0]["t"] if rows else None

    def next_delivery(self) -> Optional[float]:
        """When the next webhook retry falls due (0 for a delivery never tried)."""
        rows = self.store._read("SELECT min(coalesce(next_attempt, 0)) AS t FROM alert_matches WHERE delivery = 'pending'")
        return rows[0]["t"] if rows and rows[0]["t"] is not None else None

    def has_unscheduled(self) -> bool:
        return bool(self.store._read("SELECT 1 AS x FROM watch_sources WHERE next_due IS NULL LIMIT 1"))

    def update_source(self, source_id: int, fields: dict[str, Any]) -> None:
        bad = set(fields) - set(POLL_FIELDS)
        if bad:
            raise ValueError(f"not poll fields: {sorted(bad)}")
        if not fields:
            return
        values = [json.dumps(v) if k == "daily" else v for k, v in fields.items()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.store._write() as db:
            db.execute(f"UPDATE watch_sources SET {sets} WHERE id = ?", (*values, int(source_id)))

    # ------------------------------------------------------------ items taken

    def seen(self, source_id: int, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already taken from the source."""
        keys = list(dict.fromkeys(keys))
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.store._read(
                f"SELECT item_key FROM watch_seen WHERE source_id = ? AND item_key IN ({', '.join('?' * len(chunk))})",
                (int(source_id), *chunk),
            )
            found.update(r["item_key"] for r in rows)
        return found

    def mark_seen(self, source_id: int, keys: Iterable[str], when: str, new: int = 0,
                  daily: Optional[Callable[[dict], dict]] = None) -> None:
        """Record items as taken and, in the same transaction, ``new`` more articles
        from the source (``daily`` updates its per-day counts)."""
        rows = [(int(source_id), k, when) for k in dict.fromkeys(keys)]
        with self.store._write() as db:
            if rows:
                db.executemany(
                    "INSERT INTO watch_seen (source_id, item_key, first_seen) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING", rows
                )
            if new:
                row = db.execute("SELECT daily FROM watch_sources WHERE id = ?", (int(source_id),)).fetchone()
                counts = (daily or (lambda d: d))(_json(row[0]) if row else {})
                db.execute(
                    "UPDATE watch_sources SET items_total = items_total + ?, last_new_item = ?, daily = ? WHERE id = ?",
                    (int(new), when, json.dumps(counts), int(source_id)),
                )

    # ------------------------------------------------------------ alerts

    def add_alert(self, name: str, query: Optional[str], filters: dict[str, Any], webhook: Optional[str],
                  secret: Optional[str], created: str) -> int:
        with self.store._write() as db:
            row = db.execute(
                "INSERT INTO alerts (name, query, filters, webhook, secret, created) VALUES (?, ?, ?, ?, ?, ?) "
                "RETURNING id", (name, query, json.dumps(filters), webhook, secret, created),
            ).fetchone()
            # A new search watches what comes from now on, not the archive.
            db.execute("INSERT INTO alert_cursors (alert_id, last_seq) "
                       "SELECT ?, coalesce(max(seq), 0) FROM articles", (int(row[0]),))
        return int(row[0])

    def unmatched(self, alert_id: int, limit: int = 500) -> tuple[list[str], Optional[int]]:
        """(ids of articles stored after the alert's cursor, in order; the seq of the last one)."""
        cur = self.store._read("SELECT last_seq FROM alert_cursors WHERE alert_id = ?", (int(alert_id),))
        if not cur:  # a search saved before cursors existed starts now
            with self.store._write() as db:
                db.execute("INSERT INTO alert_cursors (alert_id, last_seq) SELECT ?, coalesce(max(seq), 0) "
                           "FROM articles ON CONFLICT DO NOTHING", (int(alert_id),))
            return [], None
        rows = self.store._read("SELECT id, seq FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                                (int(cur[0]["last_seq"]), int(limit)))
        return [r["id"] for r in rows], (int(rows[-1]["seq"]) if rows else None)

    def advance(self, alert_id: int, last_seq: int) -> None:
        with self.store._write() as db:
            db.execute("UPDATE alert_cursors SET last_seq = ? WHERE alert_id = ? AND last_seq < ?",
                       (int(last_seq), int(alert_id), int(last_seq)))

    def alerts(self) -> list[dict[str, Any]]:
        rows = self.store._read(
            "SELECT a.*, (SELECT count(*) FROM alert_matches m WHERE m.alert_id = a.id) AS matches, "
            "(SELECT max(matched) FROM alert_matches m WHERE m.alert_id = a.id) AS last_match "
            "FROM alerts a ORDER BY a.id"
        )
        for r in rows:
            r["filters"] = _json(r.get("filters")) or {}
        return rows

    def alert(self, alert_id: int) -> Optional[dict[str, Any]]:
        return next((a for a in self.alerts() if a["id"] == int(alert_id)), None)

    def remove_alert(self, alert_id: int) -> bool:
        with self.store._write() as db:
            db.execute("DELETE FROM alert_matches WHERE alert_id = ?", (int(alert_id),))
            db.execute("DELETE FROM alert_cursors WHERE alert_id = ?", (int(alert_id),))
            cur = db.execute("DELETE FROM alerts WHERE id = ?", (int(alert_id),))
            return cur.rowcount > 0

    def add_matches(self, alert_id: int, article_ids: Iterable[str], when: str, webhook: bool) -> int:
        rows = [(int(alert_id), a, when, "pending" if webhook else "none") for a in dict.fromkeys(article_ids)]
        if not rows:
            return 0
        with self.store._write() as db:
            before = db.execute("SELECT count(*) FROM alert_matches WHERE alert_id = ?", (int(alert_id),)).fetchone()[0]
            db.executemany(
                "INSERT INTO alert_matches (alert_id, article_id, matched, delivery) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING", rows,
            )
            after = db.execute("SELECT count(*) FROM alert_matches WHERE alert_id = ?", (int(alert_id),)).fetchone()[0]
        return int(after) - int(before)

    def matches(self, alert_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """An alert's matched articles, newest match first, with what an Atom entry needs."""
        return self.store._read(
            "SELECT m.article_id, m.matched, m.delivery, a.title, a.url, a.published, a.source_domain, "
            "substr(a.text, 1, 400) AS summary FROM alert_matches m JOIN articles a ON a.id = m.article_id "
            "WHERE m.alert_id = ? ORDER BY m.matched DESC, a.seq DESC LIMIT ?", (int(alert_id), int(limit)),
        )

    def pending_deliveries(self, now: float, limit: int = 200) -> list[dict[str, Any]]:
        return self.store._read(
            "SELECT m.alert_id, m.article_id, m.attempts, m.matched, a.title, a.url, a.published, a.source_domain "
            "FROM alert_matches m JOIN articles a ON a.id = m.article_id "
            "WHERE m.delivery = 'pending' AND (m.next_attempt IS NULL OR m.next_attempt <= ?) "
            "ORDER BY m.matched, m.alert_id LIMIT ?", (float(now), int(limit)),
        )

    def set_delivery(self, alert_id: int, article_id: str, delivery: str, attempts: int,
                     next_attempt: Optional[float], error: Optional[str]) -> None:
        with self.store._write() as db:
            db.execute(
                "UPDATE alert_matches SET delivery = ?, attempts = ?, next_attempt = ?, last_error = ? "
                "WHERE alert_id = ? AND article_id = ?",
                (delivery, int(attempts), next_attempt, error, int(alert_id), article_id),
            )

    # ------------------------------------------------------------ matching new articles

    def filter_articles(self, article_ids: list[str], *, query: Optional[str] = None,
                        filters: Optional[dict[str, Any]] = None) -> list[str]:
        """Those of ``article_ids`` that an alert's query and filters select.

        Filters: claim_type, place (name), place_id (GeoNames id), near (lat, lon, km),
        admin (ISO country code, or ISO 3166-2 region such as UA-14), speaker, outlet (domain),
        modality, contradiction (bool: its story holds contradicting claims).
        """
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return []
        f = dict(filters or {})
        conds: list[str] = []
        params: list[Any] = []
        claim_conds, claim_params = [], []
        if f.get("claim_type"):
            claim_conds.append("upper(c.type) = upper(?)")
            claim_params.append(f["claim_type"])
        if f.get("modality"):
            claim_conds.append("c.modality = ?")
            claim_params.append(f["modality"])
        if f.get("outlet"):
            # Case-insensitive, and the alert's text is matched literally (its % and _ are no wildcards).
            conds.append("(a.source_domain = ? OR lower(a.source_domain) LIKE lower(?) ESCAPE '\\')")
            params += [f["outlet"], "%." + like_escape(str(f["outlet"]))]
        if f.get("speaker"):
            conds.append("EXISTS (SELECT 1 FROM quotes x WHERE x.article_id = a.id "
                         "AND lower(x.speaker) LIKE lower(?) ESCAPE '\\')")
            params.append("%" + like_escape(str(f["speaker"])) + "%")
        if f.get("place"):
            conds.append("(EXISTS (SELECT 1 FROM places p WHERE p.article_id = a.id "
                         "AND (lower(p.name) = lower(?) OR lower(p.text) = lower(?)))"
                         " OR EXISTS (SELECT 1 FROM claims c2 WHERE c2.article_id = a.id "
                         "AND lower(c2.place_name) = lower(?)))")
            params += [f["place"]] * 3
        if f.get("place_id"):
            conds.append("(EXISTS (SELECT 1 FROM places p WHERE p.article_id = a.id AND p.geonames_id = ?)"
                         " OR EXISTS (SELECT 1 FROM claims c2 WHERE c2.article_id = a.id AND c2.place_geonames_id = ?))")
            params += [int(f["place_id"])] * 2
        if f.get("admin"):
            # "UA" is a country; "UA-14" an ISO 3166-2 region
            col = "p.admin1" if "-" in str(f["admin"]) else "p.country_code"
            conds.append(f"EXISTS (SELECT 1 FROM places p WHERE p.article_id = a.id AND upper({col}) = ?)")
            params.append(str(f["admin"]).upper())
        if f.get("contradiction"):
            conds.append("EXISTS (SELECT 1 FROM claims c3 JOIN claim_contradictions k ON k.claim_id = c3.id "
                         "WHERE c3.article_id = a.id)")
        if claim_conds:
            conds.append(f"EXISTS (SELECT 1 FROM claims c WHERE c.article_id = a.id AND {' AND '.join(claim_conds)})")
            params += claim_params
        found: list[str] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            where = [f"a.id IN ({', '.join('?' * len(chunk))})", *conds]
            rows = self.store._read(f"SELECT a.id, a.seq FROM articles a WHERE {' AND '.join(where)}", (*chunk, *params))
            found += [r["id"] for r in rows]
        if query and query.strip() and found:
            found = self._text_match(query, found)
        if f.get("near") and found:
            found = self._near(found, f["near"])
        return [i for i in ids if i in set(found)]

    def _text_match(self, query: str, ids: list[str]) -> list[str]:
        try:
            return self.store.match_ids(query, ids)
        except QueryError as e:  # a saved query the index cannot run must not stop the watcher
            raise QueryError(f"invalid alert query {query!r}: {e}") from None

    def _near(self, ids: list[str], near: Any) -> list[str]:
        from math import asin, cos, radians, sin, sqrt

        lat0, lon0, km = (float(x) for x in near)
        marks = ", ".join("?" * len(ids))
        rows = self.store._read(
            f"SELECT article_id, lat, lon FROM places WHERE article_id IN ({marks}) AND lat IS NOT NULL "
            f"UNION ALL SELECT article_id, place_lat, place_lon FROM claims WHERE article_id IN ({marks}) "
            "AND place_lat IS NOT NULL", (*ids, *ids),
        )
        out = set()
        for r in rows:
            p1, p2 = radians(lat0), radians(float(r["lat"]))
            dp, dl = p2 - p1, radians(float(r["lon"]) - lon0)
            h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
            if 2 * 6371.0 * asin(min(1.0, sqrt(h))) <= km:
                out.add(r["article_id"])
        return [i for i in ids if i in out]
