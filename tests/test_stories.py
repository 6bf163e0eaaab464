"""Stories: clusters, reprints, contradictions and provenance (newsledger.stories)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsledger import stories
from newsledger.schema import Actor, Analysis, Article, Claim, ClaimPlace, Place, Quote, Source
from newsledger.stories import text as tx
from newsledger.stories.cluster import contradiction
from newsledger.stories.queries import quote_diff
from newsledger.store import open_store

ROOT = Path(__file__).resolve().parents[1]
WIRE = ("Russian drones struck the port of Odesa overnight, damaging a grain terminal and injuring four workers.\n\n"
        "The terminal was hit twice and the fire was put out by morning, the port authority said on Thursday.\n\n"
        "Air defence units shot down eleven of the fifteen drones launched at the region, the air force said.")
LOCAL = "The Valley Post has learned more about the events described below."


def _analysis(aid, domain, published, title, text, claims=(), quotes=(), places=()):
    art = Article(id=aid, url=f"https://{domain}/{aid}", source=Source(name=domain, domain=domain),
                  title=title, published=published, text=text)
    return Analysis(article=art, claims=list(claims), quotes=list(quotes), places=list(places))


def _odesa_place(text):
    i = text.find("Odesa")
    return Place(text="Odesa", start=i, end=i + 5, name="Odesa", geonames_id=698740, feature="city")


def _claim(ctype, actor, modality="asserted", gid=694403, name="Siversk"):
    return Claim(type=ctype, start=0, end=10, sentence="s", actor=Actor(text=actor or "?", code=actor),
                 place=ClaimPlace(text=name, name=name, geonames_id=gid), modality=modality)


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "s.db"))
    yield s
    s.close()


def test_partial_reprint_recorded_with_spans_in_both_articles_and_joins_the_story(store):
    reprint = LOCAL + "\n\n" + WIRE.split("\n\n", 1)[1]
    unrelated = ("Negotiators from both countries began talks in Geneva on Tuesday on a pause in strikes.\n\n"
                 "Both delegations came with concrete proposals, the Swiss mediator said on Tuesday evening.")
    # The copy is stored first: the original arriving later becomes its source.
    store.upsert(_analysis("bbbb0002", "valley-post.example", "2025-12-04T13:00:00+02:00", "Odesa port hit",
                           reprint, places=[_odesa_place(reprint)]))
    stories.update(store, ["bbbb0002"])
    store.upsert(_analysis("aaaa0001", "meridian-wire.example", "2025-12-04T08:00:00+02:00", "Drones hit Odesa port",
                           WIRE, places=[_odesa_place(WIRE)]))
    store.upsert(_analysis("cccc0003", "alpine-record.example", "2025-12-09T10:00:00+02:00", "Geneva talks open",
                           unrelated))
    counts = stories.update(store, ["aaaa0001", "cccc0003"])
    assert counts["articles"] == 2 and counts["copies"] == 1
    rows = store._read('SELECT article_id, copies_article, start, "end", source_start, source_end, method '
                       "FROM text_copies")
    start = len(LOCAL) + 2
    src_start = WIRE.index("The terminal")
    assert rows == [{"article_id": "bbbb0002", "copies_article": "aaaa0001", "start": start, "end": len(reprint),
                     "source_start": src_start, "source_end": len(WIRE), "method": "sentences"}]
    assert reprint[start:] == WIRE[src_start:]
    listed = stories.list_stories(store, min_size=1)
    assert sorted(r["size"] for r in listed) == [1, 2]
    big = next(r for r in listed if r["size"] == 2)
    story = stories.get_story(store, big["id"])
    assert [a["id"] for a in story["articles"]] == ["aaaa0001", "bbbb0002"]
    assert story["independent_articles"] == 1 and story["articles"][1]["copy_of"] == "aaaa0001"


def test_update_is_repeatable(store):
    store.upsert(_analysis("aaaa0001", "meridian-wire.example", "2025-12-04T08:00:00+02:00", "Drones hit Odesa port",
                           WIRE, places=[_odesa_place(WIRE)]))
    stories.update(store, ["aaaa0001"])
    first = store._read("SELECT cluster_id FROM story_members")
    stories.update(store, ["aaaa0001", "missing-id"])
    assert store._read("SELECT cluster_id FROM story_members") != [] and len(first) == 1
    assert store._read("SELECT df FROM story_df WHERE term = 'odesa'") == [{"df": 1}]
    assert store._read("SELECT COUNT(*) AS n FROM story_clusters") == [{"n": 1}]


def test_contradiction_rules():
    take = {"type": "TAKE_CONTROL", "actor_code": "RUS", "modality": "asserted"}
    assert contradiction(take, {"type": "CONTESTED", "actor_code": "UKR", "modality": "asserted"}) == "control"
    assert contradiction(take, {"type": "LOSE_CONTROL", "actor_code": "RUS", "modality": "asserted"}) == "control"
    assert contradiction(take, {"type": "LOSE_CONTROL", "actor_code": "UKR", "modality": "asserted"}) is None
    assert contradiction(take, {"type": "TAKE_CONTROL", "actor_code": "RUS", "modality": "denied"}) == "denial"
    assert contradiction(take, {"type": "TAKE_CONTROL", "actor_code": "RUS", "modality": "asserted"}) is None
    assert contradiction(take, {"type": "CONTESTED", "actor_code": "UKR", "modality": "predicted"}) is None


def test_contradiction_between_outlets_recorded_once_and_in_claim_provenance(store):
    store.upsert(_analysis("aaaa0001", "ru.example", "2025-12-12T11:00:00+00:00", "Siversk liberated",
                           "Russian forces liberated Siversk, the ministry said on Friday.",
                           claims=[_claim("TAKE_CONTROL", "RUS")]))
    # The other side's claim names the place without a GeoNames id: resolved through its places.
    text = "Ukrainian forces continue to hold Siversk, the General Staff said on Friday."
    store.upsert(_analysis("bbbb0002", "ua.example", "2025-12-13T09:00:00+02:00", "Siversk holds", text,
                           claims=[_claim("CONTESTED", "UKR", gid=None)],
                           places=[Place(text="Siversk", start=text.index("Siversk"), end=text.index("Siversk") + 7,
                                         name="Siversk", geonames_id=694403, feature="city")]))
    assert stories.update(store, ["aaaa0001", "bbbb0002"])["contradictions"] == 1
    stories.update(store, ["bbbb0002"])
    assert store._read("SELECT kind FROM claim_contradictions") == [{"kind": "control"}]
    cid = store._read("SELECT id FROM claims WHERE article_id = 'aaaa0001'")[0]["id"]
    prov = stories.claim_provenance(store, cid)
    assert prov["first_seen"]["outlet"] == "ru.example" and prov["independent_origins"] == 1
    assert [(c["outlet"], c["type"], c["kind"]) for c in prov["contradictions"]] == [("ua.example", "CONTESTED", "control")]
    assert store._read("SELECT COUNT(DISTINCT cluster_id) AS n FROM story_members") == [{"n": 1}]


def test_quote_alteration_is_a_word_diff(store):
    said = "The terminal was hit twice and the fire was put out by morning, but exports will be delayed for several days"
    altered = "The terminal was hit three times and the fire was put out by morning, but exports will be delayed for weeks"
    for aid, dom, pub, q in (("aaaa0001", "a.example", "2025-12-04T08:00:00+02:00", said),
                             ("bbbb0002", "b.example", "2025-12-04T12:00:00+02:00", altered)):
        text = f"Governor Mykola Darchenko said: “{q}.” The port is in Odesa, the governor said."
        store.upsert(_analysis(aid, dom, pub, "Odesa port", text, places=[_odesa_place(text)],
                               quotes=[Quote(text=q, kind="direct", start=0, end=len(q), speaker="Mykola Darchenko")]))
    stories.update(store, ["aaaa0001", "bbbb0002"])
    qid = store._read("SELECT id FROM quotes WHERE article_id = 'bbbb0002'")[0]["id"]
    prov = stories.quote_provenance(store, qid)
    assert prov["first"]["outlet"] == "a.example"
    assert [u["outlet"] for u in prov["altered"]] == ["b.example"]
    assert prov["altered"][0]["changes"] == [{"op": "replace", "from": "twice", "to": "three times"},
                                            {"op": "replace", "from": "several days", "to": "weeks"}]


def test_quote_diff_and_sentences():
    assert quote_diff(["we", "hold", "the", "town"], ["we", "hold", "town", "now"]) == [
        {"op": "delete", "from": "the", "to": ""}, {"op": "insert", "from": "", "to": "now"}]
    text = "Short one. This sentence has more than six words in it.\n\nAnd “this one” also has enough words here."
    spans = [(s, e) for _, s, e in tx.sentences(text)]
    assert [text[s:e] for s, e in spans] == ["This sentence has more than six words in it.",
                                             "And “this one” also has enough words here."]
    # Quote marks and spacing do not change a sentence's hash.
    a = tx.sentences("He said “we will hold the town until spring comes”.")
    b = tx.sentences('He said "we will hold the town until  spring comes".')
    assert a[0][0] == b[0][0]


@pytest.mark.skipif(not (ROOT / "examples" / "kyiv-ledger-siversk-holds.html").exists(), reason="example missing")
def test_seed_and_counter_report_are_one_story_with_a_contradiction(tmp_path):
    from newsledger.run import PipelineError, ingest, load_analyzer

    try:
        load_analyzer()
    except PipelineError as e:
        pytest.skip(str(e))
    with open_store(str(tmp_path / "seed.db")) as store:
        ingest([str(ROOT / "tests" / "fixtures" / "seed_sputnik.txt"),
                str(ROOT / "examples" / "kyiv-ledger-siversk-holds.html")], store)
        ids = [r["id"] for r in store._read("SELECT id FROM articles ORDER BY seq")]
        stories.update(store, ids)
        clusters = store._read("SELECT DISTINCT cluster_id FROM story_members")
        assert len(clusters) == 1
        story = stories.get_story(store, clusters[0]["cluster_id"])
        pairs = {(c["type"], c["actor_code"], c["other_type"], c["other_actor_code"]) for c in story["contradictions"]}
        assert ("TAKE_CONTROL", "RUS", "CONTESTED", "UKR") in pairs
        assert {c["outlet"] for c in story["contradictions"]} == {"sputnikglobe.com"}
        assert {c["other_outlet"] for c in story["contradictions"]} == {"kyiv-ledger.example"}


def test_shared_closing_lines_are_not_a_copy(store):
    closing = ("Russia launched its full-scale invasion of Ukraine in February two thousand twenty two.\n\n"
               "Subscribe to the Valley Post newsletter to get the latest news from the front every morning.")
    one = ("Repair crews restored power to most of Kharkiv on Tuesday after a drone attack damaged a substation. "
           "The governor asked residents to save energy in the evening hours when demand peaks. "
           "Engineers worked through the night in freezing temperatures to reconnect the districts. "
           "Schools will reopen on Wednesday if the supply holds, the city council said in a statement. ") + " ".join(
        f"Power returned to the {d} district before noon, according to the local utility company." for d in
        ("northern", "southern", "eastern", "western", "central"))
    two = ("Farmers in the south began sowing winter wheat late this year because of heavy autumn rains. "
           "Yields are expected to fall by a tenth compared with last season, an agriculture analyst said. "
           "Exporters warned that insurance costs for ships calling at Black Sea ports remained high. "
           "The ministry promised cheaper loans for small farms before the spring sowing campaign. ") + " ".join(
        f"Sowing in the {d} region was half finished by the end of the month, growers reported." for d in
        ("Odesa", "Mykolaiv", "Kherson", "Zaporizhzhia", "Dnipro"))
    store.upsert(_analysis("aaaa0001", "valley-post.example", "2025-12-04T08:00:00+02:00", "Power back",
                           one + "\n\n" + closing))
    store.upsert(_analysis("bbbb0002", "valley-post.example", "2025-12-05T08:00:00+02:00", "Late sowing",
                           two + "\n\n" + closing))
    assert stories.update(store, ["aaaa0001", "bbbb0002"]).get("copies", 0) == 0
    assert store._read("SELECT COUNT(*) AS n FROM text_copies") == [{"n": 0}]
