"""Exact and near-duplicate detection across outlets and runs."""

from __future__ import annotations

import random

import pytest

from newsledger.schema import Article, Source
from newsledger.store import open_store
from newsledger.store.dedup import THRESHOLD, signature, similarity

VOCAB = (
    "harbour council ferry storm quay breakwater mayor fishermen tide lantern market bridge ledger river "
    "north south engineers repairs budget vote morning evening residents captain cargo winter spring "
    "inspection contract timber stone lighthouse pier cranes workers union schedule delay weather report "
    "committee funding island road tunnel station signal beacon ropes nets harbourmaster dredging"
).split()


def story(seed: int, words: int = 400) -> str:
    """A long fictional body; different seeds share no 5-word runs in practice."""
    rng = random.Random(seed)
    sentences, count = [], 0
    while count < words:
        n = rng.randint(8, 16)
        sentences.append(" ".join(rng.choice(VOCAB) for _ in range(n)).capitalize() + ".")
        count += n
    return " ".join(sentences)


def tweak(text: str, changes: int) -> str:
    """Replace a few words spread through the text, as a reprint's editor would."""
    words = text.split(" ")
    step = len(words) // (changes + 1)
    for i in range(1, changes + 1):
        words[i * step] = "Allory"
    return " ".join(words)


def art(id: str, text: str, domain: str, published: str | None = "2026-03-02T08:00:00+00:00") -> Article:
    return Article(id=id, url=f"https://{domain}/{id}", title=f"Harbour story {id}", published=published,
                   text=text, source=Source(name=domain.split(".")[0].title(), domain=domain))


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "dedup.db")
    yield s
    s.close()


def meta(store, id):
    m = store.article_meta(id)
    return m["duplicate_of"], m["similarity"]


def test_exact_copy_points_at_the_original(store):
    body = story(1)
    assert store.upsert(art("0000000000000001", body, "northwind-gazette.example")) == "new"
    copy = art("0000000000000002", body, "lakeside-courier.example", published="2026-03-02T12:00:00+00:00")
    assert store.upsert(copy) == "duplicate"
    assert meta(store, "0000000000000002") == ("0000000000000001", 1.0)
    assert meta(store, "0000000000000001") == (None, None)
    assert store.article_meta("0000000000000001")["copies"] == ["0000000000000002"]
    assert store.stats()["duplicates"] == 1


def test_near_copy_is_a_duplicate_and_unrelated_is_not(store):
    body = story(2)
    near = tweak(body, 3)
    assert signature(body) is not None and similarity(signature(body), signature(near)) >= THRESHOLD
    store.upsert(art("0000000000000001", body, "northwind-gazette.example"))
    assert store.upsert(art("0000000000000002", near, "lakeside-courier.example",
                            published="2026-03-03T08:00:00+00:00")) == "duplicate"
    dup_of, sim = meta(store, "0000000000000002")
    assert dup_of == "0000000000000001" and THRESHOLD <= sim < 1.0
    assert store.upsert(art("0000000000000003", story(3), "harbour-times.example")) == "new"
    assert meta(store, "0000000000000003") == (None, None)


def test_heavily_rewritten_text_is_not_a_duplicate(store):
    body = story(4)
    store.upsert(art("0000000000000001", body, "northwind-gazette.example"))
    rewrite = tweak(body, 60)  # a changed word every few words breaks most 5-word shingles
    assert store.upsert(art("0000000000000002", rewrite, "lakeside-courier.example")) == "new"


def test_earliest_published_copy_becomes_the_root(store):
    body = story(5)
    store.upsert(art("000000000000000b", body, "lakeside-courier.example", published="2026-03-05T08:00:00+00:00"))
    store.upsert(art("000000000000000c", tweak(body, 2), "harbour-times.example",
                     published="2026-03-06T08:00:00+00:00"))
    # the original arrives last but was published first: everything now points at it
    assert store.upsert(art("000000000000000a", body, "northwind-gazette.example",
                            published="2026-03-01T08:00:00+00:00")) == "duplicate"
    assert meta(store, "000000000000000a") == (None, None)
    assert meta(store, "000000000000000b") == ("000000000000000a", 1.0)
    dup_of, sim = meta(store, "000000000000000c")
    assert dup_of == "000000000000000a" and THRESHOLD <= sim < 1.0


def test_undated_copy_does_not_displace_a_dated_original(store):
    body = story(6)
    store.upsert(art("0000000000000001", body, "northwind-gazette.example"))
    store.upsert(art("0000000000000002", body, "scraper.example", published=None))
    assert meta(store, "0000000000000002")[0] == "0000000000000001"


def test_duplicates_are_found_across_runs(tmp_path):
    body = story(7)
    with open_store(tmp_path / "runs.db") as s:
        s.upsert(art("0000000000000001", body, "northwind-gazette.example"))
    with open_store(tmp_path / "runs.db") as s:
        assert s.upsert(art("0000000000000002", tweak(body, 2), "lakeside-courier.example",
                            published="2026-04-01T00:00:00+00:00")) == "duplicate"
        assert s.article_meta("0000000000000002")["duplicate_of"] == "0000000000000001"


def test_short_bodies_are_never_duplicates(store):
    stub = "Photo: the harbour at dawn."
    store.upsert(art("0000000000000001", stub, "northwind-gazette.example"))
    assert store.upsert(art("0000000000000002", stub, "lakeside-courier.example")) == "new"
    assert signature(stub) is None


def test_changed_body_leaves_its_cluster(store):
    body = story(8)
    store.upsert(art("0000000000000001", body, "northwind-gazette.example"))
    store.upsert(art("0000000000000002", body, "lakeside-courier.example", published="2026-03-09T00:00:00+00:00"))
    assert store.upsert(art("0000000000000002", story(9), "lakeside-courier.example",
                            published="2026-03-09T00:00:00+00:00")) == "updated"
    assert meta(store, "0000000000000002") == (None, None)
