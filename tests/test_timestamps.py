"""Dates stated with different UTC offsets order and filter by the instant they name, on both backends.

Fictional articles whose text order differs from their order in time: "2026-03-01T23:30:00-05:00"
(04:30 UTC on 2 March) is the newest although it sorts below "2026-03-02T09:00:00+09:00"
(midnight UTC) as text.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from newsledger import stories
from newsledger.api.app import create_app
from newsledger.cli.main import cli
from newsledger.schema import Analysis, Article, Claim, Origin, Quote, Source
from newsledger.store import QueryError, open_store
from newsledger.store.reviews import REVIEW_EXPORT
from newsledger.store.timestamps import since_bound, until_bound, utc_instant

from pg import postgres_server  # noqa: F401  (session fixture)

LOCAL = ("127.0.0.1", 50000)

# id -> (published as the page states it, outlet, topic sentence); every text shares "ferry".
PAGES = {
    "tz-east-0001": ("2026-03-01T23:30:00-05:00", "eastport-herald.example",
                     "The night ferry to Carrow Island left late after a fuel pump failed in the engine room.",
                     "Mechanics replaced the pump before dawn"),
    "tz-west-0002": ("2026-03-02T01:00:00+00:00", "westmere-daily.example",
                     "Harbour pilots in Westmere voted to strike, and the morning ferry stayed tied up at pier four.",
                     "Our wages have not moved in six years"),
    "tz-far-0003": ("2026-03-02T09:00:00+09:00", "farshore-times.example",
                    "A new electric ferry for the Lumen Strait was christened by the mayor of Tessaly on Monday.",
                    "Batteries make the crossing quieter for whales"),
    "tz-day-0004": ("2026-03-02", "dayline-post.example",
                    "Ticket prices on the ferry to Brindle rise next month, the regional transport board said.",
                    "Diesel costs doubled since autumn"),
    "tz-eve-0005": ("2026-03-01T22:00:00+00:00", "evening-ledger.example",
                    "Fog closed the ferry terminal at Osric Point for three hours and stranded two hundred cars.",
                    "Radar cannot see through gossip, only through fog"),
    "tz-none-0006": (None, "undated-wire.example",
                     "A retired ferry captain from Pellham published a memoir of forty winters on the grey sea.",
                     "Every winter taught me patience with gulls"),
}
NEWEST = ["tz-east-0001", "tz-west-0002", "tz-far-0003", "tz-day-0004", "tz-eve-0005", "tz-none-0006"]
OLDEST = ["tz-eve-0005", "tz-day-0004", "tz-far-0003", "tz-west-0002", "tz-east-0001", "tz-none-0006"]
# bounds -> the articles they let through, newest first
WINDOWS = [
    ({"since": "2026-03-02"}, ["tz-east-0001", "tz-west-0002", "tz-far-0003", "tz-day-0004"]),
    ({"until": "2026-03-01"}, ["tz-eve-0005"]),
    ({"since": "2026-03-02T00:30:00+00:00"}, ["tz-east-0001", "tz-west-0002"]),
    ({"until": "2026-03-01T20:00:00-05:00"}, ["tz-west-0002", "tz-far-0003", "tz-day-0004", "tz-eve-0005"]),
    ({"since": "2026-03-02T04:30:00Z", "until": "2026-03-02T04:30:00Z"}, ["tz-east-0001"]),
]


def _analysis(aid: str) -> Analysis:
    published, domain, sentence, said = PAGES[aid]
    speaker = f"{aid[3:7].title()} Varn"
    text = f'{sentence}\n\n"{said}," said {speaker}.'
    art = Article(id=aid, url=f"https://{domain}/{aid}", canonical_url=f"https://{domain}/{aid}",
                  title=sentence.split(",")[0][:40], published=published, language="en", text=text,
                  source=Source(name=domain.split(".")[0], domain=domain, country="GB"))
    art.provenance.origin = Origin(kind="dump", path=f"fixtures/{aid}.txt", offset=0)
    q_start = text.find('"') + 1
    return Analysis(article=art,
                    quotes=[Quote(text=said + ",", kind="direct", start=q_start, end=q_start + len(said) + 1,
                                  speaker=speaker, cue="said")],
                    claims=[Claim(type="CONSULT", start=0, end=len(sentence), sentence=sentence, modality="asserted")])


def _fill(target: str) -> str:
    with open_store(target) as store:
        store.upsert_many([_analysis(a) for a in PAGES])
        stories.update(store, list(PAGES))
    return target


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return _fill(str(tmp_path / "tz.db"))
    return _fill(request.getfixturevalue("postgres_server").new_database())


# ------------------------------------------------------------------ the one conversion


def test_utc_instant_normalises_offsets_and_keeps_day_precision():
    assert utc_instant("2026-03-01T23:30:00-05:00") == "2026-03-02T04:30:00Z"
    assert utc_instant("2026-03-02T09:00:00+09:00") == "2026-03-02T00:00:00Z"
    assert utc_instant("2026-03-02T01:00:00.750Z") == "2026-03-02T01:00:00Z"  # fractions cut
    assert utc_instant("2026-03-02T01:00:00") == "2026-03-02T01:00:00Z"  # no offset: UTC
    assert utc_instant("2026-03-02") == "2026-03-02"  # a day stays a day
    assert utc_instant(datetime(2026, 3, 2, 3, tzinfo=timezone(timedelta(hours=3)))) == "2026-03-02T00:00:00Z"
    assert utc_instant(date(2026, 3, 2)) == "2026-03-02"
    for bad in (None, "", "  ", "last Tuesday", "2026-13-01", "0001-01-01T00:00:00+05:00", 42):
        assert utc_instant(bad) is None, bad
    # a bare date sorts at the start of its day, before every time of that day
    assert sorted([utc_instant("2026-03-02T00:00:00+00:00"), utc_instant("2026-03-02"),
                   utc_instant("2026-03-01T23:59:59+00:00")]) == \
        ["2026-03-01T23:59:59Z", "2026-03-02", "2026-03-02T00:00:00Z"]


def test_user_bounds_read_days_as_utc_days_and_convert_offsets():
    assert since_bound("2026-03-02") == "2026-03-02"
    assert until_bound("2026-03-02") == ("<", "2026-03-03")
    assert since_bound("2026-03-02T10:00:00+02:00") == "2026-03-02T08:00:00Z"
    assert since_bound("2026-03-02T10:00:00.5Z") == "2026-03-02T10:00:01Z"  # stored seconds are whole
    assert until_bound("2026-03-02T10:00:00.5Z") == ("<=", "2026-03-02T10:00:00Z")
    assert until_bound("9999-12-31") == ("<=", "9999-12-31T23:59:59Z")
    assert since_bound(None) is None and until_bound("") is None
    with pytest.raises(QueryError, match="invalid since date 'soon'"):
        since_bound("soon")


# ------------------------------------------------------------------ both backends, every reader


def test_store_orders_and_filters_by_instant(db):
    with open_store(db) as store:
        assert [a["id"] for a in store.articles()] == NEWEST
        assert [h.id for h in store.search("ferry", sort="newest")] == NEWEST
        assert [h.id for h in store.search("ferry", sort="oldest")] == OLDEST
        assert [q["article_id"] for q in store.quotes()] == NEWEST
        assert [c["article_id"] for c in store.claims()] == NEWEST
        for bounds, want in WINDOWS:
            assert [a["id"] for a in store.articles(**bounds)] == want, bounds
            assert [h.id for h in store.search("ferry", sort="newest", **bounds)] == want, bounds
            assert store.search_count("ferry", **bounds) == len(want), bounds
            assert [q["article_id"] for q in store.quotes(**bounds)] == want, bounds
            assert [c["article_id"] for c in store.claims(**bounds)] == want, bounds
        got = store.get("tz-east-0001").article
        assert got.published == "2026-03-01T23:30:00-05:00"  # the page's own value is kept
        stats = store.stats()
        assert (stats["published_min"], stats["published_max"]) == ("2026-03-01T22:00:00Z", "2026-03-02T04:30:00Z")


def test_api_orders_and_filters_by_instant(db):
    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=LOCAL)

    def ids(path, **params):
        r = client.get(path, params=params)
        assert r.status_code == 200, r.text
        return [i.get("id") if path == "/api/articles" else i["article_id"] for i in r.json()["items"]]

    assert ids("/api/articles", sort="newest") == NEWEST
    assert ids("/api/articles", sort="oldest") == OLDEST
    assert ids("/api/articles", q="ferry", sort="newest") == NEWEST
    assert ids("/api/quotes") == NEWEST
    assert ids("/api/claims") == NEWEST
    for bounds, want in WINDOWS:
        assert ids("/api/articles", sort="newest", **bounds) == want, bounds
        assert ids("/api/articles", q="ferry", sort="newest", **bounds) == want, bounds
        assert ids("/api/quotes", **bounds) == want, bounds
        assert ids("/api/claims", **bounds) == want, bounds
    days = client.get("/api/timeline", params={"since": "2026-03-02"}).json()["items"]
    assert {d["date"] for d in days} == {"2026-03-02"}  # UTC days, as the filter reads them
    bad = client.get("/api/articles", params={"since": "soon"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
    spec = client.get("/openapi.json").json()
    since = next(p for p in spec["paths"]["/api/articles"]["get"]["parameters"] if p["name"] == "since")
    assert "UTC" in since["description"]


def test_cli_filters_by_instant(db):
    runner = CliRunner()

    def ids(*args):
        result = runner.invoke(cli, [*args, "--db", db, "--json"])
        assert result.exit_code == 0, result.output
        return [r.get("article_id") or r["id"] for r in json.loads(result.output)]

    assert ids("search", "ferry", "--sort", "newest") == NEWEST
    for bounds, want in WINDOWS:
        opts = [x for k, v in bounds.items() for x in (f"--{k}", v)]
        assert ids("search", "ferry", "--sort", "newest", *opts) == want, bounds
        assert ids("quotes", *opts) == want, bounds
    assert "UTC" in runner.invoke(cli, ["search", "--help"]).output


def test_stories_span_and_filters_by_instant(db):
    with open_store(db) as store:
        listed = stories.list_stories(store, min_size=1)
        assert [s["size"] for s in listed] == [1] * len(PAGES)  # six unrelated reports
        assert [s["label_article"] for s in listed] == NEWEST
        assert listed[0]["last_published"] == "2026-03-02T04:30:00Z"
        for bounds, want in WINDOWS:
            assert [s["label_article"] for s in stories.list_stories(store, min_size=1, **bounds)] == want, bounds
        with pytest.raises(QueryError):
            stories.list_stories(store, since="soon")
    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=LOCAL)
    got = client.get("/api/stories", params={"min_size": 1, "since": "2026-03-02"}).json()["items"]
    assert [s["label_article"] for s in got] == WINDOWS[0][1]
    result = CliRunner().invoke(cli, ["stories", "--min-size", "1", "--until", "2026-03-01", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    assert [s["label_article"] for s in json.loads(result.output)] == ["tz-eve-0005"]


# ------------------------------------------------------------------ upgrades


def test_older_sqlite_store_gets_its_instants_back_filled(tmp_path):
    path = tmp_path / "old.db"
    _fill(str(path))
    con = sqlite3.connect(path)  # as a version-11 store left it: no instants, the old indexes
    con.execute("UPDATE articles SET published_utc = NULL")
    con.execute("UPDATE article_keys SET published = (SELECT published FROM articles WHERE id = article_id)")
    con.execute("UPDATE story_clusters SET first_published = NULL, last_published = NULL")
    con.execute("DROP INDEX api_articles_published_utc")
    con.execute("CREATE INDEX api_articles_published ON articles(published, seq, duplicate_of, source_domain, "
                "language, id)")
    con.execute("DELETE FROM schema_migrations WHERE version >= 12")
    con.execute("PRAGMA user_version = 11")
    con.commit()
    con.close()
    with open_store(path) as store:
        assert [a["id"] for a in store.articles()] == NEWEST
        db = store._conn()
        assert db.execute("SELECT published_utc FROM articles WHERE id = 'tz-far-0003'").fetchone()[0] == \
            "2026-03-02T00:00:00Z"
        assert db.execute("SELECT count(*) FROM article_keys WHERE published LIKE '%+%'").fetchone()[0] == 0
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "api_articles_published_utc" in names and "api_articles_published" not in names
        assert [s["label_article"] for s in stories.list_stories(store, min_size=1)] == NEWEST


def test_older_postgres_store_gets_its_instants_back_filled(postgres_server):  # noqa: F811
    url = _fill(postgres_server.new_database())
    with open_store(url) as store:
        db = store._conn()
        db.execute("UPDATE articles SET published_utc = NULL")
        db.execute("UPDATE story_clusters SET first_published = NULL, last_published = NULL")
        db.execute("DELETE FROM schema_migrations WHERE version >= 12")
    with open_store(url) as store:
        assert [a["id"] for a in store.articles()] == NEWEST
        assert [s["label_article"] for s in stories.list_stories(store, min_size=1)] == NEWEST


# ------------------------------------------------------------------ reviews export


def test_review_exports_have_the_same_columns_from_cli_and_api(db, tmp_path):
    runner = CliRunner()
    with open_store(db) as store:
        qid = store.quotes()[0]["id"]
    done = runner.invoke(cli, ["review", "quote", str(qid), "--confirm", "--by", "Ana Lyst", "--db", db])
    assert done.exit_code == 0, done.output
    out = tmp_path / "reviews.csv"
    result = runner.invoke(cli, ["export", "--kind", "reviews", "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    cli_rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=LOCAL)
    api_rows = list(csv.DictReader(io.StringIO(client.get("/api/reviews", params={"format": "csv"}).text)))
    assert list(cli_rows[0]) == list(api_rows[0]) == list(REVIEW_EXPORT)
    assert [(r["id"], r["by"], r["source"]) for r in cli_rows] == [(r["id"], r["by"], r["source"]) for r in api_rows]
    assert cli_rows[0]["by"] == "Ana Lyst" and cli_rows[0]["source"] == "eastport-herald.example"
