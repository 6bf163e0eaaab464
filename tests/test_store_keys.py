"""article_keys (the compare index) follows every write to the store."""

from __future__ import annotations

import sqlite3

from newsledger.schema import Entity
from newsledger.store import open_store
from newsledger.store.migrations import STEPS, fill_article_keys

from pg import postgres_server  # noqa: F401  (session fixture)
from test_store import BODY, make_analysis


def _keys(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT kind, key, source_domain, published, article_id FROM article_keys "
                          "ORDER BY article_id, kind, key").fetchall()
    finally:
        db.close()


def _rebuilt(path) -> list[tuple]:
    """The keys that a full rebuild from the annotation tables gives."""
    db = sqlite3.connect(path)
    try:
        db.execute("DELETE FROM article_keys")
        fill_article_keys(db)
        return db.execute("SELECT kind, key, source_domain, published, article_id FROM article_keys "
                          "ORDER BY article_id, kind, key").fetchall()
    finally:
        db.rollback()
        db.close()


A, B = "a1b2c3d4e5f60708", "b1b2c3d4e5f60708"
PUB = "2026-03-02T07:00:00Z"  # the keys carry the UTC instant of published 2026-03-02T08:00:00+01:00
NW = "northwind-gazette.example"


def test_keys_follow_ingest_reanalysis_and_delete(tmp_path):
    path = tmp_path / "news.db"
    s = open_store(path)
    s.upsert(make_analysis())
    assert _keys(path) == [
        ("claim_type", "ASSAULT", NW, PUB, A),
        ("entity", "teodor quill", NW, PUB, A),
        ("place", "odesa", NW, PUB, A),
        ("place_id", "698740", NW, PUB, A),
    ]
    # Re-analysis with other annotations, another outlet and date: every key follows.
    again = make_analysis(published="2026-04-01T00:00:00+00:00", domain="harbor-ledger.example")
    again.entities.append(Entity(text="Port Allory", label="GPE", canonical="Port Allory", start=16, end=27))
    again.claims[0].type = "TAKE_CONTROL"
    again.places = []
    assert s.upsert(again) == "updated"
    moved = ("harbor-ledger.example", "2026-04-01T00:00:00Z", A)
    assert _keys(path) == [
        ("claim_type", "TAKE_CONTROL", *moved),
        ("entity", "port allory", *moved),
        ("entity", "teodor quill", *moved),
        ("place", "odesa", *moved),  # the claim's place still names it
        ("place_id", "698740", *moved),
    ]
    # A changed body drops the annotations, and their keys with them.
    s.upsert(make_analysis(id=B, url="https://northwind-gazette.example/b"))
    assert s.upsert(make_analysis(text=BODY + "\n\nMore.").article) == "updated"
    assert [k[4] for k in _keys(path)] == [B] * 4
    assert _keys(path) == _rebuilt(path)
    assert s.delete(B) is True
    assert _keys(path) == []
    s.close()


def test_migration_backfills_existing_articles(tmp_path):
    path = tmp_path / "news.db"
    s = open_store(path)
    s.upsert(make_analysis())
    s.close()
    expected = _keys(path)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE article_keys")
    keys_step = next(v for v, description, _ in STEPS if description.startswith("article keys"))
    db.execute(f"PRAGMA user_version = {keys_step - 1}")
    db.execute("DELETE FROM schema_migrations WHERE version >= ?", (keys_step,))
    db.commit()
    db.close()
    open_store(path).close()
    assert _keys(path) == expected and len(expected) == 4


def test_postgres_keeps_the_same_keys(postgres_server):  # noqa: F811
    s = open_store(postgres_server.new_database())
    try:
        def keys():
            return [tuple(r.values()) for r in s._read(
                "SELECT kind, key, source_domain, article_id FROM article_keys ORDER BY article_id, kind, key")]

        s.upsert(make_analysis())
        assert keys() == [("claim_type", "ASSAULT", NW, A), ("entity", "teodor quill", NW, A),
                          ("place", "odesa", NW, A), ("place_id", "698740", NW, A)]
        again = make_analysis(domain="harbor-ledger.example")
        again.claims = []
        assert s.upsert(again) == "updated"
        assert keys() == [("entity", "teodor quill", "harbor-ledger.example", A),
                          ("place", "odesa", "harbor-ledger.example", A),
                          ("place_id", "698740", "harbor-ledger.example", A)]
        assert s.delete(A) is True
        assert keys() == []
    finally:
        s.close()
