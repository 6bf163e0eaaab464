"""Search latency on PostgreSQL against SQLite, on the same synthetic articles, in one run.

    .venv/bin/python benchmarks/search_backends_bench.py            # quick: 5,000 articles
    .venv/bin/python benchmarks/search_backends_bench.py --long     # 100,000 articles

Both stores get the same rows (inserted directly into the articles table; the
SQLite triggers and PostgreSQL's generated column index them), then each query
of a fixed set written in the search language (words, phrases, OR, NOT, prefix,
title:) runs ``--runs`` times through ``Store.search`` (20 hits with snippets)
on each backend, interleaved so machine load hits both alike. Prints p50/p95
per backend and the PostgreSQL/SQLite p95 ratio; goal: ratio <= 1.5. A
throwaway PostgreSQL server is started from the tests' helper (tests/pg.py).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from newsledger.store import open_store  # noqa: E402

QUERIES = ["ceasefire", "heavy fighting", '"heavy fighting"', "drone OR shelling", "talks NOT ceasefire",
           "negot*", "title:front", "(strike OR drone) AND troops", "w0007", "w01*"]
WORDS = ["fighting", "ceasefire", "talks", "drone", "strike", "troops", "heavy", "front", "shelling",
         "negotiations", "harbour", "council"]


def rows(n: int, seed: int = 11):
    rnd = random.Random(seed)
    vocab = [f"w{i:04d}" for i in range(3000)] + WORDS * 40
    for i in range(n):
        body = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(80, 300))) + "."
        title = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(4, 9)))
        day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:00+00:00"
        yield (f"{i:016x}", f"https://outlet{i % 24}.example/{i}", title.capitalize(), body, day, "en",
               f"outlet{i % 24}.example", f"c{i}", f"r{i}", day, day)


def fill(store, n: int) -> float:
    t0 = time.perf_counter()
    sql = ("INSERT INTO articles (id, url, title, text, published, language, source_domain, content_hash, "
           "record_hash, first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    with store._write() as db:  # articles reference their outlet
        db.executemany("INSERT INTO sources (domain) VALUES (?) ON CONFLICT DO NOTHING",
                       [(f"outlet{i}.example",) for i in range(24)])
    batch = []
    for r in rows(n):
        batch.append(r)
        if len(batch) == 1000:
            with store._write() as db:
                db.executemany(sql, batch)
            batch = []
    if batch:
        with store._write() as db:
            db.executemany(sql, batch)
    return time.perf_counter() - t0


def pct(times: list[float], p: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(round(p * (len(s) - 1))))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=None)
    ap.add_argument("--long", action="store_true", help="100,000 articles")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    n = args.articles or (100_000 if args.long else 5_000)
    import pg

    if pg.missing_reason():
        print(f"skipped: {pg.missing_reason()}")
        return 0
    server = pg.start()
    try:
        lite = open_store(Path(tempfile.mkdtemp(prefix="search_backends_")) / "s.db")
        post = open_store(server.new_database())
        fills = {"sqlite": fill(lite, n), "postgresql": fill(post, n)}
        post._conn().raw.execute("VACUUM ANALYZE articles")
        times: dict[str, dict[str, list[float]]] = {"sqlite": {}, "postgresql": {}}
        hits: dict[str, dict[str, int]] = {"sqlite": {}, "postgresql": {}}
        for q in QUERIES:
            for name, store in (("sqlite", lite), ("postgresql", post)):
                hits[name][q] = store.search_count(q)
                store.search(q)  # warm the caches once
            for _ in range(args.runs):
                for name, store in (("sqlite", lite), ("postgresql", post)):
                    t0 = time.perf_counter()
                    store.search(q, limit=20)
                    times[name].setdefault(q, []).append(time.perf_counter() - t0)
        report = {"articles": n, "runs": args.runs, "fill_s": {k: round(v, 1) for k, v in fills.items()}, "queries": {}}
        for q in QUERIES:
            report["queries"][q] = {name: {"hits": hits[name][q], "p50_ms": round(statistics.median(times[name][q]) * 1000, 1),
                                           "p95_ms": round(pct(times[name][q], 0.95), 1)} for name in times}
        overall = {name: pct([t for ts in times[name].values() for t in ts], 0.95) for name in times}
        report["p95_ms"] = {k: round(v, 1) for k, v in overall.items()}
        report["ratio_p95_postgresql_over_sqlite"] = round(overall["postgresql"] / overall["sqlite"], 2)
        print(json.dumps(report, indent=2))
        lite.close()
        post.close()
        return 0
    finally:
        pg.stop(server)


if __name__ == "__main__":
    sys.exit(main())
