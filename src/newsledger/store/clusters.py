"""The SQL behind story clustering, copy detection and contradictions (``newsledger.stories.cluster``).

Each function works on the connection the store hands out (``store._write()`` for the
clusterer, ``store._conn()`` for the readers that resolve places): a SQLite connection, or
the PostgreSQL store's connection. The statements are written once for both: ``lower()``
rather than ``COLLATE NOCASE``, ``RETURNING`` rather than ``lastrowid``, every subquery
named, every capped read ordered to the end (ties and undated rows land alike on both, where
PostgreSQL would sort NULLs last). The clusterer keeps the logic (keys, scores, rules); term
vectors are stored as JSON text here.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Optional


_CHUNK = 500  # ids per IN (...) list: under SQLite's host-parameter limit on every build
# The story_df row counting the indexed articles: a name no term has (terms are words of three or
# more letters and "p:<id>" keys), without NUL, which PostgreSQL text cannot hold.
DOCUMENTS = "#n"


def rows(db, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@contextmanager
def savepoint(db) -> Iterator[None]:
    """Undo what the block wrote when it raises (the error goes on up); the enclosing
    transaction keeps everything else. PostgreSQL needs this to go on after an error at all."""
    db.execute("SAVEPOINT story_article")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK TO SAVEPOINT story_article")
        raise
    finally:
        db.execute("RELEASE SAVEPOINT story_article")


def articles(db, ids: list[str]) -> list[dict[str, Any]]:
    """The fields clustering reads of each stored article in ``ids`` (unknown ids are left out)."""
    out: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        out += rows(db, "SELECT id, title, text, published, published_utc, first_seen, source_domain, duplicate_of, "
                        f"similarity FROM articles WHERE id IN ({_marks(len(chunk))})", tuple(chunk))
    return out


def article_dates(db, article_id: str) -> Optional[tuple]:
    """(published, source_domain, first_seen) of an article, None when it is not stored."""
    row = db.execute("SELECT published, source_domain, first_seen FROM articles WHERE id = ?",
                     (article_id,)).fetchone()
    return tuple(row) if row else None


# ------------------------------------------------------------------ forgetting a placement

def drop_article(db, article_id: str) -> Optional[int]:
    """Remove the article's index rows (its terms count one document fewer), passages, copy links and
    membership; the cluster it left."""
    row = db.execute("SELECT terms FROM story_terms WHERE article_id = ?", (article_id,)).fetchone()
    if row:
        db.executemany("UPDATE story_df SET df = df - 1 WHERE term = ?",
                       [(t,) for t in [*json.loads(row[0]), DOCUMENTS]])
    for table in ("story_terms", "story_keys", "passage_hashes", "text_copies"):
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
    row = db.execute("DELETE FROM story_members WHERE article_id = ? RETURNING cluster_id", (article_id,)).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------ copies

def add_passages(db, article_id: str, sentences: Iterable[tuple[int, int, int]]) -> None:
    """Index the article's sentences (hash, start, end) by hash."""
    db.executemany(
        'INSERT INTO passage_hashes (hash, article_id, start, "end") VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [(h, article_id, s, e) for h, s, e in sentences],
    )


def passage_postings(db, hash_: str, other_than: str, limit: int) -> list[tuple[str, int, int]]:
    """(article_id, start, end) of up to ``limit`` other articles holding the sentence ``hash_``."""
    return [tuple(r) for r in db.execute(
        'SELECT article_id, start, "end" FROM passage_hashes WHERE hash = ? AND article_id != ? '
        "ORDER BY article_id, start LIMIT ?",
        (hash_, other_than, limit),
    ).fetchall()]


def passage_chars(db, article_id: str) -> int:
    """Characters of the article's indexed sentences."""
    return db.execute('SELECT COALESCE(SUM("end" - start), 0) FROM passage_hashes WHERE article_id = ?',
                      (article_id,)).fetchone()[0] or 0


_COPY_COLUMNS = ('(article_id, copies_article, start, "end", source_start, source_end, shared_chars, similarity, '
                 "method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def replace_copy(db, article_id: str, source: str, span: tuple) -> None:
    """Make ``source`` the one article ``article_id`` copies. ``span``: (start, end, source_start,
    source_end, shared_chars, similarity, method)."""
    db.execute("DELETE FROM text_copies WHERE article_id = ?", (article_id,))
    db.execute("INSERT INTO text_copies " + _COPY_COLUMNS, (article_id, source, *span))


def record_copy(db, article_id: str, source: str, span: tuple) -> None:
    """Record (or update) that ``article_id`` copies ``source``; ``span`` as for ``replace_copy``."""
    db.execute(
        "INSERT INTO text_copies " + _COPY_COLUMNS + " "
        'ON CONFLICT (article_id, copies_article) DO UPDATE SET start = excluded.start, "end" = excluded."end", '
        "source_start = excluded.source_start, source_end = excluded.source_end, "
        "shared_chars = excluded.shared_chars, similarity = excluded.similarity, method = excluded.method",
        (article_id, source, *span),
    )


def copy_links(db, article_id: str) -> set[str]:
    """Articles ``article_id`` copies or that copy it."""
    return {r[0] for r in db.execute(
        "SELECT copies_article FROM text_copies WHERE article_id = ? "
        "UNION SELECT article_id FROM text_copies WHERE copies_article = ?", (article_id, article_id))}


# ------------------------------------------------------------------ keys and terms

def article_places(db, article_id: str) -> list[tuple[int, Optional[str]]]:
    """(geonames_id, feature) of the article's resolved places."""
    return [tuple(r) for r in db.execute(
        "SELECT DISTINCT geonames_id, feature FROM places WHERE article_id = ? AND geonames_id IS NOT NULL",
        (article_id,)).fetchall()]


def article_people_orgs(db, article_id: str) -> list[tuple[str, str, Optional[str]]]:
    """(label, lower-cased canonical name, transliteration key) of the article's people and organisations."""
    return [tuple(r) for r in db.execute(
        "SELECT DISTINCT label, lower(COALESCE(canonical, text)), key FROM entities WHERE article_id = ? "
        "AND label IN ('PERSON', 'ORG')", (article_id,)).fetchall()]


def article_claim_places(db, article_id: str) -> list[tuple[str, Optional[int], Optional[str]]]:
    """(type, place_geonames_id, place_name) of the article's claims that name a place."""
    return [tuple(r) for r in db.execute(
        "SELECT DISTINCT type, place_geonames_id, place_name FROM claims WHERE article_id = ? "
        "AND (place_geonames_id IS NOT NULL OR place_name IS NOT NULL)", (article_id,)).fetchall()]


def key_postings(db, key: str, first_day: int, last_day: int, limit: int) -> list[str]:
    """Articles indexed under ``key`` on the days given, latest days first, at most ``limit``."""
    return [r[0] for r in db.execute(
        "SELECT article_id FROM story_keys WHERE key = ? AND day BETWEEN ? AND ? "
        "ORDER BY day DESC, article_id DESC LIMIT ?",
        (key, first_day, last_day, limit)).fetchall()]


def keyed_articles(db, keys: list[str], first_day: int, last_day: int, limit: int) -> list[str]:
    """Distinct articles indexed under any of ``keys`` on the days given, at most ``limit``."""
    if not keys:
        return []
    return [r[0] for r in db.execute(
        f"SELECT DISTINCT article_id FROM story_keys WHERE key IN ({_marks(len(keys))}) "
        "AND day BETWEEN ? AND ? ORDER BY article_id LIMIT ?", (*keys, first_day, last_day, limit)).fetchall()]


def index_article(db, article_id: str, day: int, keys: dict[str, float], terms: dict[str, int],
                  key_weight: float) -> None:
    """Index the article under its keys and terms; each term counts one more document."""
    db.executemany("INSERT INTO story_keys (key, day, article_id, weight) VALUES (?, ?, ?, ?)",
                   [(k, day, article_id, w) for k, w in keys.items()])
    db.execute("INSERT INTO story_terms (article_id, terms, key_weight) VALUES (?, ?, ?)",
               (article_id, json.dumps(terms, ensure_ascii=False), key_weight))
    db.executemany("INSERT INTO story_df (term, df) VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET df = story_df.df + 1",
                   [(t,) for t in [*terms, DOCUMENTS]])


def document_frequencies(db, terms: Iterable[str]) -> tuple[dict[str, int], int]:
    """(term -> number of indexed articles holding it, for the known terms; number of indexed articles)."""
    out: dict[str, int] = {}
    for chunk in _chunks(list({*terms, DOCUMENTS})):
        out.update((t, df) for t, df in db.execute(
            f"SELECT term, df FROM story_df WHERE term IN ({_marks(len(chunk))})", tuple(chunk)).fetchall())
    return out, out.pop(DOCUMENTS, None) or 1


def member_vectors(db, ids: list[str]) -> list[tuple[str, dict[str, int], float, int, int]]:
    """(article_id, terms, key_weight, cluster_id, day) of the clustered articles among ``ids``."""
    out = []
    for chunk in _chunks(ids):
        for aid, terms, key_weight, cluster, day in db.execute(
            "SELECT t.article_id, t.terms, t.key_weight, m.cluster_id, m.day FROM story_terms t "
            f"JOIN story_members m ON m.article_id = t.article_id WHERE t.article_id IN ({_marks(len(chunk))})",
            tuple(chunk),
        ).fetchall():
            out.append((aid, json.loads(terms), key_weight, cluster, day))
    return out


# ------------------------------------------------------------------ clusters

def open_cluster(db) -> int:
    """A new, empty cluster's id."""
    return db.execute("INSERT INTO story_clusters (size) VALUES (0) RETURNING id").fetchone()[0]


def add_member(db, article_id: str, cluster: int, score: float, day: int) -> None:
    db.execute("INSERT INTO story_members (article_id, cluster_id, score, day) VALUES (?, ?, ?, ?)",
               (article_id, cluster, score, day))


def cluster_head(db, cluster: int) -> Optional[tuple]:
    """(size, first_published, last_published, outlets) as recorded, None for no such cluster."""
    row = db.execute("SELECT size, first_published, last_published, outlets FROM story_clusters WHERE id = ?",
                     (cluster,)).fetchone()
    return tuple(row) if row else None


def cluster_counts(db, cluster: int) -> tuple:
    """(members, first published, last published, distinct outlets) counted from the members; the
    span in UTC instants (``articles.published_utc``)."""
    return tuple(db.execute(
        "SELECT COUNT(*), MIN(a.published_utc), MAX(a.published_utc), COUNT(DISTINCT a.source_domain) "
        "FROM story_members m JOIN articles a ON a.id = m.article_id WHERE m.cluster_id = ?", (cluster,),
    ).fetchone())


def cluster_titles(db, cluster: int, limit: int) -> list[tuple[str, Optional[str], Optional[str]]]:
    """(article id, title, published) of up to ``limit`` members, undated first, then earliest first."""
    return [tuple(r) for r in db.execute(
        "SELECT a.id, a.title, a.published FROM story_members m JOIN articles a ON a.id = m.article_id "
        "WHERE m.cluster_id = ? ORDER BY a.published_utc IS NOT NULL, a.published_utc, a.id LIMIT ?", (cluster, limit),
    ).fetchall()]


def delete_cluster(db, cluster: int) -> None:
    db.execute("DELETE FROM story_clusters WHERE id = ?", (cluster,))


def relabel_cluster(db, cluster: int, *, size: int, first: Optional[str], last: Optional[str], outlets: int,
                    label: Optional[str], label_article: Optional[str], updated: str) -> None:
    db.execute(
        "UPDATE story_clusters SET size = ?, first_published = ?, last_published = ?, outlets = ?, updated = ?, "
        "label = ?, label_article = ? WHERE id = ?", (size, first, last, outlets, updated, label, label_article, cluster),
    )


def grow_cluster(db, cluster: int, *, size: int, first: Optional[str], last: Optional[str], updated: str) -> None:
    """Record a new size and time span, leaving outlets and label as they were."""
    db.execute("UPDATE story_clusters SET size = ?, first_published = ?, last_published = ?, updated = ? WHERE id = ?",
               (size, first, last, updated, cluster))


# ------------------------------------------------------------------ claims and contradictions

def article_place_names(db, article_id: str) -> list[tuple[Optional[str], Optional[str], int]]:
    """(name, text as written, geonames_id) of the article's resolved places, in text order."""
    return [tuple(r) for r in db.execute(
        'SELECT name, text, geonames_id FROM places WHERE article_id = ? AND geonames_id IS NOT NULL '
        'ORDER BY start, "end", geonames_id', (article_id,)).fetchall()]


def claimed_place_id(db, name: str, scan: int = 50) -> Optional[int]:
    """A GeoNames id other claims naming the place ``name`` got (the first of ``scan`` of them)."""
    row = db.execute(
        "SELECT place_geonames_id FROM (SELECT place_geonames_id FROM claims WHERE place_name = ? LIMIT ?) named "
        "WHERE place_geonames_id IS NOT NULL LIMIT 1", (name, scan),
    ).fetchone()
    return row[0] if row else None


def placed_claims(db, article_id: str) -> list[tuple]:
    """(id, type, actor_code, modality, date, place_geonames_id, place_name) of the article's asserted or
    denied claims that name a place."""
    return [tuple(r) for r in db.execute(
        "SELECT id, type, actor_code, modality, date, place_geonames_id, place_name FROM claims "
        "WHERE article_id = ? AND (place_geonames_id IS NOT NULL OR place_name IS NOT NULL) "
        "AND modality IN ('asserted', 'denied')", (article_id,)).fetchall()]


def claims_of_types(db, article_ids: list[str], types: list[str]) -> list[dict[str, Any]]:
    """Claims of ``types`` in the articles, with their article's outlet and dates."""
    out: list[dict[str, Any]] = []
    for chunk in _chunks(article_ids):
        out += rows(
            db,
            "SELECT c.id, c.article_id, c.type, c.actor_code, c.actor_text, c.modality, c.date, c.sentence, "
            "c.asserted_by_names, c.denied_by_names, c.reported_by_names, c.place_name, c.place_geonames_id, "
            "a.published, a.source_domain, a.first_seen "
            f"FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.article_id IN ({_marks(len(chunk))}) "
            f"AND c.type IN ({_marks(len(types))})", (*chunk, *types),
        )
    return out


def add_contradiction(db, claim_id: int, other_claim_id: int, kind: str) -> int:
    """Record a contradiction between two claims; 1 when it is new, 0 when already recorded."""
    row = db.execute(
        "INSERT INTO claim_contradictions (claim_id, other_claim_id, kind) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING claim_id", (claim_id, other_claim_id, kind),
    ).fetchone()
    return 1 if row else 0
