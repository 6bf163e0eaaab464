"""Versioned schema steps, applied in order and recorded in ``schema_migrations``
(and, on SQLite, ``PRAGMA user_version``).

Tables holding records are derived from ``schema.py`` so the database always
mirrors the records. Each step runs on either backend: it is called with the
connection and the backend's ``Dialect`` (``store.dialect``) and writes its DDL
with the dialect's type names and options. A step is never changed in what it
builds once released: later changes are new steps appended to ``STEPS``. Fields
added to a record later need no step: ``sync_columns`` adds the missing
(nullable) columns on open.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from .. import schema
from ..schema import ANNOTATION_TYPES, Article, Source
from .dialect import SQLITE, Dialect

# Columns the store adds to ``articles`` beyond the Article fields.
ARTICLE_EXTRA: list[tuple[str, str]] = [
    ("source_domain", "TEXT REFERENCES sources(domain)"),
    ("content_hash", "TEXT"),  # extract.common.content_hash of the body
    ("record_hash", "TEXT"),  # hash of the article record: detects "unchanged"
    ("analysis_hash", "TEXT"),  # hash of the annotations; NULL = never analysed
    ("duplicate_of", "TEXT REFERENCES articles(id) ON DELETE SET NULL"),  # earliest copy
    ("similarity", "REAL"),  # 1.0 exact copy, else estimated Jaccard to duplicate_of
    ("first_seen", "TEXT"),
    ("updated_at", "TEXT"),
    ("run_id", "INTEGER REFERENCES ingest_runs(id) ON DELETE SET NULL"),
    # ``published`` as a UTC instant (store.timestamps.utc_instant): what orders and date-filters articles
    ("published_utc", "TEXT"),
]

# Flattened copies of nested claim fields, so claims can be filtered in SQL.
# name -> (sql type, nested field, attribute)
CLAIM_FLAT: dict[str, tuple[str, str, str]] = {
    "actor_text": ("TEXT", "actor", "text"),
    "actor_code": ("TEXT", "actor", "code"),
    "actor_sector": ("TEXT", "actor", "sector"),
    "target_text": ("TEXT", "target", "text"),
    "target_code": ("TEXT", "target", "code"),
    "place_name": ("TEXT", "place", "name"),
    "place_geonames_id": ("INTEGER", "place", "geonames_id"),
    "place_country_code": ("TEXT", "place", "country_code"),
    "place_lat": ("REAL", "place", "lat"),
    "place_lon": ("REAL", "place", "lon"),
    "actor_basis": ("TEXT", "actor", "basis"),
    "place_basis": ("TEXT", "place", "basis"),
}
# Who stands behind a claim, one flat column per attribution role (names joined by "; "),
# so claims can be filtered and listed by asserter, denier or reporter without reading JSON.
ROLE_COLUMNS: dict[str, str] = {"asserts": "asserted_by_names", "denies": "denied_by_names",
                                "reports": "reported_by_names"}
# Extra annotation columns per table (beyond the record's own fields).
ANNOTATION_EXTRA: dict[str, list[tuple[str, str]]] = {
    "claims": [(n, t) for n, (t, _, _) in CLAIM_FLAT.items()] + [(c, "TEXT") for c in ROLE_COLUMNS.values()],
}
# The annotation kinds an analyst may review (store.reviews), by the name the CLI and API give one item.
REVIEW_KINDS: dict[str, str] = {"claim": "claims", "quote": "quotes", "place": "places"}
# An analyst's review mark (store.reviews): verdict, by, at, note, before, after.
for _kind in REVIEW_KINDS.values():
    ANNOTATION_EXTRA.setdefault(_kind, []).append(("review", "JSON"))


def role_names(attributions: Optional[list[dict]]) -> dict[str, Optional[str]]:
    """The ``ROLE_COLUMNS`` values of a claim's attributions (an attribution without a role asserts)."""
    out: dict[str, Optional[str]] = {}
    for role, col in ROLE_COLUMNS.items():
        names = [a.get("name") for a in attributions or [] if (a.get("role") or "asserts") == role and a.get("name")]
        out[col] = "; ".join(dict.fromkeys(names)) or None
    return out

# Indexes on columns the CLI and API filter on.
ANNOTATION_INDEXES: dict[str, list[str]] = {
    "entities": ["label", "canonical"],
    "quotes": ["speaker"],
    "places": ["geonames_id", "name"],
    "claims": ["type", "actor_code", "place_name", "place_geonames_id", "date"],
    "framing": ["term", "category"],
}


def q(name: str) -> str:
    """Quote an identifier (record fields include SQL keywords such as ``end``)."""
    return '"' + name.replace('"', '""') + '"'


def article_columns() -> list[tuple[str, str]]:
    return schema.columns(Article) + ARTICLE_EXTRA


def source_columns() -> list[tuple[str, str]]:
    return schema.columns(Source)


def annotation_columns(kind: str) -> list[tuple[str, str]]:
    return schema.columns(ANNOTATION_TYPES[kind]) + ANNOTATION_EXTRA.get(kind, [])


def _col_defs(d: Dialect, cols: list[tuple[str, str]], skip: set[str] = frozenset()) -> str:
    return ", ".join(f"{q(n)} {d.type(t)}" for n, t in cols if n not in skip)


def _step1(db, d: Dialect) -> None:
    db.execute(
        f"CREATE TABLE ingest_runs (id {d.serial_key}, started TEXT NOT NULL, finished TEXT, "
        f"inputs {d.json}, counts {d.json}, status TEXT NOT NULL DEFAULT 'running')"
    )
    db.execute(f"CREATE TABLE sources (domain TEXT PRIMARY KEY, {_col_defs(d, source_columns(), {'domain'})})")
    # ``seq`` is an explicit INTEGER PRIMARY KEY so the FTS index's rowids survive VACUUM.
    db.execute(
        f"CREATE TABLE articles (seq {d.serial_key}, id TEXT NOT NULL UNIQUE, "
        f"{_col_defs(d, article_columns(), {'id'})})"
    )
    for col in ("source_domain", "published", "language", "content_hash", "duplicate_of", "canonical_url", "run_id"):
        db.execute(f"CREATE INDEX articles_{col} ON articles({q(col)})")
    for kind in ANNOTATION_TYPES:
        db.execute(
            f"CREATE TABLE {q(kind)} (id {d.serial_key}, "
            "article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
            f"{_col_defs(d, annotation_columns(kind))})"
        )
        db.execute(f"CREATE INDEX {kind}_article_id ON {q(kind)}(article_id)")
        for col in ANNOTATION_INDEXES.get(kind, []):
            db.execute(f"CREATE INDEX {kind}_{col} ON {q(kind)}({q(col)})")
    db.execute(
        f"CREATE TABLE quarantine (id {d.serial_key}, "
        f"run_id {d.integer} REFERENCES ingest_runs(id) ON DELETE SET NULL, origin {d.json}, origin_label TEXT NOT NULL, "
        "reason TEXT NOT NULL, excerpt TEXT, first_seen TEXT NOT NULL, UNIQUE (origin_label, reason))"
    )
    db.execute("CREATE INDEX quarantine_reason ON quarantine(reason)")
    # Near-duplicate detection: MinHash signatures plus their LSH band buckets, so
    # candidates are found with an indexed query in any later run or process.
    db.execute(
        "CREATE TABLE minhashes (article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, "
        f"signature {d.blob} NOT NULL)"
    )
    db.execute(
        f"CREATE TABLE minhash_bands (band {d.integer} NOT NULL, bucket {d.integer} NOT NULL, "
        "article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        f"PRIMARY KEY (band, bucket, article_id)){d.keyed_table}"
    )
    db.execute("CREATE INDEX minhash_bands_article ON minhash_bands(article_id)")
    if not d.fts5:
        return  # the store builds its own full-text index after migrating
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='seq', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END"
    )
    db.execute(
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text); END"
    )
    db.execute(
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END"
    )


def _step2(db, d: Dialect) -> None:
    # Story clusters, reprints and claim contradictions (newsledger.stories). ``story_keys`` is
    # the inverted index (entity / place / claim / title-word key, publication day) that keeps
    # each incremental update to a bounded, indexed candidate lookup.
    db.execute(
        f"CREATE TABLE story_clusters (id {d.serial_key}, label TEXT, label_article TEXT, "
        f"first_published TEXT, last_published TEXT, size {d.integer} NOT NULL DEFAULT 0, "
        f"outlets {d.integer} NOT NULL DEFAULT 0, updated TEXT)"
    )
    db.execute("CREATE INDEX story_clusters_last ON story_clusters(last_published)")
    db.execute(
        "CREATE TABLE story_members (article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, "
        f"cluster_id {d.integer} NOT NULL REFERENCES story_clusters(id) ON DELETE CASCADE, score {d.real}, "
        f"day {d.integer} NOT NULL)"
    )
    db.execute("CREATE INDEX story_members_cluster ON story_members(cluster_id)")
    db.execute(
        f"CREATE TABLE story_keys (key TEXT NOT NULL, day {d.integer} NOT NULL, "
        f"article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, weight {d.real} NOT NULL, "
        f"PRIMARY KEY (key, day, article_id)){d.keyed_table}"
    )
    db.execute("CREATE INDEX story_keys_article ON story_keys(article_id)")
    db.execute(
        "CREATE TABLE story_terms (article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, "
        f"terms {d.json} NOT NULL, key_weight {d.real} NOT NULL)"
    )
    db.execute(f"CREATE TABLE story_df (term TEXT PRIMARY KEY, df {d.integer} NOT NULL){d.keyed_table}")
    db.execute(
        f"CREATE TABLE passage_hashes (hash {d.integer} NOT NULL, "
        f"article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, start {d.integer} NOT NULL, "
        f'"end" {d.integer} NOT NULL, PRIMARY KEY (hash, article_id, start)){d.keyed_table}'
    )
    db.execute("CREATE INDEX passage_hashes_article ON passage_hashes(article_id)")
    db.execute(
        "CREATE TABLE text_copies (article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        "copies_article TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        f'start {d.integer}, "end" {d.integer}, source_start {d.integer}, source_end {d.integer}, '
        f"shared_chars {d.integer}, similarity {d.real}, method TEXT NOT NULL, PRIMARY KEY (article_id, copies_article))"
    )
    db.execute("CREATE INDEX text_copies_source ON text_copies(copies_article)")
    db.execute(
        f"CREATE TABLE claim_contradictions (claim_id {d.integer} NOT NULL REFERENCES claims(id) ON DELETE CASCADE, "
        f"other_claim_id {d.integer} NOT NULL REFERENCES claims(id) ON DELETE CASCADE, kind TEXT NOT NULL, "
        "PRIMARY KEY (claim_id, other_claim_id))"
    )
    db.execute("CREATE INDEX claim_contradictions_other ON claim_contradictions(other_claim_id)")


def _step3(db, d: Dialect) -> None:
    # Crash safety (newsledger.journal): which documents of a run are done, and which
    # process owns a run and with which options, so a killed run can be resumed.
    for col, typ in (("pid", d.integer), ("host", "TEXT"), ("options", d.json)):
        db.execute(f"ALTER TABLE ingest_runs ADD COLUMN {col} {typ}")
    db.execute(
        f"CREATE TABLE ingest_journal (run_id {d.integer} NOT NULL REFERENCES ingest_runs(id) ON DELETE CASCADE, "
        f"origin_label TEXT NOT NULL, PRIMARY KEY (run_id, origin_label)){d.keyed_table}"
    )


# Read paths of the API (newsledger.store.views). Article bodies make ``articles``
# rows wide, so aggregates over thousands of hits read narrow covering indexes
# instead; name lookups there are case-insensitive, which the binary indexes of
# step 1 cannot serve. IF NOT EXISTS: databases served by older API versions
# already have the ones that the API used to create itself. Case-insensitive keys
# are lower(column), the expression every backend's lookups compare
# (``lower(x) = lower(?)``), followed by the column itself: SQLite (3.40) and
# PostgreSQL read an expression index alone only when it holds the column too. Step 10
# rebuilds the COLLATE NOCASE keys that SQLite files got from this step before.
API_INDEXES = (
    ("api_articles_facts", "articles", "seq, source_domain, language, published, duplicate_of, id"),
    ("api_articles_id_facts", "articles", "id, seq, source_domain, language, published, duplicate_of"),
    ("api_articles_published", "articles", "published, seq, duplicate_of, source_domain, language, id"),
    ("api_entities_canonical", "entities", "lower(canonical), article_id, canonical"),
    ("api_entities_text", "entities", "lower(text), article_id, text"),
    ("api_places_name", "places", "lower(name), article_id, geonames_id, name"),
    ("api_places_text", "places", "lower(text), article_id, geonames_id, text"),
    ("api_places_geonames", "places", "geonames_id, article_id"),
    ("api_claims_article", "claims", "article_id, type, place_geonames_id, place_name"),
    ("api_claims_type", "claims", "type, article_id"),
    ("api_claims_place_name", "claims", "lower(place_name), article_id, place_name"),
    ("api_claims_place_id", "claims", "place_geonames_id, article_id"),
    ("api_framing_article", "framing", "article_id, term, text, category, neutral"),
    ("api_quotes_speaker", "quotes", "lower(speaker)"),
)


def _step4(db, d: Dialect) -> None:
    for name, table, cols in API_INDEXES:
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {q(table)}({cols})")


# Compare (newsledger.store.views.compare) matches tens of thousands of articles by a
# place, entity or claim type; resolving each through the annotation tables and then
# the wide ``articles`` rows costs a lookup per article per table. One narrow row per
# (subject key, article), carrying the outlet and date, answers the per-outlet counts
# and first mentions from a single covering index range. Keys are folded by SQL
# lower() (like the API's lookups) so every backend folds them the same way.
# kind -> SELECT of (key, article_id) over the annotation tables; ``{kept}`` opens the
# condition on reviewable rows (places and claims): see ``fill_article_keys``.
ARTICLE_KEY_SOURCES: dict[str, str] = {
    "place": "SELECT lower(name) AS k, article_id FROM places WHERE {kept}name IS NOT NULL "
             "UNION SELECT lower(text), article_id FROM places WHERE {kept}text IS NOT NULL "
             "UNION SELECT lower(place_name), article_id FROM claims WHERE {kept}place_name IS NOT NULL",
    "place_id": "SELECT CAST(geonames_id AS TEXT) AS k, article_id FROM places WHERE {kept}geonames_id IS NOT NULL "
                "UNION SELECT CAST(place_geonames_id AS TEXT), article_id FROM claims "
                "WHERE {kept}place_geonames_id IS NOT NULL",
    "entity": "SELECT lower(canonical) AS k, article_id FROM entities WHERE canonical IS NOT NULL "
              "UNION SELECT lower(text), article_id FROM entities WHERE text IS NOT NULL",
    "claim_type": "SELECT upper(type) AS k, article_id FROM claims WHERE {kept}type IS NOT NULL",
}


# Places and claims an analyst rejected (store.reviews) give their article no key.
_UNREJECTED = "(review IS NULL OR review ->> 'verdict' != 'rejected') AND "


def fill_article_keys(db, article_id: str | None = None, skip_rejected: bool = True,
                      date_column: str = "published_utc") -> None:
    """(Re)build the ``article_keys`` rows of one article, or of every article. Their
    ``published`` is the article's UTC instant (``articles.published_utc``).
    ``skip_rejected=False`` and ``date_column="published"`` only for step 5, which runs
    before the ``review`` and ``published_utc`` columns exist (step 12 refills the dates)."""
    for kind, select in ARTICLE_KEY_SOURCES.items():
        select = select.format(kept=_UNREJECTED if skip_rejected else "")
        only = " WHERE s.article_id = ?" if article_id is not None else ""
        sql = (f"INSERT INTO article_keys (kind, key, source_domain, published, article_id) "
               f"SELECT DISTINCT '{kind}', s.k, a.source_domain, a.{date_column}, a.id "
               f"FROM ({select}) AS s "
               f"JOIN articles a ON a.id = s.article_id{only}")
        db.execute(sql, (article_id,) if article_id is not None else ())


def _step5(db, d: Dialect) -> None:
    db.execute(
        "CREATE TABLE article_keys (kind TEXT NOT NULL, key TEXT NOT NULL, source_domain TEXT, published TEXT, "
        "article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, PRIMARY KEY (kind, key, article_id))"
    )
    db.execute("CREATE INDEX article_keys_outlet ON article_keys(kind, key, source_domain, published, article_id)")
    db.execute("CREATE INDEX article_keys_article ON article_keys(article_id)")
    fill_article_keys(db, skip_rejected=False, date_column="published")


def _step6(db, d: Dialect) -> None:
    # Followed sources (newsledger.watch): the schedule and health of each, the feed items
    # already taken (so a restarted watcher neither refetches nor loses any), saved
    # searches and the articles they matched, with webhook delivery state. Safe to replay.
    i, r = d.integer, d.real
    db.execute(
        f"CREATE TABLE IF NOT EXISTS watch_sources (id {d.serial_key}, url TEXT NOT NULL UNIQUE, name TEXT, kind TEXT, "
        f"collection TEXT, every_s {i} NOT NULL, outlet TEXT, domain TEXT, added TEXT NOT NULL, "
        f"etag TEXT, last_modified TEXT, next_due {r}, last_attempt TEXT, last_success TEXT, last_error TEXT, "
        f"last_error_kind TEXT, last_status {i}, consecutive_failures {i} NOT NULL DEFAULT 0, "
        f"items_total {i} NOT NULL DEFAULT 0, last_new_item TEXT, last_duration {r}, daily {d.json}, "
        f"polls {i} NOT NULL DEFAULT 0)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS watch_sources_due ON watch_sources(next_due)")
    db.execute(
        f"CREATE TABLE IF NOT EXISTS watch_seen (source_id {i} NOT NULL REFERENCES watch_sources(id) ON DELETE CASCADE, "
        f"item_key TEXT NOT NULL, first_seen TEXT NOT NULL, PRIMARY KEY (source_id, item_key)){d.keyed_table}"
    )
    db.execute(
        f"CREATE TABLE IF NOT EXISTS alerts (id {d.serial_key}, name TEXT NOT NULL, query TEXT, filters {d.json}, "
        "webhook TEXT, secret TEXT, created TEXT NOT NULL)"
    )
    db.execute(
        f"CREATE TABLE IF NOT EXISTS alert_matches (alert_id {i} NOT NULL REFERENCES alerts(id) ON DELETE CASCADE, "
        "article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, matched TEXT NOT NULL, "
        f"delivery TEXT NOT NULL, attempts {i} NOT NULL DEFAULT 0, next_attempt {r}, last_error TEXT, "
        "PRIMARY KEY (alert_id, article_id))"
    )
    db.execute("CREATE INDEX IF NOT EXISTS alert_matches_delivery ON alert_matches(delivery, next_attempt)")


def _step7(db, d: Dialect) -> None:
    # Analyst reviews (store.reviews), keyed by article and span rather than by annotation
    # row, so they outlive re-analysis; no foreign key, so they outlive re-ingest too.
    db.execute(
        f"CREATE TABLE IF NOT EXISTS reviews (id {d.serial_key}, kind TEXT NOT NULL, article_id TEXT NOT NULL, "
        f'start {d.integer} NOT NULL, "end" {d.integer} NOT NULL, anchor TEXT NOT NULL DEFAULT \'\', verdict TEXT NOT NULL, '
        f"before_value {d.json}, after_value {d.json}, reviewer TEXT, reviewed_at TEXT NOT NULL, note TEXT, "
        'UNIQUE (kind, article_id, start, "end", anchor))'
    )
    db.execute("CREATE INDEX IF NOT EXISTS reviews_article ON reviews(article_id)")


def table_columns(db, d: Dialect, table: str) -> set[str]:
    return {r[0] for r in db.execute(d.columns_sql, (table,))}


def _step8(db, d: Dialect) -> None:
    # Claims stored before attributions had roles kept a flat ``asserted_by`` list (the
    # outlet and speakers behind the sentence). It becomes ``attributions`` with role
    # asserts, except on denials: whoever stood behind a denied claim denies it.
    sync_columns(db, d)
    if "asserted_by" not in table_columns(db, d, "claims"):
        return  # created after the change: nothing to convert
    rows = db.execute(
        "SELECT id, modality, asserted_by FROM claims WHERE asserted_by IS NOT NULL AND attributions IS NULL"
    ).fetchall()
    updates = []
    for cid, modality, old in rows:
        try:
            old = json.loads(old) if isinstance(old, str) else old
        except ValueError:
            old = []  # unreadable: no attribution (the old value stays in asserted_by)
        role = "denies" if modality == "denied" else "asserts"
        atts = [{**a, "role": role} for a in old if isinstance(a, dict) and a.get("name")] if isinstance(old, list) else []
        names = role_names(atts)
        updates.append((json.dumps(atts, ensure_ascii=False), *(names[c] for c in ROLE_COLUMNS.values()), cid))
    if updates:
        db.executemany(
            f"UPDATE claims SET attributions = ?, {', '.join(f'{c} = ?' for c in ROLE_COLUMNS.values())} WHERE id = ?",
            updates,
        )


def _step9(db, d: Dialect) -> None:
    # Alerts match every new article, whichever command stored it: each saved search keeps
    # the last article ``seq`` it was matched up to. A table of its own (not a column of
    # ``alerts``) so replaying the step is harmless.
    db.execute(
        f"CREATE TABLE IF NOT EXISTS alert_cursors (alert_id {d.integer} PRIMARY KEY REFERENCES alerts(id) "
        f"ON DELETE CASCADE, last_seq {d.integer} NOT NULL)"
    )


def _step10(db, d: Dialect) -> None:
    for name, table, cols in API_INDEXES:
        if cols.startswith("lower("):
            db.execute(f"DROP INDEX IF EXISTS {name}")
            db.execute(f"CREATE INDEX {name} ON {q(table)}({cols})")


def _step11(db, d: Dialect) -> None:
    # The story_df row counting indexed articles was named "\x00n"; PostgreSQL text holds no NUL, so there
    # it was stored as "n" and never read back (every IDF took one document). One name on both
    # (store.clusters.DOCUMENTS).
    old = "n" if d.name == "postgresql" else "\x00n"
    db.execute("UPDATE story_df SET term = '#n' WHERE term = ?", (old,))


# Step 12's article indexes: (name, columns, the step-4 index it replaces). The API's
# covering indexes (store.views) carry the UTC instant in place of ``published``.
UTC_INDEXES = (
    ("articles_published_utc", "published_utc", None),
    ("api_articles_facts_utc", "seq, source_domain, language, published_utc, duplicate_of, id", "api_articles_facts"),
    ("api_articles_id_facts_utc", "id, seq, source_domain, language, published_utc, duplicate_of",
     "api_articles_id_facts"),
    ("api_articles_published_utc", "published_utc, seq, duplicate_of, source_domain, language, id",
     "api_articles_published"),
)


def _step12(db, d: Dialect) -> None:
    # Times stated with different UTC offsets do not sort as text in the order they happened:
    # every article gets its UTC instant (store.timestamps), which orders and date-filters
    # everything from now on; the derived dates (article keys, story spans) are rebuilt from
    # it. Safe to replay.
    from .timestamps import utc_instant

    sync_columns(db, d)
    rows = db.execute("SELECT id, published FROM articles WHERE published IS NOT NULL").fetchall()
    updates = [(utc_instant(published), aid) for aid, published in rows]
    for i in range(0, len(updates), 1000):
        db.executemany("UPDATE articles SET published_utc = ? WHERE id = ?", updates[i:i + 1000])
    for name, cols, old in UTC_INDEXES:
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON articles({cols})")
        if old:
            db.execute(f"DROP INDEX IF EXISTS {old}")
    db.execute("UPDATE article_keys SET published = "
               "(SELECT a.published_utc FROM articles a WHERE a.id = article_keys.article_id)")
    db.execute("UPDATE story_clusters SET "
               "first_published = (SELECT min(a.published_utc) FROM story_members m "
               "JOIN articles a ON a.id = m.article_id WHERE m.cluster_id = story_clusters.id), "
               "last_published = (SELECT max(a.published_utc) FROM story_members m "
               "JOIN articles a ON a.id = m.article_id WHERE m.cluster_id = story_clusters.id)")


# (version, description, step(connection, dialect)). Append only.
STEPS: list[tuple[int, str, Callable[[Any, Dialect], None]]] = [
    (1, "articles, sources, annotations, runs, quarantine, minhashes, full-text index", _step1),
    (2, "story clusters, story key index, passage hashes, text copies, claim contradictions", _step2),
    (3, "ingest journal: documents done per run, run owner and options", _step3),
    (4, "covering and case-insensitive indexes for the API's searches and aggregates", _step4),
    (5, "article keys: the places, entities and claim types of each article, with its outlet and date", _step5),
    (6, "followed sources, items taken from them, saved searches (alerts) and their matches", _step6),
    (7, "analyst reviews of claims, quotes and places, keyed by article and span", _step7),
    (8, "claim attributions with roles (asserts, denies, reports) from asserted_by; flat role columns", _step8),
    (9, "alert cursors: the last article each saved search was matched against", _step9),
    (10, "case-insensitive API indexes keyed on lower(column) instead of COLLATE NOCASE", _step10),
    (11, "story document count under a name PostgreSQL can store (no NUL)", _step11),
    (12, "published_utc: each article's publication time as a UTC instant, for ordering and date filters", _step12),
]
LATEST = STEPS[-1][0]


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database to ``LATEST``; each step commits with its version bump."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > LATEST:
        from .errors import StoreError

        raise StoreError(
            f"database schema version {current} is newer than this newsledger supports ({LATEST}): upgrade newsledger"
        )
    if current < LATEST:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description TEXT NOT NULL, applied TEXT NOT NULL)"
            )
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            for version, description, step in STEPS:
                if version > current:
                    step(db, SQLITE)
                    db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, description, now))
                    db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    sync_columns(db)


def sync_columns(db, d: Dialect = SQLITE) -> None:
    """Add columns for record fields that are newer than the database."""
    wanted = {"sources": source_columns(), "articles": article_columns()}
    wanted.update({k: annotation_columns(k) for k in ANNOTATION_TYPES})
    for table, cols in wanted.items():
        have = table_columns(db, d, table)
        missing = [(n, t) for n, t in cols if n not in have]
        for name, typ in missing:
            # ALTER TABLE cannot add a REFERENCES column with a non-NULL default; ours default to NULL.
            db.execute(f"ALTER TABLE {q(table)} ADD COLUMN {q(name)} {d.type(typ)}")
