"""Analyst reviews (CLI, store, API) and the defects a new user met (issue 16)."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest_browser import build_store, fictional_analyses
from newsledger.api.app import create_app
from newsledger.api.queries import lead
from newsledger.cli.main import cli
from newsledger.store import open_store
from pg import postgres_server  # noqa: F401  (session fixture)

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "review-test-token"


def client_for(db, token=TOKEN) -> TestClient:
    return TestClient(create_app(db, token=token), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))


@pytest.fixture
def db(tmp_path) -> Path:
    return build_store(tmp_path / "news.db")


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args, ok=True):
    result = runner.invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, (result.exit_code, result.output, result.stderr)
    return result


def claim_id(runner, db, article="nw-siversk-0001") -> int:
    rows = json.loads(run(runner, "claims", "--json", "--db", db).stdout)
    return next(r["id"] for r in rows if r["article_id"] == article)


def reingest(db, article_id: str) -> str:
    """Store the article again with slightly different machine output (as `ingest --force` would)."""
    analysis = next(a for a in fictional_analyses(True) if a.article.id == article_id)
    for ann in (*analysis.claims, *analysis.quotes, *analysis.places):
        ann.confidence = round(ann.confidence * 0.9, 3)
    with open_store(db) as store:
        return store.upsert(analysis)


# ---------------------------------------------------------------- reviews from the CLI


def test_correct_a_claim_survives_reanalysis_and_shows_everywhere(runner, db, tmp_path):
    cid = claim_id(runner, db)
    out = run(runner, "review", "claim", cid, "--set", "type=ASSAULT", "--set", "place=Kramatorsk",
              "--set", "modality=denied", "--by", "Ana Lyst", "--note", "checked the map", "--db", db, "--json")
    done = json.loads(out.stdout)
    assert done["verdict"] == "corrected" and done["by"] == "Ana Lyst" and done["note"] == "checked the map"
    assert done["before"]["type"] == "TAKE_CONTROL" and done["after"]["type"] == "ASSAULT"
    assert done["after"]["place"]["name"] == "Kramatorsk" and done["after"]["modality"] == "denied"

    assert reingest(db, "nw-siversk-0001") == "updated"
    rows = json.loads(run(runner, "claims", "--json", "--db", db).stdout)
    claim = next(r for r in rows if r["article_id"] == "nw-siversk-0001")
    assert claim["id"] != cid  # new rows, same review
    assert claim["type"] == "ASSAULT" and claim["place_name"] == "Kramatorsk" and claim["modality"] == "denied"
    assert claim["review"]["verdict"] == "corrected" and claim["review"]["by"] == "Ana Lyst"
    assert claim["review"]["before"]["type"] == "TAKE_CONTROL"
    assert json.loads(run(runner, "claims", "--type", "ASSAULT", "--json", "--db", db).stdout)[0]["id"] == claim["id"]
    assert json.loads(run(runner, "claims", "--reviewed", "no", "--json", "--db", db).stdout)
    assert all(r["review"] for r in json.loads(run(runner, "claims", "--reviewed", "yes", "--json", "--db", db).stdout))

    # exports carry the corrected value and the reviews themselves
    out_file = tmp_path / "claims.jsonl"
    run(runner, "export", "--kind", "claims", "--out", out_file, "--db", db)
    exported = [json.loads(line) for line in out_file.read_text().splitlines()]
    row = next(r for r in exported if r["article_id"] == "nw-siversk-0001")
    assert row["type"] == "ASSAULT" and row["review"]["verdict"] == "corrected"
    reviews_file = tmp_path / "reviews.csv"
    run(runner, "export", "--kind", "reviews", "--out", reviews_file, "--db", db)
    text = reviews_file.read_text()
    assert "Ana Lyst" in text and "checked the map" in text and "TAKE_CONTROL" in text


def test_reject_a_quote_stays_listed_unless_hidden(runner, db):
    rows = json.loads(run(runner, "quotes", "--json", "--db", db).stdout)
    qid = next(r["id"] for r in rows if r["article_id"] == "hl-siversk-0002")
    run(runner, "review", "quote", qid, "--reject", "--by", "B", "--db", db)
    reingest(db, "hl-siversk-0002")
    rows = json.loads(run(runner, "quotes", "--json", "--db", db).stdout)
    mine = [r for r in rows if r["article_id"] == "hl-siversk-0002"]
    assert mine and mine[0]["review"]["verdict"] == "rejected"
    hidden = json.loads(run(runner, "quotes", "--json", "--hide-rejected", "--db", db).stdout)
    assert not [r for r in hidden if r["article_id"] == "hl-siversk-0002"]


def test_correct_a_quote_speaker_and_a_place(runner, db):
    rows = json.loads(run(runner, "quotes", "--json", "--speaker", "Dronov", "--db", db).stdout)
    qid = next(r["id"] for r in rows if r["article_id"] == "ls-geneva-0003")
    run(runner, "review", "quote", qid, "--set", "speaker=Irina Vetrova", "--db", db)
    assert json.loads(run(runner, "quotes", "--json", "--speaker", "Vetrova", "--db", db).stdout)[0]["id"] == qid
    cleared = run(runner, "review", "quote", qid, "--set", "speaker=", "--by", "Ana", "--db", db).stdout
    assert cleared.strip() == f"quote {qid} corrected by Ana (speaker: Pavel Dronov → none)"  # not a dangling arrow

    mentions = json.loads(run(runner, "places", "--article", "hl-siversk-0002", "--json", "--db", db).stdout)
    pid = mentions[0]["id"]
    run(runner, "review", "place", pid, "--set", "geonames_id=694403", "--db", db)
    reingest(db, "hl-siversk-0002")
    after = json.loads(run(runner, "places", "--article", "hl-siversk-0002", "--json", "--db", db).stdout)[0]
    assert after["geonames_id"] == 694403 and after["review"]["before"]["geonames_id"] == 700001
    assert run(runner, "claims", "--type", "ASSAULT", "--db", db).stdout.strip() == "no claims"


def test_review_mistakes_are_one_line(runner, db):
    for args, needle in (
        (("review", "claim", "1"), "give --confirm, --reject or --set"),
        (("review", "claim", "1", "--set", "colour=red"), "FIELD one of type, modality"),
        (("review", "claim", "999", "--confirm"), "no claim with id 999"),
        (("review", "claim", "1", "--set", "modality=maybe"), "unknown modality"),
        (("review", "place", "1", "--set", "geonames_id=999999999"), "no gazetteer place"),
    ):
        result = run(runner, *args, "--db", db, ok=False)
        assert result.exit_code != 0 and needle in result.stderr, (args, result.stderr)


# ---------------------------------------------------------------- reviews through the API


def test_api_review_needs_the_token_and_json(db):
    client = client_for(db)
    claim = client.get("/api/claims", params={"type": "LOSE_CONTROL"}).json()["items"][0]
    body = {"kind": "claim", "id": claim["id"], "verdict": "corrected", "set": {"actor": "Russian units"}, "by": "web"}
    assert client.post("/api/reviews", json=body).status_code == 401
    headers = {"Authorization": f"Bearer {TOKEN}"}
    form = client.post("/api/reviews", data={"kind": "claim"}, headers=headers)
    assert form.status_code == 415  # a cross-site HTML form cannot send JSON
    assert client.post("/api/reviews", json={**body, "id": "1; DROP"}, headers=headers).status_code == 400
    assert client.post("/api/reviews", json={**body, "set": {"colour": "red"}}, headers=headers).status_code == 400
    ok = client.post("/api/reviews", json=body, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["after"]["actor"]["text"] == "Russian units"
    listed = client.get("/api/claims", params={"reviewed": "true"}).json()["items"]
    assert [c["actor"]["text"] for c in listed] == ["Russian units"]
    article = client.get(f"/api/articles/{claim['article_id']}").json()
    assert article["claims"][0]["review"]["verdict"] == "corrected"
    assert article["claims"][0]["actor"]["text"] == "Russian units"
    assert client.get("/api/reviews").json()["total"] == 1
    assert "Russian units" in client.get("/api/reviews", params={"format": "csv"}).text
    quality = client.get("/api/quality").json()
    claims = next(c for c in quality["components"] if c["component"] == "claims")
    assert claims["reviewed"] == 1 and claims["corrected"] == 1 and claims["precision"] == 0.0
    confidences = [q["confidence"] for q in quality["queue"]]
    assert confidences == sorted(confidences) and all(q["id"] != claim["id"] or q["kind"] != "claim"
                                                      for q in quality["queue"])
    cands = client.get("/api/gazetteer", params={"name": "Siversk"}).json()["items"]
    assert cands[0]["geonames_id"] == 694403


def test_compare_shows_the_corrected_claim(db):
    client = client_for(db)
    claim = client.get("/api/claims", params={"type": "TAKE_CONTROL"}).json()["items"][0]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/api/reviews", json={"kind": "claim", "id": claim["id"], "verdict": "corrected",
                                          "set": {"type": "ASSAULT"}}, headers=headers)
    assert r.status_code == 200
    reingest(db, claim["article_id"])
    client = client_for(db)
    items = client.get("/api/compare", params={"place": "Siversk"}).json()["items"]
    north = next(i for i in items if i["source"] == "northwind.example")
    assert [c["type"] for c in north["claim_types"]] == ["ASSAULT"]
    assert client.get("/api/compare", params={"claim_type": "ASSAULT"}).json()["total"] == 1


# ---------------------------------------------------------------- defects seen as a new user


def readme_session() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## A session", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_readme_session_ingest_runs_from_the_repository_root(runner, tmp_path, monkeypatch):
    commands = readme_session()
    ingest = next(c for c in commands if " ingest " in f" {c} ")
    words = shlex.split(ingest)
    env = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
    args = [w for w in words if "=" not in w or w.startswith("-")]
    assert args[0] == "newsledger" and env.get("NEWSLEDGER_OUTLETS") == "examples/outlets.json"
    for path in args[2:]:
        assert (ROOT / path).exists(), f"README session names {path}, which is not in the repository"
    monkeypatch.chdir(ROOT)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    db = tmp_path / "session.db"
    run(runner, *args[1:], "--no-analyze", "--db", db)
    with open_store(db) as store:
        sources = {s["domain"]: s for s in store.sources()}
    assert sources["kyiv-ledger.example"]["country"] == "UA"


def test_missing_input_is_reported_and_the_batch_goes_on(runner, tmp_path):
    db = tmp_path / "n.db"
    result = run(runner, "ingest", ROOT / "examples" / "wires.jsonl", tmp_path / "nope.txt", "--no-analyze", "--db", db)
    assert f"skipped {tmp_path / 'nope.txt'}: no such file or directory" in result.stderr
    with open_store(db) as store:
        assert store.stats()["articles"] > 0
    lonely = tmp_path / "lonely.db"
    result = run(runner, "ingest", tmp_path / "nope.txt", "--db", lonely, ok=False)
    assert result.exit_code == 1 and "no such file or directory" in result.stderr
    assert not lonely.exists()


def test_export_refuses_unknown_extensions(runner, db, tmp_path):
    result = run(runner, "export", "--out", tmp_path / "x.xlsx", "--db", db, ok=False)
    assert result.exit_code == 2 and "parquet, csv and jsonl" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_unknown_claim_type_lists_the_valid_ones(runner, db):
    result = run(runner, "claims", "--type", "NOPE", "--db", db, ok=False)
    assert result.exit_code == 2 and "TAKE_CONTROL" in result.stderr and "ASSAULT" in result.stderr


def test_claims_table_is_readable_at_100_columns(runner, db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = run(runner, "claims", "--db", db).stdout
    lines = out.splitlines()
    assert all(len(line) <= 100 for line in lines)
    sentence = next(line for line in lines if "Russian forces completed the liberation" in line)
    assert "defence ministry said." in sentence  # the whole sentence on one line, not a word a line


def test_one_document_is_singular(runner, tmp_path):
    page = tmp_path / "one.txt"
    page.write_text((ROOT / "tests" / "fixtures" / "seed_sputnik.txt").read_text(encoding="utf-8"))
    result = run(runner, "ingest", page, "--no-analyze", "--db", tmp_path / "o.db")
    assert re.search(r"^1 document in ", result.stderr, re.M), result.stderr


def test_stats_on_a_directory_says_so(runner, tmp_path):
    result = run(runner, "stats", "--db", tmp_path, ok=False)
    assert "is a folder, not a database file" in result.stderr and "permission" not in result.stderr


def test_api_docs_version_is_the_package_version(db):
    from newsledger import __version__

    assert client_for(db).get("/openapi.json").json()["info"]["version"] == __version__


def test_snippets_cut_on_word_boundaries():
    text = "word " * 100
    out = lead(text, 42)
    assert out.endswith("…") and out[:-1].split(" ")[-1] == "word" and len(out) <= 43
    assert lead("short text") == "short text"
    long_word = "x" * 300
    assert lead(long_word, 50) == "x" * 50 + "…"


def test_no_query_listing_snippets_end_cleanly(db):
    items = client_for(db).get("/api/articles").json()["items"]
    for it in items:
        snip = it["snippet"]
        if snip.endswith("…"):
            assert not snip[-2].isspace()


def test_place_name_expansion_finds_other_spellings(db, runner):
    client = client_for(db)
    body = client.get("/api/articles", params={"q": "Seversk"}).json()
    assert body["expanded"] == {"Seversk": ["Siversk"]}
    assert {i["id"] for i in body["items"]} == {"nw-siversk-0001", "hl-siversk-0002"}
    assert client.get("/api/articles", params={"q": "Kramatorsk"}).json()["expanded"] == {}
    result = run(runner, "search", "Seversk", "--db", db)
    assert "Troops withdraw from Siversk" in result.stdout and "also searching Siversk" in result.stderr


def test_reviews_on_postgresql(postgres_server):  # noqa: F811
    from newsledger.store import reviews

    store = open_store(postgres_server.new_database())
    try:
        store.upsert_many(fictional_analyses(False))
        claim = next(c for c in store.claims(limit=10) if c["article_id"] == "nw-siversk-0001")
        done = reviews.review(store, "claim", claim["id"], verdict="corrected",
                              sets={"type": "ASSAULT", "actor": "Northern units"}, by="pg")
        assert done["after"]["type"] == "ASSAULT"
        analysis = next(a for a in fictional_analyses(False) if a.article.id == "nw-siversk-0001")
        analysis.claims[0].confidence = 0.5
        assert store.upsert(analysis) == "updated"
        again = next(c for c in store.claims(limit=10) if c["article_id"] == "nw-siversk-0001")
        assert again["type"] == "ASSAULT" and again["actor_text"] == "Northern units"
        assert again["review"]["by"] == "pg"
        assert reviews.reviews(store)[0]["before"]["type"] == "TAKE_CONTROL"
        assert [c["id"] for c in store.claims(reviewed=True)] == [again["id"]]
        assert again["id"] not in {c["id"] for c in store.claims(reviewed=False)}
        q = reviews.quality(store)
        assert next(c for c in q["components"] if c["component"] == "claims")["corrected"] == 1
        reviews.review(store, "claim", again["id"], verdict="rejected")
        assert again["id"] not in {c["id"] for c in store.claims(hide_rejected=True)}
        # a later review replaces the earlier one: the rejected claim is back to the machine's values
        assert next(c for c in store.claims() if c["id"] == again["id"])["type"] == "TAKE_CONTROL"
    finally:
        store.close()


def test_rejected_items_leave_the_aggregates(db):
    client = client_for(db)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    claim = client.get("/api/claims", params={"type": "LOSE_CONTROL"}).json()["items"][0]
    north = client.get("/api/places.geojson").json()
    before = {f["properties"]["name"]: f["properties"]["claims"] for f in north["features"]}
    assert client.post("/api/reviews", json={"kind": "claim", "id": claim["id"], "verdict": "rejected"},
                       headers=headers).status_code == 200
    items = client.get("/api/compare", params={"place": "Siversk"}).json()["items"]
    harbor = next(i for i in items if i["source"] == "harbor-ledger.example")
    assert harbor["claim_types"] == []
    after = {f["properties"]["name"]: f["properties"]["claims"] for f in client.get("/api/places.geojson").json()["features"]}
    assert after["Siversk"] == before["Siversk"] - 1
    facets = client.get("/api/articles", params={"q": "Siversk"}).json()["facets"]["claim_type"]
    assert "LOSE_CONTROL" not in {f["value"] for f in facets}
    # still listed, marked, unless hidden
    assert client.get("/api/claims", params={"type": "LOSE_CONTROL"}).json()["items"][0]["review"]["verdict"] == "rejected"
    assert client.get("/api/claims", params={"type": "LOSE_CONTROL", "hide_rejected": "true"}).json()["items"] == []


def test_stories_follow_a_review_and_filters_page_in_sql(runner, db):
    from newsledger import stories

    with open_store(db) as store:
        stories.update(store, [a.article.id for a in fictional_analyses(True)])
    client = client_for(db)
    claim = client.get("/api/claims", params={"type": "TAKE_CONTROL"}).json()["items"][0]
    run(runner, "review", "claim", claim["id"], "--set", "type=ASSAULT", "--db", db)
    rows = client.get("/api/stories", params={"min_size": 1, "limit": 100}).json()["items"]
    types = set()
    for st in rows:
        detail = client.get(f"/api/stories/{st['id']}").json()
        if claim["article_id"] in {a["id"] for a in detail["articles"]}:
            types = {g["type"] for g in detail["claims"]}
    assert "ASSAULT" in types and "TAKE_CONTROL" not in types
    # --reviewed pages in SQL: the one reviewed claim is found even with --limit 1
    assert [r["id"] for r in json.loads(run(runner, "claims", "--reviewed", "yes", "--limit", "1", "--json",
                                            "--db", db).stdout)] == [claim["id"]]


def test_a_rejected_place_gives_its_article_no_key(runner, db):
    mentions = json.loads(run(runner, "places", "--article", "ls-geneva-0003", "--json", "--db", db).stdout)
    client = client_for(db)
    assert client.get("/api/compare", params={"place": "Geneva"}).json()["total"] == 2
    run(runner, "review", "place", mentions[0]["id"], "--reject", "--db", db)
    reingest(db, "ls-geneva-0003")  # and it stays so after re-analysis
    # Lakeshore's only mention of Geneva was rejected (its claim still names Geneva, so reject that too).
    claims = json.loads(run(runner, "claims", "--json", "--db", db).stdout)
    run(runner, "review", "claim", next(c["id"] for c in claims if c["article_id"] == "ls-geneva-0003"),
        "--reject", "--db", db)
    sources = {i["source"] for i in client_for(db).get("/api/compare", params={"place": "Geneva"}).json()["items"]}
    assert "lakeshore.example" not in sources and "harbor-ledger.example" in sources
    with open_store(db) as store:
        keys = store._read("SELECT kind, key FROM article_keys WHERE article_id = 'ls-geneva-0003'")
    assert ("place", "geneva") not in {(k["kind"], k["key"]) for k in keys}
