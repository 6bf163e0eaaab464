"""Modality end to end: stored, filtered, split in compare, a denial is a rebuttal in
provenance and one contradiction card per pair of positions between sides in stories."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsledger import stories
from newsledger.cli.main import cli
from newsledger.schema import MODALITIES, Actor, Analysis, Attribution, Article, Claim, ClaimPlace, Source
from newsledger.store import open_store

ROOT = Path(__file__).resolve().parents[1]
GID = 612001  # a fictional GeoNames id for the fictional town of Dubrava

# Fictional outlets on three sides: two state outlets of one country, an independent one of
# another, and a wire service of a third.
OUTLETS = {
    "north-state.example": Source(name="North State Radio", domain="north-state.example", country="NR",
                                  state_affiliated=True),
    "north-herald.example": Source(name="North Herald", domain="north-herald.example", country="NR",
                                   state_affiliated=True),
    "south-post.example": Source(name="South Post", domain="south-post.example", country="SR",
                                 state_affiliated=False),
    "west-wire.example": Source(name="West Wire", domain="west-wire.example", country="WS",
                                state_affiliated=False),
}


def _claim(ctype, actor, modality, sentence, by=(), basis="text"):
    return Claim(type=ctype, start=0, end=len(sentence), sentence=sentence,
                 actor=Actor(text=actor, code=actor, basis=basis),
                 place=ClaimPlace(text="Dubrava", name="Dubrava", geonames_id=GID), modality=modality,
                 attributions=[Attribution(name=n, kind=k, role=r) for n, k, r in by])


def _article(aid, domain, published, title, claims):
    text = title + ". " + " ".join(c.sentence for c in claims)
    return Analysis(article=Article(id=aid, url=f"https://{domain}/{aid}", source=OUTLETS[domain], title=title,
                                    published=published, text=text), claims=claims)


TAKE = "Northern troops took full control of Dubrava on Monday."
TAKE2 = "The capture of Dubrava opens the road west."
DENY = "Claims that Dubrava has fallen are lies, the southern command said."
HOLD = "Southern units still hold Dubrava and fighting for the town goes on."


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "m.db")
    with open_store(path) as store:
        store.upsert(_article("aaaa0001", "north-state.example", "2026-03-02T09:00:00+00:00", "Dubrava taken",
                              [_claim("TAKE_CONTROL", "NRX", "asserted", TAKE),
                               _claim("TAKE_CONTROL", "NRX", "asserted", TAKE2)]))
        store.upsert(_article("bbbb0002", "north-herald.example", "2026-03-02T10:00:00+00:00", "Dubrava is ours",
                              [_claim("TAKE_CONTROL", "NRX", "asserted", TAKE)]))
        store.upsert(_article("cccc0003", "south-post.example", "2026-03-02T12:00:00+00:00", "Dubrava holds",
                              [_claim("TAKE_CONTROL", "NRX", "denied", DENY,
                                      by=[("South Post", "outlet", "denies"), ("Marta Oleksiv", "person", "denies")],
                                      basis="inferred:context"),
                               _claim("CONTESTED", "SRX", "asserted", HOLD)]))
        store.upsert(_article("dddd0004", "west-wire.example", "2026-03-02T13:00:00+00:00", "Dubrava fighting",
                              [_claim("TAKE_CONTROL", "NRX", "conditional",
                                      "If Dubrava falls, the northern army will push west.",
                                      by=[("West Wire", "outlet", "reports"), ("Ivo Brandt", "person", "asserts")])]))
        stories.update(store, ["aaaa0001", "bbbb0002", "cccc0003", "dddd0004"])
    return path


def _claim_id(store, article_id, modality):
    return store._read("SELECT id FROM claims WHERE article_id = ? AND modality = ? ORDER BY id",
                       (article_id, modality))[0]["id"]


def test_modalities_are_the_agreed_vocabulary():
    assert MODALITIES == ("asserted", "denied", "conditional", "attempted", "predicted", "reported", "questioned")


def test_cli_filters_claims_by_modality(db):
    res = CliRunner().invoke(cli, ["claims", "--db", db, "--modality", "denied", "--json"])
    assert res.exit_code == 0, res.output
    assert [(c["source"], c["type"], c["modality"]) for c in json.loads(res.output)] == [
        ("south-post.example", "TAKE_CONTROL", "denied")]
    res = CliRunner().invoke(cli, ["claims", "--db", db, "--modality", "maybe"])
    assert res.exit_code == 2 and "'denied'" in res.output


def test_cli_compare_splits_counts_by_modality(db):
    res = CliRunner().invoke(cli, ["compare", "--db", db, "--place", "Dubrava", "--json"])
    assert res.exit_code == 0, res.output
    south = next(o for o in json.loads(res.output) if o["source"] == "south-post.example")
    assert south["claims"] == "CONTESTED: 1 asserted; TAKE_CONTROL: 1 denied"
    table = CliRunner().invoke(cli, ["compare", "--db", db, "--place", "Dubrava"])
    assert table.exit_code == 0 and "denied" in table.output
    assert CliRunner().invoke(cli, ["compare", "--db", db]).exit_code == 2


def test_api_modality_filter_enum_and_compare_split(db):
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

    from newsledger.api.app import create_app

    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    body = client.get("/api/claims", params={"modality": "denied"}).json()
    assert [c["sentence"] for c in body["items"]] == [DENY] and body["total"] == 1
    assert client.get("/api/claims", params={"modality": "rumoured"}).status_code == 422
    spec = client.get("/openapi.json").json()
    (param,) = [p for p in spec["paths"]["/api/claims"]["get"]["parameters"] if p["name"] == "modality"]
    ref = param["schema"]["anyOf"][0]["$ref"].rsplit("/", 1)[1]
    assert spec["components"]["schemas"][ref]["enum"] == list(MODALITIES)

    items = {o["source"]: o for o in client.get("/api/compare", params={"place": "Dubrava"}).json()["items"]}
    assert items["south-post.example"]["claim_types"] == [
        {"type": "CONTESTED", "count": 1, "modalities": {"asserted": 1}},
        {"type": "TAKE_CONTROL", "count": 1, "modalities": {"denied": 1}}]
    assert items["north-state.example"]["claim_types"] == [
        {"type": "TAKE_CONTROL", "count": 2, "modalities": {"asserted": 2}}]
    assert [e["modality"] for e in items["south-post.example"]["examples"]] == ["denied", "asserted"]
    csv_text = client.get("/api/compare", params={"claim_type": "TAKE_CONTROL", "format": "csv"}).text
    assert "TAKE_CONTROL: 1 denied" in csv_text and "TAKE_CONTROL: 1 conditional" in csv_text


def test_a_denial_is_a_rebuttal_never_a_repeat(db):
    with open_store(db) as store:
        take = _claim_id(store, "aaaa0001", "asserted")
        deny = _claim_id(store, "cccc0003", "denied")
        prov = stories.claim_provenance(store, take)
        assert {r["outlet"] for r in prov["repeats"]} == {"north-state.example", "north-herald.example"}
        assert all(r["modality"] == "asserted" for r in prov["repeats"])
        assert [(r["edge"], r["outlet"], r["modality"]) for r in prov["rebuttals"]] == [
            ("rebuts", "south-post.example", "denied")]
        back = stories.claim_provenance(store, deny)
        assert back["repeats"] == [] and back["claim"]["modality"] == "denied"
        assert {(r["edge"], r["outlet"]) for r in back["rebuttals"]} == {
            ("rebutted", "north-state.example"), ("rebutted", "north-herald.example")}
        # A hedged claim neither rebuts nor repeats the assertion.
        cond = stories.claim_provenance(store, _claim_id(store, "dddd0004", "conditional"))
        assert cond["rebuttals"] == [] and cond["repeats"] == []
    res = CliRunner().invoke(cli, ["provenance", "--db", db, "--claim", str(take)])
    assert res.exit_code == 0 and "rebuttals" in res.output and "rebuts it" in res.output


def test_story_has_one_contradiction_card_per_pair_of_positions_between_sides(db):
    with open_store(db) as store:
        (listed,) = stories.list_stories(store)
        story = stories.get_story(store, listed["id"])
    cards = {(c["kind"], c["side"], c["modality"], c["other_side"], c["other_modality"]): c
             for c in story["contradictions"]}
    # Three TAKE sentences in two northern state outlets against one denial and one "still
    # hold": two cards (denial, control), not six; the two northern outlets never oppose each other.
    assert len(story["contradictions"]) == 2
    denial = next(c for c in story["contradictions"] if c["kind"] == "denial")
    control = next(c for c in story["contradictions"] if c["kind"] == "control")
    sides = {denial["side"], denial["other_side"]}
    assert sides == {"NR state-affiliated", "SR"}
    north = "outlets" if denial["side"] == "NR state-affiliated" else "other_outlets"
    assert sorted(denial[north]) == ["north-herald.example", "north-state.example"]
    assert denial["pairs"] == 3 and control["pairs"] == 3
    assert {control["type"], control["other_type"]} == {"TAKE_CONTROL", "CONTESTED"}
    assert len(cards) == 2
    # Claim groups: the denial and the conditional are their own groups, each with its modality.
    groups = {(g["type"], g["modality"]): g for g in story["claims"]}
    assert set(groups) == {("TAKE_CONTROL", "asserted"), ("TAKE_CONTROL", "denied"),
                           ("TAKE_CONTROL", "conditional"), ("CONTESTED", "asserted")}
    assert all(r["modality"] == "asserted" for r in groups[("TAKE_CONTROL", "asserted")]["repeats"])


@pytest.mark.skipif(not (ROOT / "examples" / "kyiv-ledger-siversk-holds.html").exists(), reason="examples missing")
def test_bundled_examples_keep_the_siversk_denial(tmp_path, monkeypatch):
    from newsledger.run import PipelineError, ingest, load_analyzer

    try:
        load_analyzer()
    except PipelineError as e:
        pytest.skip(str(e))
    monkeypatch.setenv("NEWSLEDGER_OUTLETS", str(ROOT / "examples" / "outlets.json"))
    path = str(tmp_path / "ex.db")
    with open_store(path) as store:
        ingest([str(ROOT / "examples"), str(ROOT / "tests" / "fixtures" / "seed_sputnik.txt")], store)
        deny = store._read("SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id "
                           "WHERE a.source_domain = 'kyiv-ledger.example' AND c.type = 'TAKE_CONTROL' "
                           "AND c.modality = 'denied' AND c.place_name = 'Siversk'")
        assert len(deny) == 1
        prov = stories.claim_provenance(store, deny[0]["id"])
        assert prov["repeats"] == []
        # Issue 10: the denial names the Kyiv Ledger and its spokesperson as deniers, not "the occupiers".
        assert prov["claim"]["denied_by_names"] == "Kyiv Ledger; Andrii Kovalenko"
        assert prov["claim"]["asserted_by_names"] is None
        assert "sputnikglobe.com" in {r["outlet"] for r in prov["rebuttals"] if r["edge"] == "rebutted"}
        seed = store._read("SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id "
                           "WHERE a.source_domain = 'sputnikglobe.com' AND c.type = 'TAKE_CONTROL' "
                           "AND c.place_name = 'Siversk' ORDER BY c.id LIMIT 1")[0]["id"]
        prov = stories.claim_provenance(store, seed)
        assert "kyiv-ledger.example" not in {r["outlet"] for r in prov["repeats"] if r["modality"] == "denied"}
        assert ("rebuts", "kyiv-ledger.example") in {(r["edge"], r["outlet"]) for r in prov["rebuttals"]}
        cluster = store._read("SELECT cluster_id FROM story_members WHERE article_id = "
                              "(SELECT article_id FROM claims WHERE id = ?)", (seed,))[0]["cluster_id"]
        story = stories.get_story(store, cluster)
    positions = [(c["kind"], frozenset([(c["side"], c["type"], c["modality"]),
                                        (c["other_side"], c["other_type"], c["other_modality"])]))
                 for c in story["contradictions"]]
    assert len(positions) == len(set(positions))
    denial = [c for c in story["contradictions"] if c["kind"] == "denial"
              and {c["side"], c["other_side"]} == {"UA", "RU state-affiliated"}]
    assert len(denial) == 1
    assert "sputnikglobe.com" in denial[0]["outlets"] + denial[0]["other_outlets"]
    res = CliRunner().invoke(cli, ["compare", "--db", path, "--place", "Siversk", "--json"])
    kyiv = next(o for o in json.loads(res.output) if o["source"] == "kyiv-ledger.example")
    take = next(c for c in kyiv["claim_types"] if c["type"] == "TAKE_CONTROL")
    assert take["modalities"].get("denied") == 1


def test_attribution_roles_are_stored_filtered_and_shown(db):
    with open_store(db) as store:
        (deny,) = store.claims(according_to="oleksiv", role="denies")
        assert deny["denied_by_names"] == "South Post; Marta Oleksiv" and deny["asserted_by_names"] is None
        assert deny["actor"]["basis"] == "inferred:context" and deny["actor_basis"] == "inferred:context"
        assert store.claims(according_to="oleksiv", role="asserts") == []
        assert [c["reported_by_names"] for c in store.claims(role="reports")] == ["West Wire"]
        prov = stories.claim_provenance(store, deny["id"])
        assert prov["claim"]["denied_by_names"] == "South Post; Marta Oleksiv"
        assert prov["claim"]["actor_basis"] == "inferred:context"
        assert prov["attributions"][0]["denied_by"] == "South Post; Marta Oleksiv"
    res = CliRunner().invoke(cli, ["claims", "--db", db, "--according-to", "Marta", "--json"])
    assert [c["modality"] for c in json.loads(res.output)] == ["denied"]
    res = CliRunner().invoke(cli, ["claims", "--db", db, "--modality", "conditional", "--json"])
    assert [c["according_to"] for c in json.loads(res.output)] == ["Ivo Brandt; reported by West Wire"]
    assert CliRunner().invoke(cli, ["claims", "--db", db, "--role", "doubts"]).exit_code == 2

    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

    from newsledger.api.app import create_app

    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    (item,) = client.get("/api/claims", params={"according_to": "Marta", "role": "denies"}).json()["items"]
    assert [(a["name"], a["role"]) for a in item["attributions"]] == [("South Post", "denies"),
                                                                      ("Marta Oleksiv", "denies")]
    assert client.get("/api/claims", params={"role": "doubts"}).status_code == 422
    assert "Marta Oleksiv" in client.get("/api/claims", params={"modality": "denied", "format": "csv"}).text


def test_old_analysis_records_load_with_roles():
    from newsledger.schema import from_dict

    old = {"type": "TAKE_CONTROL", "start": 0, "end": 9, "sentence": "s", "modality": "denied",
           "asserted_by": [{"name": "South Post", "kind": "outlet"}]}
    assert [(a.name, a.role) for a in from_dict(Claim, old).attributions] == [("South Post", "denies")]
    assert [a.role for a in from_dict(Claim, {**old, "modality": "asserted"}).attributions] == ["asserts"]
