"""The SQLite store: idempotent upserts, reads, search, quarantine, export."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from newsledger import schema
from newsledger.schema import (
    Actor, Analysis, Article, Attribution, BadInput, Claim, ClaimPlace, Entity, Framing, Origin, Place, Quote, Source,
)
from newsledger.store import QueryError, StoreError, open_store
from newsledger.store.migrations import LATEST

BODY = (
    "The harbour of Port Allory reopened on Monday after storm damage closed it for a week.\n\n"
    '"Ships are moving again," said harbour master Teodor Quill.\n\n'
    "Repairs to the northern breakwater near Odesa will continue until April."
)


def make_analysis(id="a1b2c3d4e5f60708", url="https://northwind-gazette.example/news/harbour", text=BODY,
                  title="Harbour reopens after storm", published="2026-03-02T08:00:00+01:00",
                  domain="northwind-gazette.example", speaker="Teodor Quill") -> Analysis:
    art = Article(
        id=id, url=url, canonical_url=url, title=title, published=published, language="en", text=text,
        source=Source(name="Northwind Gazette", domain=domain, country="GB"),
        tags=["harbour"], authors=["Ilse Marrow"],
    )
    art.provenance.origin = Origin(kind="dump", path="fixtures/northwind.txt", offset=0)
    q_start = text.find('"Ships')
    return Analysis(
        article=art,
        entities=[Entity(text="Teodor Quill", label="PERSON", start=text.find("Teodor"), end=text.find("Teodor") + 12)],
        quotes=[Quote(text="Ships are moving again,", kind="direct", start=q_start + 1, end=q_start + 24,
                      speaker=speaker, cue="said")],
        places=[Place(text="Odesa", start=text.find("Odesa"), end=text.find("Odesa") + 5, name="Odesa",
                      geonames_id=698740, feature="city", country_code="UA", lat=46.48, lon=30.73)],
        claims=[Claim(type="ASSAULT", start=0, end=40, sentence="Storm damage closed the harbour.",
                      actor=Actor(text="Coastal Guard", code="GBR"),
                      place=ClaimPlace(text="Odesa", name="Odesa", geonames_id=698740, country_code="UA"),
                      date="2026-03-01", modality="asserted",
                      attributions=[Attribution(name="Teodor Quill", kind="person")])],
        framing=[Framing(term="reopening", text="reopened", start=text.find("reopened"),
                         end=text.find("reopened") + 8, category="neutral")],
    )


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "news.db")
    yield s
    s.close()


def test_upsert_is_idempotent_and_round_trips(store):
    an = make_analysis()
    assert store.upsert(an) == "new"
    assert store.upsert(an) == "unchanged"
    assert store.upsert_many([an, an]) == ["unchanged", "unchanged"]
    got = store.get("a1b2c3")  # a prefix is enough
    assert got.to_dict() == an.to_dict()
    assert store.stats()["articles"] == 1


def test_same_article_from_another_origin_is_unchanged(store):
    an = make_analysis()
    store.upsert(an)
    again = make_analysis()
    again.article.provenance.origin = Origin(kind="warc", path="crawl.warc.gz", offset=512)
    assert store.upsert(again) == "unchanged"


def test_update_replaces_annotations(store):
    store.upsert(make_analysis())
    changed = make_analysis(speaker="Harbour Authority")
    changed.quotes.append(Quote(text="quays are safe", kind="partial", start=1, end=10, speaker="Ilse Marrow"))
    assert store.upsert(changed) == "updated"
    speakers = [q["speaker"] for q in store.quotes()]
    assert speakers == ["Harbour Authority", "Ilse Marrow"]
    assert store.stats()["annotations"]["quotes"] == 2


def test_bare_article_keeps_annotations_until_the_body_changes(store):
    an = make_analysis()
    store.upsert(an)
    assert store.upsert(an.article) == "unchanged"
    assert len(store.get(an.article.id).quotes) == 1
    edited = make_analysis(text=BODY + "\n\nA late paragraph was added.").article
    assert store.upsert(edited) == "updated"
    got = store.get(an.article.id)
    assert got.quotes == [] and got.claims == []
    assert store.article_meta(an.article.id)["analysed"] is False
    assert store.is_current(edited) is False


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
    assert hits[0].source == "lakeside-courier.example"
    assert [h.id for h in store.search("breakwater", source="northwind-gazette.example")] == ["a1b2c3d4e5f60708"]
    assert [h.id for h in store.search("breakwater", since="2026-04-01")] == ["0000000000000002"]
    assert [h.id for h in store.search("breakwater", until="2026-03-02")] == ["a1b2c3d4e5f60708"]
    # porter stemming and diacritics folding
    assert [h.id for h in store.search("reopening")] == ["a1b2c3d4e5f60708"]
    assert [h.id for h in store.search("Ódesa")] == ["a1b2c3d4e5f60708"]
    assert store.search("breakwater", markers=("<b>", "</b>"))[0].snippet.count("<b>") >= 1


@pytest.mark.parametrize("query", ['"unterminated', "AND AND", "nosuchcolumn:word", "harbour)"])
def test_search_syntax_errors_are_query_errors(store, query):
    store.upsert(make_analysis())
    with pytest.raises(QueryError) as err:
        store.search(query)
    assert "invalid search query" in str(err.value) and "\n" not in str(err.value)


def test_bad_dates_raise_query_error(store):
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        store.search("harbour", since="2025-13-45")


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
    assert store.claims(since="2026-03-02") == []  # the claim's own date is 2026-03-01
    assert len(store.claims(since="2026-03-01", until="2026-03-01")) == 1
    assert store.places() == [{"name": "Odesa", "geonames_id": 698740, "feature": "city", "country_code": "UA",
                               "lat": 46.48, "lon": 30.73, "count": 1, "articles": 1}]
    assert store.places(country="FR") == []
    (src,) = store.sources()
    assert src["domain"] == "northwind-gazette.example" and src["articles"] == 1
    (row,) = store.articles()
    assert row["id"] == "a1b2c3d4e5f60708" and row["quotes"] == 1 and row["claims"] == 1


def test_runs_quarantine_and_stats(store):
    run = store.start_run(["inbox/"])
    bad = BadInput(Origin(kind="html", path="inbox/broken.html"), "no article body found", "<html>")
    assert store.quarantine(bad, run) is True
    assert store.quarantine(bad, run) is False  # re-runs do not duplicate
    assert store.quarantine_many([bad, BadInput(bad.origin, "page larger than 20 MB")], run) == 1
    store.upsert(make_analysis(), run_id=run)
    store.finish_run(run, {"new": 1}, "ok")
    (r,) = store.runs()
    assert r["status"] == "ok" and r["inputs"] == ["inbox/"] and r["counts"] == {"new": 1}
    rows = store.quarantined()
    assert {x["reason"] for x in rows} == {"no article body found", "page larger than 20 MB"}
    assert rows[0]["origin"]["path"] == "inbox/broken.html"
    s = store.stats()
    assert s["articles"] == 1 and s["analysed"] == 1 and s["sources"] == 1 and s["runs"] == 1
    assert s["languages"] == {"en": 1}
    assert s["annotations"] == {"entities": 1, "quotes": 1, "places": 1, "claims": 1, "framing": 1}
    assert s["quarantined"] == {"no article body found": 1, "page larger than 20 MB": 1}


def test_export_round_trips(store, tmp_path):
    an = make_analysis()
    store.upsert(an)
    # jsonl: nested values come back as the records' dicts
    assert store.export("jsonl", tmp_path / "a.jsonl") == 1
    (row,) = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    art = schema.from_dict(Article, {k: v for k, v in row.items() if k in schema.to_dict(an.article)})
    assert art == an.article
    assert row["source_domain"] == "northwind-gazette.example"
    # csv: JSON columns stay JSON text
    assert store.export("csv", tmp_path / "q.csv", kind="quotes") == 1
    (qrow,) = list(csv.DictReader((tmp_path / "q.csv").open()))
    assert qrow["speaker"] == "Teodor Quill" and qrow["article_id"] == an.article.id
    assert int(qrow["start"]) == an.quotes[0].start
    # parquet: typed columns
    import pyarrow.parquet as pq

    assert store.export("parquet", tmp_path / "c.parquet", kind="claims") == 1
    table = pq.read_table(tmp_path / "c.parquet").to_pylist()
    assert table[0]["place_geonames_id"] == 698740 and table[0]["type"] == "ASSAULT"
    assert json.loads(table[0]["actor"])["code"] == "GBR"
    assert store.export("parquet", tmp_path / "a.parquet") == 1
    (prow,) = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert prow["text"] == an.article.text and json.loads(prow["tags"]) == ["harbour"]
    assert store.export("parquet", tmp_path / "none.parquet", kind="framing") == 1
    with pytest.raises(QueryError, match="unknown export format"):
        store.export("xml", tmp_path / "x.xml")


def test_empty_export_writes_header_only(store, tmp_path):
    assert store.export("csv", tmp_path / "e.csv", kind="places") == 0
    assert (tmp_path / "e.csv").read_text().startswith("id,article_id,source_domain,published,text,")


def test_plain_sqlite_can_read_the_file(store, tmp_path):
    store.upsert(make_analysis())
    store.close()
    db = sqlite3.connect(tmp_path / "news.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    cols = [r[1] for r in db.execute("PRAGMA table_info(articles)")]
    assert [c for c in cols if c in {n for n, _ in schema.columns(Article)}] == [n for n, _ in schema.columns(Article)]
    assert db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'quill'").fetchall() == [(1,)]
    assert db.execute("SELECT speaker FROM quotes").fetchall() == [("Teodor Quill",)]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"articles", "sources", "entities", "quotes", "places", "claims", "framing", "ingest_runs",
            "quarantine", "schema_migrations", "minhashes", "minhash_bands", "articles_fts"} <= tables
    # deleting an article cascades to its annotations and keeps the index in step
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("DELETE FROM articles")
    db.commit()
    assert db.execute("SELECT count(*) FROM quotes").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'quill'").fetchone() == (0,)


def test_columns_added_to_records_appear_on_open(tmp_path):
    path = tmp_path / "old.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE articles DROP COLUMN section")  # as if `section` were a newer field
    db.commit()
    db.close()
    with open_store(path) as s:
        s.upsert(make_analysis())
        assert s.get("a1b2c3d4e5f60708").article.section is None
    cols = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(articles)")]
    assert "section" in cols


def test_missing_and_locked_databases(tmp_path):
    with pytest.raises(StoreError, match="no database at .*ingest"):
        open_store(tmp_path / "absent.db", create=False)
    with pytest.raises(StoreError, match="folder .* does not exist"):
        open_store(tmp_path / "no" / "such" / "dir.db")
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a readable newsledger database"):
        open_store(tmp_path / "junk.db")
    path = tmp_path / "busy.db"
    open_store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        s = open_store(path, timeout=0.05)
        with pytest.raises(StoreError, match="^database is locked by another process"):
            s.upsert(make_analysis())
        s.close()
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_open_store_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel.db") as s:
        assert s.path == "rel.db"
    monkeypatch.setenv("NEWSLEDGER_DB", str(tmp_path / "env.db"))
    with open_store() as s:
        assert s.path == str(tmp_path / "env.db")
    with pytest.raises(StoreError, match="unsupported database URL"):
        open_store("mysql://host/db")


def test_iter_articles_pages_through_everything(store):
    for i in range(5):
        store.upsert(make_analysis(id=f"{i:016x}", url=f"https://northwind-gazette.example/{i}",
                                   text=f"Story number {i} about the harbour."))
    assert [a.id for a in store.iter_articles()] == [f"{i:016x}" for i in range(5)]
    full = list(store.iter_articles(annotations=True, since="2026-03-02"))
    assert len(full) == 5 and all(len(a.quotes) == 1 for a in full)


def test_plain_queries_tolerate_punctuation(store):
    store.upsert(make_analysis(text=BODY + "\n\nThe COVID-19 rules at Quill's quay were lifted."))
    assert len(store.search("covid-19")) == 1
    assert len(store.search("Quill's quay")) == 1
    assert store.search_count("harbour") == 1 and store.search_count("zeppelin") == 0
    assert store.search_count("harbour", since="2027-01-01") == 0
    with pytest.raises(QueryError, match="empty search query"):
        store.search("   ")
