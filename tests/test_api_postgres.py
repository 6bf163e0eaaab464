"""The REST API on PostgreSQL: test_api.py's endpoint tests against a server store built from
the same fictional articles (PostgreSQL started by the tests, see pg.py)."""

from __future__ import annotations

import json

import pytest

import test_api
from pg import postgres_server  # noqa: F401  (session fixture)
from conftest_browser import build_store

# Every endpoint test of test_api.py, collected again here with the PostgreSQL ``db`` below.
# Left out: tests that open the SQLite file itself or build their own file store.
_FILE_ONLY = {"test_huge_hit_sets_are_estimated_from_every_kth_hit", "test_store_migration_creates_the_api_indexes",
              "test_ingest_uploaded_file_without_analysis", "test_token_file_is_private_and_stable",
              "test_serve_command_prints_url_and_token_once", "test_seed_through_pipeline_and_api",
              "test_csv_cells_that_look_like_formulas_are_neutralised"}
globals().update({name: fn for name, fn in vars(test_api).items()
                  if name.startswith("test_") and name not in _FILE_ONLY})
client = test_api.client


@pytest.fixture(scope="module")
def db(postgres_server):  # noqa: F811
    return build_store(postgres_server.new_database())


# ------------------------------------------------------------------ both backends answer alike

def _stored(target: str) -> str:
    from newsledger import stories
    from newsledger.store import open_store

    build_store(target)
    with open_store(target) as store:
        stories.update(store, [r["id"] for r in store._read("SELECT id FROM articles ORDER BY seq")])
    return target


@pytest.fixture(scope="module")
def pair(postgres_server, tmp_path_factory):  # noqa: F811
    from fastapi.testclient import TestClient
    from newsledger.api.app import create_app

    made = {}
    # Both stores are stamped with one instant: built a second apart, their first_seen would differ.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("newsledger.store.sqlite._now", lambda: "2026-01-01T00:00:00+00:00")
        for name, target in (("sqlite", str(tmp_path_factory.mktemp("pair") / "news.db")),
                             ("postgres", postgres_server.new_database())):
            made[name] = TestClient(create_app(_stored(target), token=test_api.TOKEN), base_url="http://127.0.0.1",
                                    client=test_api.LOCAL)
    return made


def _both(pair, path, **params):
    got = {}
    for name, c in pair.items():
        r = c.get(path, params=params)
        assert r.status_code == 200, (name, path, r.text[:300])
        kind = r.headers["content-type"]
        # jsonb keeps object keys in its own order: JSON lines compare as data, not as text.
        got[name] = (r.json() if kind.startswith("application/json") else
                     [json.loads(line) for line in r.text.splitlines()] if kind.startswith("application/x-ndjson")
                     else r.content)
    return got["sqlite"], got["postgres"]


def _no_snippets(body):
    # FTS5's snippet() and ts_headline() cut the text differently; the marked words are checked in test_api.
    for item in body.get("items", []):
        item.pop("snippet", None)
    return body


@pytest.mark.parametrize("path,params", [
    ("/api/articles", {}),
    ("/api/articles", {"q": "Siversk OR Seversk", "sort": "newest"}),
    ("/api/articles", {"q": "Siversk OR Seversk OR Geneva", "sort": "relevance"}),
    ("/api/articles", {"source": "Harbor Ledger", "format": "csv"}),
    ("/api/articles/hl-siversk-0002", {}),
    ("/api/claims", {}),
    ("/api/claims", {"place": "Seversk"}),
    ("/api/claims", {"format": "jsonl"}),
    ("/api/quotes", {}),
    ("/api/quotes", {"speaker": "kovalenko", "kinds": "all"}),
    ("/api/speakers", {}),
    ("/api/places.geojson", {}),
    ("/api/places.geojson", {"claim_type": "TAKE_CONTROL"}),
    ("/api/places.geojson", {"format": "csv"}),
    ("/api/sources", {}),
    ("/api/timeline", {}),
    ("/api/compare", {"place": "Siversk"}),
    ("/api/compare", {"place": "Seversk", "format": "csv"}),
    ("/api/compare", {"claim_type": "TAKE_CONTROL"}),
    ("/api/compare", {"entity": "Russian"}),
    ("/api/stories", {"min_size": 1}),
    ("/api/reviews", {}),
    ("/api/quality", {}),
])
def test_every_endpoint_answers_alike_on_both_backends(pair, path, params):
    on_sqlite, on_postgres = _both(pair, path, **params)
    if isinstance(on_sqlite, dict):
        on_sqlite, on_postgres = _no_snippets(on_sqlite), _no_snippets(on_postgres)
        if params.get("sort") == "relevance":
            # bm25 and ts_rank weigh hits differently: the same hits, each ranked by its own backend.
            on_sqlite["items"].sort(key=lambda i: i["id"])
            on_postgres["items"].sort(key=lambda i: i["id"])
    assert on_postgres == on_sqlite


def test_stories_provenance_and_reviews_alike_on_both_backends(pair):
    listed = {name: c.get("/api/stories", params={"min_size": 1}).json()["items"] for name, c in pair.items()}
    assert listed["sqlite"] and [s["label"] for s in listed["postgres"]] == [s["label"] for s in listed["sqlite"]]
    for s_story, p_story in zip(listed["sqlite"], listed["postgres"]):
        s_body = pair["sqlite"].get(f"/api/stories/{s_story['id']}").json()
        p_body = pair["postgres"].get(f"/api/stories/{p_story['id']}").json()
        s_body.pop("id"), p_body.pop("id")
        assert p_body["articles"] == s_body["articles"]
    claims = _both(pair, "/api/claims", limit=100)
    quotes = _both(pair, "/api/quotes", limit=100, kinds="all")
    for kind, (s_list, p_list) in (("claims", claims), ("quotes", quotes)):
        assert [i["id"] for i in p_list["items"]] == [i["id"] for i in s_list["items"]]
        for item in s_list["items"][:5]:
            s_prov, p_prov = _both(pair, f"/api/provenance/{kind}/{item['id']}")
            assert p_prov == s_prov
    # A review written through the API reads back alike, and the quality page counts it.
    claim = claims[0]["items"][0]
    body = {"kind": "claim", "id": claim["id"], "verdict": "rejected", "by": "analyst", "note": "wrong town"}
    for c in pair.values():
        r = c.post("/api/reviews", json=body, headers={"Authorization": f"Bearer {test_api.TOKEN}"})
        assert r.status_code == 200, r.text
    s_rev, p_rev = _both(pair, "/api/reviews")
    for item in (*s_rev["items"], *p_rev["items"]):
        item.pop("at", None), item.pop("created", None), item.pop("reviewed_at", None)
    assert p_rev == s_rev
    assert _both(pair, "/api/quality")[1] == _both(pair, "/api/quality")[0]
    assert _both(pair, "/api/claims", hide_rejected="true")[1] == _both(pair, "/api/claims", hide_rejected="true")[0]


def test_dashboard_is_served_on_postgres(pair):
    page = pair["postgres"].get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()


# ------------------------------------------------------------------ the commands on a server database

def test_serve_command_on_postgres(db, tmp_path):
    """``newsledger serve --db postgresql://…`` answers the API; its token is kept in the config folder."""
    import os
    import re
    import subprocess
    import sys
    import time

    import httpx

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    cmd = [sys.executable, "-c", "from newsledger.cli.main import main; main()", "serve", "--port", "0", "--db", db]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        m = re.search(r"at (http://127\.0\.0\.1:(\d+)/)", first)
        assert m, first + second
        tokens = list((tmp_path / "config" / "newsledger").glob("postgres-*.token"))
        assert len(tokens) == 1 and second.strip().endswith(tokens[0].read_text().strip())
        assert list(tmp_path.iterdir()) == [tmp_path / "config"]  # nothing written under the URL's "path"
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(m.group(1) + "api/compare", params={"place": "Siversk"}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["total"] == 2
        assert httpx.get(m.group(1) + "api/stories", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_compare_command_on_postgres(db):
    from click.testing import CliRunner

    from newsledger.cli.main import cli

    r = CliRunner().invoke(cli, ["compare", "--place", "Siversk", "--json", "--db", db])
    assert r.exit_code == 0, r.output
    assert {row["source"] for row in json.loads(r.output)} == {"northwind.example", "harbor-ledger.example"}
