"""The PostgreSQL store keeps the SQLite store's contract (run against a throwaway server)."""

from __future__ import annotations

import json
import threading

import pytest

from newsledger.schema import BadInput, Origin
from newsledger.store import QueryError, StoreError, open_store
from newsledger.store.dialect import POSTGRES, SQLITE
from newsledger.store.migrations import LATEST
from newsledger.store.postgres import PostgresStore, format_placeholders

from pg import postgres_server  # noqa: F401  (session fixture)
from test_store import BODY, make_analysis


@pytest.fixture
def store(postgres_server):  # noqa: F811
    s = open_store(postgres_server.new_database())
    yield s
    s.close()


def test_placeholders_become_psycopg_style_outside_literals_and_comments():
    assert format_placeholders("SELECT a FROM t WHERE b = ? AND c LIKE ? ESCAPE '\\'") == (
        "SELECT a FROM t WHERE b = %s AND c LIKE %s ESCAPE '\\'")
    # text in quotes and comments is kept, only its % doubled (psycopg reads every %)
    assert format_placeholders("SELECT 'why?', \"odd?col\", x % 2 FROM t -- rows?\nWHERE y = ?") == (
        "SELECT 'why?', \"odd?col\", x %% 2 FROM t -- rows?\nWHERE y = %s")
    assert format_placeholders("SELECT 'it''s ?%' /* ?; */, ?") == "SELECT 'it''s ?%%' /* ?; */, %s"
    with pytest.raises(StoreError, match="unterminated"):
        format_placeholders("SELECT 'open ?")


def test_dialects_render_column_types():
    assert [POSTGRES.type(t) for t in ("INTEGER", "REAL", "JSON", "BLOB", "TEXT NOT NULL",
                                       "INTEGER REFERENCES ingest_runs(id) ON DELETE SET NULL")] == [
        "BIGINT", "DOUBLE PRECISION", "JSONB", "BYTEA", "TEXT NOT NULL",
        "BIGINT REFERENCES ingest_runs(id) ON DELETE SET NULL"]
    assert SQLITE.type("INTEGER REFERENCES ingest_runs(id)") == "INTEGER REFERENCES ingest_runs(id)"


def test_new_database_has_the_sqlite_files_tables_and_columns(store, tmp_path):
    """Both backends are built by the same migration steps, each in its own DDL."""
    lite = open_store(tmp_path / "same.db")
    try:
        lite_tables = {r["name"] for r in lite._read(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts%' "
            "AND name NOT LIKE 'sqlite_%'")}
        pg_tables = {r["table_name"] for r in store._read(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        assert lite_tables == pg_tables
        kinds = {"bigint": "INTEGER", "integer": "INTEGER", "double precision": "REAL", "jsonb": "JSON",
                 "bytea": "BLOB", "text": "TEXT", "tsvector": None}
        for table in sorted(lite_tables):
            lite_cols = {r["name"]: r["type"] for r in lite._read(f"SELECT name, type FROM pragma_table_info('{table}')")}
            pg_cols = {r["column_name"]: kinds[r["data_type"]] for r in store._read(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?", (table,))}
            pg_cols.pop("fts", None)  # PostgreSQL's full-text index is a column of articles
            assert pg_cols == lite_cols, table
        api = {r["indexname"]: r["indexdef"] for r in store._read(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'api\\_%'")}
        assert "lower(canonical), article_id, canonical" in api["api_entities_canonical"]
    finally:
        lite.close()


def test_older_database_gets_the_lower_indexes_with_their_column(postgres_server):  # noqa: F811
    """Databases migrated before step 10 have lower(x) keys without the column; step 10 adds it."""
    url = postgres_server.new_database()
    with open_store(url) as st:
        st.upsert(make_analysis())
        with st._write() as db:
            db.execute("DROP INDEX api_entities_canonical")
            db.execute("CREATE INDEX api_entities_canonical ON entities (lower(canonical), article_id)")
            db.execute("DELETE FROM schema_migrations WHERE version >= 10")
    with open_store(url) as st:
        (row,) = st._read("SELECT indexdef FROM pg_indexes WHERE indexname = 'api_entities_canonical'")
        assert row["indexdef"].endswith("(lower(canonical), article_id, canonical)")
        assert max(r["version"] for r in st._read("SELECT version FROM schema_migrations")) == LATEST
        assert st.get("a1b2") == make_analysis()


def test_upsert_is_idempotent_and_round_trips(store):
    an = make_analysis()
    assert isinstance(store, PostgresStore)
    assert store.upsert(an) == "new"
    assert store.upsert(an) == "unchanged"
    assert store.is_current(an.article)
    got = store.get("a1b2")
    assert got == an
    changed = make_analysis(text=BODY + " Extra sentence about the pier.")
    assert store.upsert(changed) == "updated"
    assert store.get(an.article.id).article.text.endswith("pier.")
    copy = make_analysis(id="ffff000000000001", url="https://lakeside-courier.example/copy",
                         domain="lakeside-courier.example", text=changed.article.text)
    assert store.upsert_many([copy]) == ["duplicate"]
    assert store.article_meta("ffff000000000001")["duplicate_of"] == an.article.id


def test_ids_and_prefixes(store):
    store.upsert(make_analysis(id="abcd000000000001", url="https://northwind-gazette.example/1"))
    store.upsert(make_analysis(id="abcd000000000002", url="https://northwind-gazette.example/2", text=BODY + " Two."))
    assert store.get("ffff") is None
    with pytest.raises(QueryError, match="ambiguous"):
        store.get("abcd")
    with pytest.raises(QueryError, match="at least 4"):
        store.get("ab")
    assert store.get("abcd000000000002").article.url.endswith("/2")


def test_search_highlights_filters_and_ranks(store):
    store.upsert(make_analysis())
    store.upsert(make_analysis(
        id="0000000000000002", url="https://lakeside-courier.example/b", domain="lakeside-courier.example",
        title="Breakwater contract signed", published="2026-04-10T09:00:00+00:00",
        text="The council signed a contract to rebuild the breakwater. Breakwater works start in May."))
    hits = store.search("breakwater")
    assert [h.id for h in hits] == ["0000000000000002", "a1b2c3d4e5f60708"]  # title match ranks first
    assert "[Breakwater]" in hits[0].snippet or "[breakwater]" in hits[0].snippet
    assert hits[0].source == "lakeside-courier.example" and hits[0].score < hits[1].score
    assert [h.id for h in store.search("breakwater", source="northwind-gazette.example")] == ["a1b2c3d4e5f60708"]
    assert len(store.search("breakwater", source="Northwind GAZETTE")) == 2  # both carry that source name
    assert [h.id for h in store.search("breakwater", since="2026-04-01")] == ["0000000000000002"]
    assert [h.id for h in store.search("breakwater", until="2026-03-02")] == ["a1b2c3d4e5f60708"]
    assert [h.id for h in store.search("reopening")] == ["a1b2c3d4e5f60708"]  # stemming
    assert [h.id for h in store.search("Ódesa")] == ["a1b2c3d4e5f60708"]  # accents fold
    assert [h.id for h in store.search('breakwater NOT council')] == ["a1b2c3d4e5f60708"]
    assert store.search("breakwater", markers=("<b>", "</b>"))[0].snippet.count("<b>") >= 1
    assert store.search_count("breakwater") == 2 and store.search_count("zeppelin") == 0
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        store.search("harbour", since="2025-13-45")


@pytest.mark.parametrize("query", ['"unterminated', "AND AND", "nosuchcolumn:word", "harbour)"])
def test_search_syntax_errors_are_query_errors(store, query):
    store.upsert(make_analysis())
    with pytest.raises(QueryError) as err:
        store.search(query)
    assert "invalid search query" in str(err.value) and "\n" not in str(err.value)


def test_annotation_queries(store):
    store.upsert(make_analysis())
    (q,) = store.quotes(speaker="quill")
    assert q["text"] == "Ships are moving again," and q["source"] == "northwind-gazette.example"
    assert store.quotes(speaker="nobody") == []
    assert store.quotes(speaker="%") == []  # wildcards are literal
    (c,) = store.claims(place="odesa", type="assault", actor="gbr")
    assert c["actor"] == {"text": "Coastal Guard", "code": "GBR", "sector": None, "start": None, "end": None,
                          "basis": "text"}
    assert c["place_geonames_id"] == 698740 and c["asserted_by_names"] == "Teodor Quill"
    assert len(store.claims(place="698740")) == 1
    assert store.claims(since="2026-03-02") == []
    assert len(store.claims(since="2026-03-01", until="2026-03-01")) == 1
    assert store.places() == [{"name": "Odesa", "geonames_id": 698740, "feature": "city", "country_code": "UA",
                               "lat": 46.48, "lon": 30.73, "count": 1, "articles": 1}]
    (src,) = store.sources()
    assert src["domain"] == "northwind-gazette.example" and src["articles"] == 1
    (row,) = store.articles()
    assert row["id"] == "a1b2c3d4e5f60708" and row["quotes"] == 1 and row["claims"] == 1
    assert row["source_name"] == "Northwind Gazette" and row["words"] == len(BODY.split(" "))


def test_runs_quarantine_stats_and_export(store, tmp_path):
    run = store.start_run(["inbox/"])
    bad = BadInput(Origin(kind="html", path="inbox/broken\x00.html"), "no article body found", "<html>\x00")
    assert store.quarantine(bad, run) is True
    assert store.quarantine(bad, run) is False
    store.upsert(make_analysis(), run_id=run)
    store.finish_run(run, {"new": 1}, "ok")
    (r,) = store.runs()
    assert r["status"] == "ok" and r["inputs"] == ["inbox/"] and r["counts"] == {"new": 1}
    assert store.quarantined()[0]["origin"]["path"] == "inbox/broken.html"  # NUL cannot be stored
    s = store.stats()
    assert s["articles"] == 1 and s["analysed"] == 1 and s["runs"] == 1
    assert s["annotations"] == {"entities": 1, "quotes": 1, "places": 1, "claims": 1, "framing": 1}
    assert store.export("jsonl", tmp_path / "a.jsonl") == 1
    row = json.loads((tmp_path / "a.jsonl").read_text())
    assert row["tags"] == ["harbour"] and row["source_domain"] == "northwind-gazette.example"
    assert store.export("csv", tmp_path / "r.csv", kind="runs") == 1
    assert (tmp_path / "r.csv").read_text().startswith("id,started,finished,inputs,counts,status")
    import pyarrow.parquet as pq

    assert store.export("parquet", tmp_path / "c.parquet", kind="claims") == 1
    assert pq.read_table(tmp_path / "c.parquet").to_pylist()[0]["place_geonames_id"] == 698740


def test_concurrent_writers_store_each_article_once(postgres_server):  # noqa: F811
    url = postgres_server.new_database()
    stores = [open_store(url) for _ in range(3)]
    errors = []

    def write(s):
        try:
            for i in range(6):
                s.upsert(make_analysis(id=f"{i:016x}", url=f"https://northwind-gazette.example/{i}",
                                       text=f"Story number {i} about the harbour and its long northern breakwater."))
        except Exception as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stores[0].stats()["articles"] == 6 and stores[0].stats()["annotations"]["quotes"] == 6
    for s in stores:
        s.close()


def test_unreachable_server_and_missing_tables(postgres_server):  # noqa: F811
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none", timeout=1)
    with pytest.raises(StoreError, match="no newsledger tables"):
        open_store(postgres_server.new_database(), create=False)


def test_stories_are_built_on_postgres_as_on_sqlite(postgres_server, tmp_path, caplog):  # noqa: F811
    """The story SQL used SQLite-only statements; on PostgreSQL each article's placement failed inside a
    pipelined executemany (psycopg then logged "error ignored terminating <Pipeline>") and no story was built."""
    import logging

    import newsledger.run as run
    from test_resume import CountingAnalyzer, kill_run

    pages = kill_run.make_pages(tmp_path / "pages", 8)
    tables = ("story_members", "story_clusters", "story_keys", "passage_hashes", "text_copies")
    import newsledger.stories as stories

    counts, views = [], []
    caplog.set_level(logging.WARNING, logger="psycopg")
    for target in (str(tmp_path / "s.db"), postgres_server.new_database()):
        with open_store(target) as st:
            run.ingest(pages, st, analyzer=CountingAnalyzer(), batch_size=3)
            counts.append({t: st._read(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables})
            listed = stories.list_stories(st, min_size=1)
            story = stories.get_story(st, listed[0]["id"])
            quote = st._read("SELECT min(id) AS id FROM quotes")[0]["id"]
            prov = stories.quote_provenance(st, quote)
            views.append(([(s["label"], s["size"], s["outlets"]) for s in listed],
                          sorted(a["id"] for a in story["articles"]), prov["first"]["article_id"], len(prov["uses"])))
    assert counts[0] == counts[1] and counts[1]["story_members"] == 8
    assert views[0] == views[1]  # the readers (CLI and API) answer alike on both backends
    assert not [r for r in caplog.records if "pipeline" in r.getMessage()]


def test_old_claims_get_attributions_with_roles(postgres_server):  # noqa: F811
    """Migration 8 on PostgreSQL: a release-1 asserted_by list becomes roled attributions."""
    url = postgres_server.new_database()
    with open_store(url) as s:
        s.upsert(make_analysis())
        db = s._conn()
        db.execute('ALTER TABLE claims ADD COLUMN "asserted_by" JSONB')
        db.execute("UPDATE claims SET attributions = NULL, asserted_by = ?, modality = 'denied', "
                   "asserted_by_names = 'Teodor Quill'",
                   (json.dumps([{"name": "Teodor Quill", "kind": "person", "mention": None}]),))
        db.execute("DELETE FROM schema_migrations WHERE version >= 8")  # later steps replay safely
    with open_store(url) as s:
        (c,) = s.claims()
        assert c["attributions"] == [{"name": "Teodor Quill", "kind": "person", "role": "denies", "mention": None}]
        assert (c["asserted_by_names"], c["denied_by_names"]) == (None, "Teodor Quill")


def test_story_readers_answer_alike_on_both_backends(postgres_server, tmp_path):  # noqa: F811
    """Stories, claim and quote provenance on the dashboard's fictional articles: same answers."""
    import newsledger.stories as stories
    from conftest_browser import fictional_analyses

    answers = []
    for target in (str(tmp_path / "p.db"), postgres_server.new_database()):
        with open_store(target) as st:
            items = fictional_analyses(True)
            st.upsert_many(items)
            stories.update(st, [a.article.id for a in items])
            listed = stories.list_stories(st, min_size=1)
            got = {"stories": [(s["label"], s["size"]) for s in listed],
                   "details": [stories.get_story(st, s["id"]) for s in listed]}
            claims = [r["id"] for r in st._read("SELECT id FROM claims ORDER BY article_id, start")]
            quotes = [r["id"] for r in st._read("SELECT id FROM quotes ORDER BY article_id, start")]
            got["claims"] = [stories.claim_provenance(st, c) for c in claims]
            got["quotes"] = [stories.quote_provenance(st, q) for q in quotes]
            answers.append(json.loads(json.dumps(got, default=str)))
    strip = lambda o: json.dumps(o, sort_keys=True)  # noqa: E731
    for key in ("stories", "details", "claims", "quotes"):
        assert len(answers[0][key]) == len(answers[1][key]), key
        for a, b in zip(answers[0][key], answers[1][key]):
            assert _no_ids(a) == _no_ids(b), key


def _no_ids(obj):
    """Row ids (serial numbers) differ between two databases; everything else must not."""
    if isinstance(obj, dict):
        return {k: _no_ids(v) for k, v in obj.items() if not (k == "id" or k.endswith("_id") and isinstance(v, int)
                                                              or k in ("claim_ids", "quote_ids"))}
    if isinstance(obj, list):
        return [_no_ids(x) for x in obj]
    return obj
