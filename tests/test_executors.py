"""Executors: the same answers from in-process, worker-process and Dask runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from newsledger import executors, run
from newsledger.schema import Analysis, Article, BadInput, Origin, RawDocument
from newsledger.store import open_store

from pg import postgres_server  # noqa: F401  (session fixture)

SEED = Path(__file__).parent / "fixtures" / "seed_sputnik.txt"

OUTLETS = [("Northwind Gazette", "northwind-gazette.example"), ("Lakeside Courier", "lakeside-courier.example"),
           ("Tidewater Observer", "tidewater-observer.example")]
PEOPLE = ["Teodor Quill", "Ilse Marrow", "Odile Brand", "Casimir Vantongeren", "Maren Holt", "Jules Arbogast"]
ROLES = ["the regional governor", "a spokesman for the interior ministry", "the harbour master", "the mayor"]
CITIES = ["Odesa", "Kharkiv", "Lyon", "Gdansk", "Porto", "Kaunas", "Bergen", "Tampere"]
EVENTS = [
    "Troops shelled the outskirts of {c1} overnight, {role} said.",
    "Police arrested three protesters outside the town hall in {c1} on Tuesday.",
    "The government of {c1} announced new sanctions against two shipping firms.",
    "Flood water forced the evacuation of about {n} residents from {c1}.",
    "Rebels seized a bridge near {c2} early on Monday, according to {role}.",
]


def fictional_article(i: int) -> str:
    """A small fictional news page in the text-dump format (deterministic per ``i``)."""
    rnd = random.Random(i)
    outlet, domain = OUTLETS[i % len(OUTLETS)]
    person, other = rnd.sample(PEOPLE, 2)
    c1, c2 = rnd.sample(CITIES, 2)
    role = rnd.choice(ROLES)
    day = 1 + i % 27
    events = [e.format(c1=c1, c2=c2, role=role, n=50 + 7 * i) for e in rnd.sample(EVENTS, 3)]
    title = f"{c1}: {events[0].split(',')[0].split(' on ')[0].rstrip('.')}"
    body = [
        events[0],
        f'"We will not leave {c1} until everyone is safe," said {person}, {role}.',
        events[1],
        f"{other} told the {outlet} that the situation in {c2} remained tense, and that talks would resume "
        f"in {c1} on Friday.",
        events[2],
        f"Residents of {c2} said they had heard sirens for {rnd.randint(2, 9)} hours. Article {i} ends here.",
    ]
    return "\n".join([
        f" date 2026-03-{day:02d} https://{domain}/news/{i}-{c1.lower()}",
        title,
        person,
        *body,
        outlet,
        body[0],
        f"2026-03-{day:02d}T{8 + i % 10:02d}:00:00+00:00",
    ]) + "\n"


def write_corpus(folder: Path, n: int, start: int = 0) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        path = folder / f"a{i:06d}.txt"
        path.write_text(fictional_article(i), encoding="utf-8")
        paths.append(str(path))
    return paths


def snapshot(store) -> dict:
    """Everything a user reads back, minus run bookkeeping (times, ids of rows)."""
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("id",)} for r in rows]  # noqa: E731
    articles = store.articles(limit=1000)
    return {
        "articles": sorted((a["id"], a["title"], a["duplicate_of"], a["words"], a["quotes"], a["claims"],
                            a["places"], a["entities"], a["framing"]) for a in articles),
        "analyses": {a["id"]: store.get(a["id"]) for a in articles},
        "quotes": strip(store.quotes(limit=1000)),
        "claims": strip(store.claims(limit=1000)),
        "places": store.places(limit=1000),
        "quarantined": sorted((r["origin_label"], r["reason"]) for r in store.quarantined(limit=1000)),
        "search": [(h.id, h.title) for h in store.search("Odesa", limit=100)],
    }


def stories_snapshot(store) -> list:
    try:
        from newsledger import stories
    except ImportError:
        return []
    stories.update(store, [a.id for a in store.iter_articles()])
    return sorted(sorted(m["id"] for m in (stories.get_story(store, s["id"]) or {}).get("articles", []))
                  for s in stories.list_stories(store, limit=1000))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = write_corpus(folder, 12)
    shutil.copy(SEED, folder / "seed_sputnik.txt")
    (folder / "empty.txt").write_text("")  # quarantined, never fatal
    return paths[:6] + [str(folder / "empty.txt"), str(folder / "seed_sputnik.txt")] + paths[6:]


@pytest.fixture(scope="module")
def analyzer():
    try:
        return run.load_analyzer()
    except run.PipelineError as e:
        pytest.skip(str(e))


@pytest.fixture(scope="module")
def baseline(corpus, analyzer, tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("base") / "news.db") as store:
        summary = run.ingest(corpus, store, batch_size=4)
        return summary.counts(), snapshot(store), stories_snapshot(store)


def counts(summary) -> dict:
    c = summary.counts()
    c.pop("elapsed")
    return c


def test_baseline_is_meaningful(baseline):
    summary, snap, story_sets = baseline
    assert summary["new"] == 13 and summary["quarantined"] == {"empty file": 1}
    assert len(snap["articles"]) == 13
    assert len(snap["quotes"]) >= 13 and len(snap["claims"]) >= 13 and len(snap["places"]) >= 8
    assert not story_sets or len(story_sets) >= 2  # the fictional wires and the seed are different stories


@pytest.mark.parametrize("kind", ["local", "processes", "dask"])
def test_executors_store_the_same_answers(kind, corpus, baseline, tmp_path):
    options = {}
    if kind == "dask":
        pytest.importorskip("distributed", reason="the dask executor needs the scale extra")
        options["processes"] = False  # threads in this process: a cluster in seconds, not a model load per worker
    base_counts, base_snap, base_stories = baseline
    with executors.make_executor(kind, workers=2, **options) as ex, open_store(tmp_path / "news.db") as store:
        summary = run.ingest(corpus, store, batch_size=4, executor=ex)
        got = counts(summary)
        assert got == {k: v for k, v in base_counts.items() if k != "elapsed"}
        assert snapshot(store) == base_snap
        assert stories_snapshot(store) == base_stories
        # a second run finds everything stored unchanged and analyses nothing
        again = run.ingest(corpus, store, batch_size=4, executor=ex)
        assert again.unchanged == 13 and again.new == again.updated == 0


def test_postgres_store_gives_the_same_answers(corpus, baseline, postgres_server):  # noqa: F811
    base_counts, base_snap, _ = baseline
    with open_store(postgres_server.new_database()) as store:
        summary = run.ingest(corpus, store, batch_size=4)
        assert counts(summary) == {k: v for k, v in base_counts.items() if k != "elapsed"}
        snap = snapshot(store)
        # ts_rank and bm25 may order equally relevant hits differently: compare the hit sets
        assert sorted(snap.pop("search")) == sorted(base_snap["search"])
        assert snap == {k: v for k, v in base_snap.items() if k != "search"}


def test_bad_documents_are_quarantined_not_fatal_in_workers(tmp_path):
    docs = [
        RawDocument(origin=Origin(kind="html", path="ok.txt"), format="dump",
                    content=fictional_article(3)),
        BadInput(Origin(kind="html", path="unreadable.bin"), "not a text file"),
        RawDocument(origin=Origin(kind="html", path="weird.pdf"), format="pdf", content=b"%PDF"),  # type: ignore
    ]
    with executors.make_executor("processes", workers=2) as ex:
        (items, analysed), = list(ex.process(docs, batch_size=8, analyze=False))
    assert [type(x).__name__ for x in items] == ["Article", "BadInput", "BadInput"]
    assert items[2].reason == "unknown raw format 'pdf'" and analysed is None


def test_back_pressure_bounds_batches_in_flight():
    seen = []

    def docs():
        for i in range(40):
            seen.append(i)
            yield RawDocument(origin=Origin(kind="html", path=f"{i}.txt"), format="dump",
                              content=fictional_article(i))

    ex = executors.Executor(workers=1, max_in_flight=2)
    out = ex.process(docs(), batch_size=5, analyze=True, select=lambda arts: [])
    first, analysed = next(out)
    assert len(first) == 5 and analysed == []
    assert len(seen) <= 2 * 5 + 1  # two batches submitted, not the whole input
    assert sum(len(b) for b, _ in out) == 35


def test_unknown_executor():
    with pytest.raises(ValueError, match="local, processes, dask"):
        executors.make_executor("threads")


def test_selected_articles_only_are_analysed(monkeypatch):
    calls = []
    monkeypatch.setattr(executors, "analyze_articles", lambda arts: calls.append(len(arts)) or [Analysis(a) for a in arts])
    docs = [RawDocument(origin=Origin(kind="html", path=f"{i}.txt"), format="dump",
                        content=fictional_article(i)) for i in range(4)]
    ex = executors.Executor()
    out = list(ex.process(docs, batch_size=4, select=lambda arts: arts[:1]))
    (items, analysed), = out
    assert calls == [1] and len(analysed) == 1 and isinstance(analysed[0], Analysis)
    assert all(isinstance(x, Article) for x in items)

