"""The SQL behind the story and provenance readers (``newsledger.stories.queries``).

Each function reads through the connection the store hands out (``store._conn()``:
a SQLite connection, or the PostgreSQL store's connection), so the readers hold
logic only. Rows come back as dicts.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from .timestamps import since_bound, until_bound

_CLAIM = ("SELECT c.id, c.article_id, c.type, c.actor_code, c.actor_text, c.actor_basis, c.place_name, c.place_basis, "
          "c.place_geonames_id, c.date, c.modality, c.asserted_by_names, c.denied_by_names, c.reported_by_names, "
          "c.sentence, a.published, a.source_domain AS outlet FROM claims c JOIN articles a ON a.id = c.article_id ")
_QUOTE = ("SELECT q.id, q.article_id, q.text, q.kind, q.speaker, a.published, a.source_domain AS outlet "
          "FROM quotes q JOIN articles a ON a.id = q.article_id ")


def rows(db, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# ------------------------------------------------------------------ stories

def clusters(db, *, since: Optional[str], until: Optional[str], min_size: int, limit: int,
             offset: int) -> list[dict[str, Any]]:
    """Story clusters active in the range, most recently active first. A cluster's span
    (first/last_published) holds UTC instants; ``store.timestamps`` says how bounds are read."""
    where, params = ["size >= ?"], [min_size]
    lo, hi = since_bound(since), until_bound(until)
    if lo is not None:
        where.append("last_published >= ?")
        params.append(lo)
    if hi is not None:
        where.append(f"first_published {hi[0]} ?")
        params.append(hi[1])
    return rows(
        db,
        "SELECT id, label, label_article, first_published, last_published, size, outlets FROM story_clusters "
        f"WHERE {' AND '.join(where)} ORDER BY last_published DESC NULLS LAST, id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )


def copy_root(db, article_id: str) -> Optional[str]:
    """The article ``article_id`` copies, if it is a copy."""
    row = db.execute("SELECT copies_article FROM text_copies WHERE article_id = ? LIMIT 1", (article_id,)).fetchone()
    return row[0] if row else None


def cluster(db, story_id: int) -> Optional[dict[str, Any]]:
    head = rows(db, "SELECT id, label, label_article, first_published, last_published, size, outlets "
                    "FROM story_clusters WHERE id = ?", (story_id,))
    return head[0] if head else None


def cluster_articles(db, story_id: int, limit: int) -> list[dict[str, Any]]:
    return rows(
        db,
        "SELECT a.id, a.title, a.published, a.source_domain AS outlet, s.name AS outlet_name, a.language, "
        "m.score, c.copies_article AS copy_of, c.similarity AS copy_similarity FROM story_members m "
        "JOIN articles a ON a.id = m.article_id LEFT JOIN sources s ON s.domain = a.source_domain "
        # one copy row per article, the same one on every backend (GROUP BY a.id picked any on SQLite
        # and is an error on PostgreSQL); undated articles first on both
        "LEFT JOIN text_copies c ON c.article_id = a.id AND c.copies_article = "
        "(SELECT min(c2.copies_article) FROM text_copies c2 WHERE c2.article_id = a.id) WHERE m.cluster_id = ? "
        "ORDER BY a.published_utc IS NOT NULL, a.published_utc, a.id LIMIT ?", (story_id, limit),
    )


def claims_in(db, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return rows(db, _CLAIM + f"WHERE c.article_id IN ({_marks(len(ids))}) ORDER BY a.published_utc NULLS LAST, c.id",
                tuple(ids))


def quotes_in(db, ids: list[str], limit: int) -> list[dict[str, Any]]:
    if not ids:
        return []
    return rows(
        db,
        "SELECT q.id, q.article_id, q.speaker, q.text, q.kind, a.published, a.source_domain AS outlet "
        f"FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.article_id IN ({_marks(len(ids))}) "
        "AND q.kind IN ('direct', 'partial') ORDER BY a.published_utc NULLS LAST, q.id LIMIT ?", (*ids, limit),
    )


def contradictions_in(db, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    marks = _marks(len(ids))
    return rows(
        db,
        "SELECT x.kind, x.claim_id, a1.article_id, a1.type, a1.actor_code, a1.place_name, a1.modality, "
        "ar1.source_domain AS outlet, x.other_claim_id, a2.article_id AS other_article_id, a2.type AS other_type, "
        "a2.actor_code AS other_actor_code, a2.modality AS other_modality, ar2.source_domain AS other_outlet "
        "FROM claim_contradictions x JOIN claims a1 ON a1.id = x.claim_id JOIN claims a2 ON a2.id = x.other_claim_id "
        "JOIN articles ar1 ON ar1.id = a1.article_id JOIN articles ar2 ON ar2.id = a2.article_id "
        f"WHERE a1.article_id IN ({marks}) OR a2.article_id IN ({marks}) ORDER BY x.claim_id, x.other_claim_id",
        tuple(ids) * 2,
    )


def outlet_registry(db, domains: Iterable[str]) -> dict[str, tuple]:
    """domain -> (country, state_affiliated) for the registered ones."""
    domains = list(domains)
    known: dict[str, tuple] = {}
    for i in range(0, len(domains), 500):
        chunk = domains[i:i + 500]
        for domain, country, state in db.execute(
            f"SELECT domain, country, state_affiliated FROM sources WHERE domain IN ({_marks(len(chunk))})", chunk,
        ).fetchall():
            known[domain] = (country, state)
    return known


def clusters_of(db, article_ids: list[str]) -> dict[str, int]:
    ids = list(set(article_ids))
    out: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out.update(db.execute(f"SELECT article_id, cluster_id FROM story_members WHERE article_id IN "
                              f"({_marks(len(chunk))})", chunk).fetchall())
    return out


# ------------------------------------------------------------------ provenance

def claim(db, claim_id: int) -> Optional[dict[str, Any]]:
    found = rows(db, _CLAIM + "WHERE c.id = ?", (claim_id,))
    return found[0] if found else None


def story_claims_like(db, article_id: str, type: str, actor_code: Optional[str], limit: int = 500) -> list[dict]:
    """Claims of the type and actor in the story of ``article_id``."""
    return rows(
        db,
        "SELECT c.id, c.article_id, c.type, c.actor_code, c.place_name, c.place_geonames_id, c.date, c.modality, "
        "c.asserted_by_names, c.denied_by_names, c.reported_by_names, c.sentence, a.published, "
        "a.source_domain AS outlet FROM claims c "
        "JOIN articles a ON a.id = c.article_id "
        "WHERE c.article_id IN (SELECT article_id FROM story_members WHERE cluster_id = "
        "(SELECT cluster_id FROM story_members WHERE article_id = ?)) AND c.type = ? AND COALESCE(c.actor_code, '') = COALESCE(?, '') "
        "LIMIT ?", (article_id, type, actor_code, limit),
    )


def contradicting(db, ids: list[int]) -> list[dict[str, Any]]:
    """The other side of every recorded contradiction of the claims ``ids``."""
    marks = _marks(len(ids))
    return rows(
        db,
        "SELECT x.kind, o.id AS claim_id, o.article_id, o.type, o.actor_code, o.modality, o.sentence, "
        "a.source_domain AS outlet, a.published FROM claim_contradictions x "
        "JOIN claims o ON o.id = CASE WHEN x.claim_id IN (" + marks + ") THEN x.other_claim_id ELSE x.claim_id END "
        "JOIN articles a ON a.id = o.article_id "
        f"WHERE x.claim_id IN ({marks}) OR x.other_claim_id IN ({marks}) ORDER BY a.published_utc NULLS LAST, o.id",
        tuple(ids) * 3,
    )


def quote(db, quote_id: int) -> Optional[dict[str, Any]]:
    found = rows(db, _QUOTE + "WHERE q.id = ?", (quote_id,))
    return found[0] if found else None


def quotes_by_speaker(db, speaker: str, other_than: int, limit: int) -> list[dict[str, Any]]:
    return rows(db, _QUOTE + "WHERE lower(q.speaker) = lower(?) AND q.id != ? LIMIT ?", (speaker, other_than, limit))


def quotes_in_story_of(db, article_id: str, other_than: int, limit: int) -> list[dict[str, Any]]:
    return rows(
        db, _QUOTE + "WHERE q.article_id IN (SELECT article_id FROM story_members WHERE cluster_id = "
        "(SELECT cluster_id FROM story_members WHERE article_id = ?)) AND q.id != ? LIMIT ?",
        (article_id, other_than, limit),
    )
