"""The stories CLI commands and API router, on a small hand-built store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from newsledger import stories
from newsledger.cli.main import NewsledgerGroup
from newsledger.schema import Actor, Analysis, Article, Claim, ClaimPlace, Quote, Source
from newsledger.stories.cli import provenance, stories as stories_cmd
from newsledger.store import open_store

QUOTE = "Our brigades hold the town and the enemy is lying about its capture"


def _art(aid, domain, published, title, claim_type, actor, quote):
    text = f"{title}. The spokesperson said: “{quote}.” Fighting continued near Siversk on Friday."
    return Analysis(
        article=Article(id=aid, url=f"https://{domain}/{aid}", source=Source(name=domain, domain=domain),
                        title=title, published=published, text=text),
        claims=[Claim(type=claim_type, start=0, end=10, sentence=title, actor=Actor(text=actor, code=actor),
                      place=ClaimPlace(text="Siversk", name="Siversk", geonames_id=694403))],
        quotes=[Quote(text=quote, kind="direct", start=0, end=5, speaker="Andrii Kovalenko")],
    )


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "s.db")
    with open_store(path) as store:
        store.upsert(_art("aaaa0001", "ru.example", "2025-12-12T11:00:00+00:00", "Russian forces liberated Siversk",
                          "TAKE_CONTROL", "RUS", QUOTE))
        store.upsert(_art("bbbb0002", "ua.example", "2025-12-12T15:00:00+00:00", "Ukrainian forces hold Siversk",
                          "CONTESTED", "UKR", QUOTE.replace("lying", "spreading fakes")))
        stories.update(store, ["aaaa0001", "bbbb0002"])
    return path


def _cli(*args):
    group = NewsledgerGroup("newsledger", commands={"stories": stories_cmd, "provenance": provenance})
    return CliRunner().invoke(group, list(args), prog_name="newsledger")


def test_update_keeps_going_when_one_article_fails(tmp_path, monkeypatch):
    from newsledger.stories import cluster

    real = cluster._copies

    def flaky(db, art):
        if art["id"] == "aaaa0001":
            raise ValueError("hostile")
        return real(db, art)

    monkeypatch.setattr(cluster, "_copies", flaky)
    with open_store(str(tmp_path / "f.db")) as store:
        store.upsert(_art("aaaa0001", "ru.example", "2025-12-12T11:00:00+00:00", "A", "TAKE_CONTROL", "RUS", QUOTE))
        store.upsert(_art("bbbb0002", "ua.example", "2025-12-12T15:00:00+00:00", "B", "CONTESTED", "UKR", QUOTE))
        counts = stories.update(store, ["aaaa0001", "bbbb0002"])
        assert counts["failed"] == 1 and counts["opened"] == 1
        assert store._read("SELECT article_id FROM story_members") == [{"article_id": "bbbb0002"}]


def test_cli_lists_and_shows_a_story(db):
    res = _cli("stories", "--db", db, "--json")
    assert res.exit_code == 0
    listed = json.loads(res.output)
    assert [(s["size"], s["outlets"]) for s in listed] == [(2, 2)]
    res = _cli("stories", "--db", db, "--id", str(listed[0]["id"]), "--json")
    story = json.loads(res.output)
    assert [a["outlet"] for a in story["articles"]] == ["ru.example", "ua.example"]
    assert [(c["kind"], c["outlet"], c["other_outlet"]) for c in story["contradictions"]] == [
        ("control", "ru.example", "ua.example")]


def test_cli_provenance_and_one_line_errors(db):
    res = _cli("provenance", "--db", db, "--quote", "2", "--json")
    assert res.exit_code == 0
    prov = json.loads(res.output)
    assert prov["first"]["outlet"] == "ru.example"
    assert prov["uses"][0]["changes"] == [{"op": "replace", "from": "lying", "to": "spreading fakes"}]
    res = _cli("provenance", "--db", db)
    assert res.exit_code == 2
    res = _cli("provenance", "--db", db, "--claim", "99")
    assert res.exit_code == 1
    res = _cli("stories", "--db", db, "--id", "99")
    assert res.exit_code == 1


def test_cli_provenance_names_who_reports_a_repeat_and_counts_in_words(db):
    from newsledger.schema import Attribution

    with open_store(db) as store:
        relay = _art("cccc0003", "wire.example", "2025-12-12T16:00:00+00:00", "Moscow says it liberated Siversk",
                     "TAKE_CONTROL", "RUS", "Nothing to add")
        relay.claims[0].modality = "reported"
        relay.claims[0].attributions = [Attribution(name="Wire Desk", kind="outlet", role="reports")]
        store.upsert(relay)
        stories.update(store, ["cccc0003"])
        reported = store._read("SELECT id FROM claims WHERE article_id = 'cccc0003'")[0]["id"]
    res = _cli("provenance", "--db", db, "--claim", "1")
    assert res.exit_code == 0, res.output
    assert "2 articles, 2 independent origins" in res.output
    row = next(line for line in res.output.splitlines() if line.startswith(f"│ {reported} "))
    assert "reported" in row and "reported by" in row  # not a blank "according to"
    res = _cli("provenance", "--db", db, "--claim", "2")
    assert "1 article, 1 independent origin" in res.output


def test_first_seen_and_repeats_follow_the_clock_not_the_string(db):
    # 12:30+05:00 is 07:30 UTC, the earliest; 14:20+02:00 (12:20 UTC) comes before 11:45-05:00 (16:45 UTC).
    with open_store(db) as store:
        for aid, domain, published in (("dddd0004", "west.example", "2025-12-12T11:45:00-05:00"),
                                       ("eeee0005", "east.example", "2025-12-12T14:20:00+02:00"),
                                       ("ffff0006", "far.example", "2025-12-12T12:30:00+05:00")):
            store.upsert(_art(aid, domain, published, "Russian forces took Siversk", "TAKE_CONTROL", "RUS",
                              f"Quote {aid}"))
        stories.update(store, ["dddd0004", "eeee0005", "ffff0006"])
        prov = stories.claim_provenance(store, 1)
        story = stories.get_story(store, store._read("SELECT cluster_id FROM story_members "
                                                     "WHERE article_id = 'aaaa0001'")[0]["cluster_id"])
    assert prov["first_seen"]["outlet"] == "far.example"
    assert [r["outlet"] for r in prov["repeats"]] == ["ru.example", "east.example", "west.example"]
    listed = [a["outlet"] for a in story["articles"] if a["outlet"] != "ua.example"]
    assert listed == ["far.example", "ru.example", "east.example", "west.example"]


def test_api_routes(db):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from newsledger.stories.api import router

    app = FastAPI()
    app.state.store = open_store(db)
    app.include_router(router)
    client = TestClient(app)
    items = client.get("/api/stories").json()["items"]
    assert len(items) == 1 and items[0]["size"] == 2
    story = client.get(f"/api/stories/{items[0]['id']}").json()
    assert story["independent_articles"] == 2
    claim = client.get("/api/provenance/claims/1").json()
    assert claim["first_seen"]["outlet"] == "ru.example"
    assert [c["outlet"] for c in claim["contradictions"]] == ["ua.example"]
    assert client.get("/api/provenance/quotes/1").json()["uses"][0]["outlet"] == "ua.example"
    assert client.get("/api/stories/999").status_code == 404
    assert client.get("/api/provenance/claims/999").status_code == 404
    assert client.get("/api/provenance/quotes/999").status_code == 404
    app.state.store.close()


def test_story_lists_claim_and_quote_ids_for_provenance(db):
    with open_store(db) as store:
        (listed,) = stories.list_stories(store)
        story = stories.get_story(store, listed["id"])
        assert [(q["outlet"], q["speaker"]) for q in story["quotes"]] == [
            ("ru.example", "Andrii Kovalenko"), ("ua.example", "Andrii Kovalenko")]
        groups = {(g["type"], g["actor_code"]): g for g in story["claims"]}
        take = groups[("TAKE_CONTROL", "RUS")]
        assert take["first_seen"]["outlet"] == "ru.example" and take["geonames_id"] == 694403
        prov = stories.claim_provenance(store, take["first_seen"]["claim_id"])
        assert prov["claim"]["type"] == "TAKE_CONTROL"
