"""Upgrades: a database made by the first released schema opens with the latest code, data intact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsledger import journal
from newsledger.store import StoreError, open_store
from newsledger.store.dialect import SQLITE
from newsledger.store.migrations import LATEST, STEPS

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "schema_v1.sql"
ART_ID = "7d1f0c2a9b" + "0" * 30


def _frozen_v1(db: sqlite3.Connection) -> None:
    db.executescript(FIXTURE.read_text(encoding="utf-8"))


def _step1_only(db: sqlite3.Connection) -> None:
    STEPS[0][2](db, SQLITE)


def _make_v1(path: Path, build) -> None:
    """A version-1 database as ``migrate`` left it in release 1, with rows written by raw SQL."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
               "applied TEXT NOT NULL)")
    build(db)
    db.execute("INSERT INTO schema_migrations VALUES (1, ?, '2025-01-01T00:00:00+00:00')", (STEPS[0][1],))
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO ingest_runs (id, started, finished, inputs, counts, status) VALUES "
               "(1, '2025-03-02T08:00:00+00:00', '2025-03-02T08:01:00+00:00', '[\"pages/\"]', "
               "'{\"read\": 1, \"new\": 1}', 'ok')")
    db.execute("INSERT INTO sources (domain, name, country) VALUES ('harbour-ledger.example', 'Harbour Ledger', 'NO')")
    text = 'The Bergen ferry resumed on Monday. "The quay is safe," said harbour master Ansel Dring.'
    db.execute(
        "INSERT INTO articles (id, url, source, title, published, tags, language, authors, images, links, text, "
        "provenance, source_domain, content_hash, record_hash, analysis_hash, first_seen, updated_at, run_id) "
        "VALUES (?, ?, ?, ?, ?, '[]', 'en', '[\"Lene Vik\"]', '[]', '[]', ?, ?, 'harbour-ledger.example', "
        "'c0ffee', 'r1', 'a1', '2025-03-02T08:00:30+00:00', '2025-03-02T08:00:30+00:00', 1)",
        (ART_ID, "https://harbour-ledger.example/ferry", json.dumps({"domain": "harbour-ledger.example",
                                                                     "name": "Harbour Ledger"}),
         "Bergen ferry resumes", "2025-03-02T07:00:00+01:00", text,
         json.dumps({"extractor": "html", "origin": {"kind": "html", "path": "pages/ferry.html"}})),
    )
    db.execute(
        'INSERT INTO quotes (article_id, text, kind, start, "end", speaker, cue, sentence, component, confidence) '
        "VALUES (?, 'The quay is safe,', 'direct', 37, 54, 'Ansel Dring', 'said', 1, 'quotes', 0.9)",
        (ART_ID,),
    )
    db.execute(
        'INSERT INTO entities (article_id, text, label, start, "end", canonical, component, confidence) '
        "VALUES (?, 'Ansel Dring', 'PERSON', 77, 88, 'Ansel Dring', 'entities', 1.0)",
        (ART_ID,),
    )
    db.close()


@pytest.mark.parametrize("build", [_frozen_v1, _step1_only], ids=["frozen-v1-file", "steps-1-only"])
def test_version_1_database_upgrades_and_keeps_its_data(tmp_path, build):
    path = tmp_path / "v1.db"
    _make_v1(path, build)
    with open_store(path) as store:
        db = store._conn()
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version")] == \
            list(range(1, LATEST + 1))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        got = store.get(ART_ID[:8])
        assert got.article.title == "Bergen ferry resumes" and got.article.authors == ["Lene Vik"]
        assert got.article.source.name == "Harbour Ledger" and got.article.provenance.origin.path == "pages/ferry.html"
        assert [(q.speaker, q.text, q.start, q.end) for q in got.quotes] == [("Ansel Dring", "The quay is safe,", 37, 54)]
        assert [e.canonical for e in got.entities] == ["Ansel Dring"]
        assert [h.id for h in store.search("ferry")] == [ART_ID]  # the version-1 full-text index still answers
        (run,) = store.runs()
        assert run["status"] == "ok" and run["counts"] == {"read": 1, "new": 1} and run["pid"] is None
        with pytest.raises(journal.ResumeError, match=r"the last ingest run \(1\) finished \(ok\)"):
            journal.resumable_run(store)
        # writable after the upgrade: the raw row's made-up hashes differ, so this is an update
        assert store.upsert(got) == "updated" and store.get(ART_ID).quotes == got.quotes
        assert store.upsert(got) == "unchanged"
    with open_store(path) as store:  # a second open has nothing left to do
        assert store._conn().execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == LATEST


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "future.db"
    open_store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.close()
    with pytest.raises(StoreError, match=f"schema version {LATEST + 1} is newer than this newsledger supports"):
        open_store(path)


def test_frozen_fixture_is_version_1_as_released():
    text = FIXTURE.read_text(encoding="utf-8")
    assert "CREATE TABLE ingest_journal" not in text and "story_clusters" not in text
    assert text.count("CREATE TABLE") == 11 and "CREATE VIRTUAL TABLE articles_fts USING fts5" in text


def test_claims_asserted_by_becomes_attributions_with_roles(tmp_path):
    """Release-1 claims kept a flat asserted_by list; a denial's asserters become its deniers."""
    path = tmp_path / "v1.db"
    _make_v1(path, _frozen_v1)
    db = sqlite3.connect(path)
    people = [{"name": "Harbour Ledger", "kind": "outlet", "mention": None},
              {"name": "Ansel Dring", "kind": "person", "mention": {"text": "Ansel Dring", "start": 77, "end": 88}}]
    for modality in ("asserted", "denied"):
        db.execute(
            'INSERT INTO claims (article_id, type, start, "end", sentence, modality, asserted_by, asserted_by_names, '
            "framing, component, confidence) VALUES (?, 'CONSULT', 0, 36, 'The Bergen ferry resumed on Monday.', ?, ?, "
            "'Harbour Ledger; Ansel Dring', '[]', 'claims', 0.8)",
            (ART_ID, modality, json.dumps(people)))
    db.execute("INSERT INTO claims (article_id, type, start, \"end\", sentence, modality, asserted_by) "
               "VALUES (?, 'CONSULT', 0, 5, 'x', 'asserted', 'not json')", (ART_ID,))
    db.commit()
    db.close()
    with open_store(path) as store:
        rows = {(r["modality"], r["sentence"]): r for r in store.claims(limit=10)}
        said = rows[("asserted", "The Bergen ferry resumed on Monday.")]
        assert [(a["name"], a["kind"], a["role"]) for a in said["attributions"]] == [
            ("Harbour Ledger", "outlet", "asserts"), ("Ansel Dring", "person", "asserts")]
        assert said["attributions"][1]["mention"]["start"] == 77
        assert (said["asserted_by_names"], said["denied_by_names"]) == ("Harbour Ledger; Ansel Dring", None)
        denied = rows[("denied", "The Bergen ferry resumed on Monday.")]
        assert {a["role"] for a in denied["attributions"]} == {"denies"}
        assert (denied["asserted_by_names"], denied["denied_by_names"]) == (None, "Harbour Ledger; Ansel Dring")
        assert rows[("asserted", "x")]["attributions"] == []  # unreadable: no attribution, still opens
        got = store.get(ART_ID)
        assert [[a.role for a in c.attributions] for c in got.claims] == [["asserts", "asserts"], ["denies", "denies"], []]


_NAME_LOOKUPS = {  # the case-insensitive lookups of the API, compare and the stories' provenance
    "api_entities_canonical": "SELECT article_id FROM entities WHERE lower(canonical) = lower(?)",
    "api_entities_text": "SELECT article_id FROM entities WHERE lower(text) = lower(?)",
    "api_places_name": "SELECT geonames_id FROM places WHERE lower(name) = lower(?) AND geonames_id IS NOT NULL",
    "api_places_text": "SELECT article_id FROM places WHERE lower(text) = lower(?)",
    "api_claims_place_name": "SELECT article_id FROM claims WHERE lower(place_name) = lower(?)",
    "api_quotes_speaker": "SELECT * FROM quotes q WHERE lower(q.speaker) = lower(?)",
}


def _plans(db) -> dict[str, str]:
    return {name: " ".join(r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + sql, ("Kessel",)))
            for name, sql in _NAME_LOOKUPS.items()}


def _assert_indexed(db) -> None:
    for name, plan in _plans(db).items():
        assert f"INDEX {name} (<expr>=?)" in plan, (name, plan)
        if name != "api_quotes_speaker":  # the others answer from the index alone
            assert "COVERING INDEX" in plan, (name, plan)
    assert not db.execute("SELECT name FROM sqlite_master WHERE sql LIKE '%COLLATE NOCASE%'").fetchall()


def test_name_lookups_are_indexed_in_a_new_file(tmp_path):
    with open_store(tmp_path / "new.db") as store:
        _assert_indexed(store._conn())


def test_nocase_indexes_of_an_older_file_become_lower_indexes(tmp_path):
    """Files migrated before step 10 keyed these indexes COLLATE NOCASE, which ``lower(x) = lower(?)``
    cannot use; step 10 rebuilds them, keeping the rows."""
    path = tmp_path / "v9.db"
    with open_store(path) as store:
        store.upsert(_sample())
    db = sqlite3.connect(path, isolation_level=None)
    old = {"api_entities_canonical": ("entities", "canonical COLLATE NOCASE, article_id"),
           "api_entities_text": ("entities", "text COLLATE NOCASE, article_id"),
           "api_places_name": ("places", "name COLLATE NOCASE, article_id, geonames_id"),
           "api_places_text": ("places", "text COLLATE NOCASE, article_id, geonames_id"),
           "api_claims_place_name": ("claims", "place_name COLLATE NOCASE, article_id"),
           "api_quotes_speaker": ("quotes", "speaker COLLATE NOCASE")}
    for name, (table, cols) in old.items():  # as step 4 built them up to release 9
        db.execute(f"DROP INDEX {name}")
        db.execute(f"CREATE INDEX {name} ON {table}({cols})")
    db.execute("DELETE FROM schema_migrations WHERE version >= 10")
    db.execute("PRAGMA user_version = 9")
    assert all("<expr>" not in plan for plan in _plans(db).values())
    db.close()
    with open_store(path) as store:
        db = store._conn()
        _assert_indexed(db)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [q["speaker"] for q in store.quotes(speaker="kessel")] == ["Mira Kessel"]


def _sample():
    from newsledger.schema import Analysis, Article, Quote

    text = 'The dam held overnight. "We are ready," said engineer Mira Kessel.'
    art = Article(id="5e1a" + "0" * 36, url="https://valley-post.example/dam", title="Dam holds", text=text,
                  language="en")
    return Analysis(article=art, quotes=[Quote(text="We are ready,", kind="direct", start=25, end=38,
                                                               speaker="Mira Kessel")])


def test_too_old_sqlite_is_refused_with_the_way_out(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 37, 2))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.37.2")
    with pytest.raises(StoreError, match=r"needs SQLite 3\.38\.0 or later; this Python links 3\.37\.2"):
        open_store(tmp_path / "x.db")
