"""The clusterer's SQL (store/clusters.py) on both backends: copies, clusters, contradictions alike.

Fictional outlets and articles throughout. Each scenario runs on SQLite and on a throwaway PostgreSQL
database and must leave the same rows behind (serial ids aside).
"""

from __future__ import annotations

import pytest

from newsledger import stories
from newsledger.schema import Place
from newsledger.store import clusters as sql
from newsledger.store import open_store
from newsledger.stories.cluster import resolve_place

from pg import postgres_server  # noqa: F401  (session fixture)
from test_stories import LOCAL, WIRE, _analysis, _claim, _odesa_place


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    target = (str(tmp_path / "c.db") if request.param == "sqlite"
              else request.getfixturevalue("postgres_server").new_database())
    s = open_store(target)
    yield s
    s.close()


def _state(store) -> dict:
    """What the clusterer wrote, without serial ids."""
    members = store._read("SELECT m.article_id, m.cluster_id, m.score, m.day FROM story_members m "
                          "ORDER BY m.article_id")
    first = {}
    for m in members:  # clusters by their first member instead of their serial id
        first.setdefault(m["cluster_id"], m["article_id"])
    return {
        "members": [(m["article_id"], first[m["cluster_id"]], m["score"], m["day"]) for m in members],
        "clusters": sorted((r["size"], r["first_published"], r["last_published"], r["outlets"], r["label"],
                            r["label_article"]) for r in store._read(
            "SELECT size, first_published, last_published, outlets, label, label_article FROM story_clusters")),
        "copies": store._read('SELECT article_id, copies_article, start, "end", source_start, source_end, '
                              "shared_chars, method FROM text_copies ORDER BY article_id, copies_article"),
        "df": store._read("SELECT term, df FROM story_df WHERE df > 0 ORDER BY term"),
        "keys": store._read("SELECT key, day, article_id FROM story_keys ORDER BY article_id, key"),
        "contradictions": store._read(
            "SELECT c1.article_id AS a, c2.article_id AS b, x.kind FROM claim_contradictions x "
            "JOIN claims c1 ON c1.id = x.claim_id JOIN claims c2 ON c2.id = x.other_claim_id ORDER BY a, b"),
    }


def _scenario(store) -> list[dict]:
    counts = []
    reprint = LOCAL + "\n\n" + WIRE.split("\n\n", 1)[1]
    # A copy stored before its original: the original, arriving later, becomes its source.
    store.upsert(_analysis("bbbb0002", "valley-post.example", "2025-12-04T13:00:00+02:00", "Odesa port hit",
                           reprint, places=[_odesa_place(reprint)]))
    counts.append(stories.update(store, ["bbbb0002"]))
    store.upsert(_analysis("aaaa0001", "meridian-wire.example", "2025-12-04T08:00:00+02:00", "Drones hit Odesa port",
                           WIRE, places=[_odesa_place(WIRE)]))
    counts.append(stories.update(store, ["aaaa0001"]))
    # A capture, then the other side's report that names the place in other letter case and with no id
    # of its own: resolved through its article's places, case aside.
    store.upsert(_analysis("cccc0003", "north-herald.example", "2025-12-12T11:00:00+00:00", "Siversk taken",
                           "Northern forces took Siversk, the ministry said on Friday.",
                           claims=[_claim("TAKE_CONTROL", "RUS")]))
    text = "Southern units still hold SIVERSK, the staff said on Friday."
    i = text.index("SIVERSK")
    store.upsert(_analysis("dddd0004", "south-courier.example", "2025-12-13T09:00:00+02:00", "Siversk holds", text,
                           claims=[_claim("CONTESTED", "UKR", gid=None, name="SIVERSK")],
                           places=[Place(text="SIVERSK", start=i, end=i + 7, name="Siversk", geonames_id=694403,
                                         feature="city")]))
    # A third outlet names the place with no id and no place of its own: the id other claims got.
    store.upsert(_analysis("eeee0005", "east-bulletin.example", "2025-12-13T10:00:00+00:00", "Siversk denial",
                           "Northern forces did not take Siversk, a spokesman said.",
                           claims=[_claim("TAKE_CONTROL", "RUS", modality="denied", gid=None)]))
    counts.append(stories.update(store, ["cccc0003", "dddd0004", "eeee0005"]))
    # Running again re-places every article from scratch and leaves the same state.
    counts.append(stories.update(store, ["aaaa0001", "bbbb0002", "cccc0003", "dddd0004", "eeee0005", "missing"]))
    return counts


def test_clusterer_leaves_the_same_rows_on_both_backends(postgres_server, tmp_path):  # noqa: F811
    states = []
    for target in (str(tmp_path / "s.db"), postgres_server.new_database()):
        with open_store(target) as st:
            counts = _scenario(st)
            assert not any(c.get("failed") for c in counts), counts
            states.append((counts, _state(st)))
    assert states[0] == states[1]
    counts, state = states[0]
    assert counts[2]["contradictions"] == 2  # capture vs "still hold", capture vs its denial
    assert {(c["a"], c["b"], c["kind"]) for c in state["contradictions"]} == {
        ("cccc0003", "dddd0004", "control"), ("cccc0003", "eeee0005", "denial")}
    assert [(c["article_id"], c["copies_article"], c["method"]) for c in state["copies"]] == [
        ("bbbb0002", "aaaa0001", "sentences")]
    assert "c:CONTROL:694403" in {k["key"] for k in state["keys"] if k["article_id"] == "eeee0005"}
    # The document count is found on both (PostgreSQL had dropped the NUL of its old name, so every IDF took N = 1).
    assert {"term": sql.DOCUMENTS, "df": 5} in state["df"]


def test_migration_renames_the_old_document_count(store):
    """SQLite files kept the count as "\x00n", PostgreSQL databases as "n" (the NUL dropped): both become
    DOCUMENTS."""
    from newsledger.store.dialect import POSTGRES, SQLITE
    from newsledger.store.migrations import STEPS
    from newsledger.store.postgres import PostgresStore

    (step,) = [s[2] for s in STEPS if "document count" in s[1]]
    pg = isinstance(store, PostgresStore)
    with store._write() as db:
        db.execute("INSERT INTO story_df (term, df) VALUES (?, 7), ('odesa', 2)", ("n" if pg else "\x00n",))
        step(db, POSTGRES if pg else SQLITE)
    assert store._read("SELECT term, df FROM story_df ORDER BY df") == [{"term": "odesa", "df": 2},
                                                                      {"term": sql.DOCUMENTS, "df": 7}]


def test_place_lookups_fold_case_and_take_other_claims_ids(store):
    _scenario(store)
    db = store._conn()
    assert resolve_place(db, "dddd0004", None, "siversk") == 694403
    assert resolve_place(db, "aaaa0001", None, "ODESA") == 698740
    assert resolve_place(db, "aaaa0001", 1, "Odesa") == 1  # an id of its own wins
    assert sql.claimed_place_id(db, "Siversk") == 694403
    assert sql.claimed_place_id(db, "Nowhere") is None


def test_a_failing_article_is_rolled_back_alone(store):
    """The savepoint undoes one article's writes; the transaction and the rest of the batch go on."""
    store.upsert(_analysis("aaaa0001", "meridian-wire.example", "2025-12-04T08:00:00+02:00", "Drones hit Odesa port",
                           WIRE, places=[_odesa_place(WIRE)]))
    with store._write() as db:
        with pytest.raises(RuntimeError):
            with sql.savepoint(db):
                sql.add_passages(db, "aaaa0001", [(101, 0, 10)])
                raise RuntimeError("boom")
        sql.add_passages(db, "aaaa0001", [(102, 0, 12)])
        assert sql.passage_chars(db, "aaaa0001") == 12
    assert store._read("SELECT hash FROM passage_hashes") == [{"hash": 102}]


def test_contradiction_recorded_once(store):
    _scenario(store)
    db = store._conn()
    a, b = sorted(r["id"] for r in store._read("SELECT id FROM claims WHERE article_id IN ('cccc0003', 'dddd0004')"))
    assert sql.add_contradiction(db, a, b, "control") == 0  # already there
    assert sql.add_contradiction(db, b, a, "control") == 1


def test_untitled_story_is_labelled_alike_on_both_backends(postgres_server, tmp_path):  # noqa: F811
    """With no headline to choose from, the label article is the first member, undated first on both
    (PostgreSQL sorts NULLs last unless told)."""
    labels = []
    for target in (str(tmp_path / "u.db"), postgres_server.new_database()):
        with open_store(target) as st:
            st.upsert(_analysis("aaaa0001", "meridian-wire.example", "2025-12-04T08:00:00+02:00", None, WIRE))
            st.upsert(_analysis("bbbb0002", "valley-post.example", None, None, WIRE + "\n\nMore to follow."))
            counts = stories.update(st, ["aaaa0001", "bbbb0002"])
            assert counts.get("joined") == 1 and not counts.get("failed"), counts
            labels.append(st._read("SELECT label, label_article, size FROM story_clusters"))
    assert labels[0] == labels[1] == [{"label": None, "label_article": "bbbb0002", "size": 2}]


def test_place_names_fold_case_in_every_script(store):
    """SQLite's lower() folds ASCII only; the clusterer folds case itself, so both backends resolve alike."""
    text = "Сили оборони утримують Сіверськ, повідомив штаб."
    i = text.index("Сіверськ")
    store.upsert(_analysis("ffff0006", "kyiv-ledger.example", "2025-12-13T09:00:00+02:00", "Сіверськ", text,
                           claims=[_claim("CONTESTED", "UKR", gid=None, name="СІВЕРСЬК")],
                           places=[Place(text="Сіверськ", start=i, end=i + 8, name="Siversk", geonames_id=694403,
                                         feature="city")]))
    assert resolve_place(store._conn(), "ffff0006", None, "СІВЕРСЬК") == 694403
    assert resolve_place(store._conn(), "ffff0006", None, "сіверськ") == 694403
