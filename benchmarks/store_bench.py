"""Insert and read rates of the SQLite and PostgreSQL stores on the same analyses.

Analyses are built once (fictional articles run through the analyzer, then
copied under new ids and URLs with a few words changed, so every insert is a
new, non-duplicate article with real annotations) and stored with
``upsert_many`` in batches of 32, as ``ingest`` does. PostgreSQL is a throwaway
local server (tests/pg.py) with fsync off, so its numbers are the SQL work,
not the disk; SQLite runs with its usual settings (WAL, synchronous=NORMAL).

Usage: ``python benchmarks/store_bench.py [--articles N] [--quick]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import pg  # noqa: E402
from test_executors import write_corpus  # noqa: E402

BATCH = 32


def analyses(tmp: Path, n: int) -> list:
    from newsledger import run

    templates = [a for a in run.analyze_only(write_corpus(tmp / "corpus", 24)) if not hasattr(a, "reason")]
    rnd = random.Random(7)
    words = "harbour ferry council storm bridge river budget coast station winter".split()
    out = []
    for i in range(n):
        t = templates[i % len(templates)]
        # a different tail per copy: the body must not be a near-duplicate of another
        extra = " ".join(rnd.choice(words) for _ in range(60))
        art = dataclasses.replace(t.article, id=f"{i:016x}", url=f"{t.article.url}/{i}", canonical_url=None,
                                  text=t.article.text + "\n\n" + extra)
        out.append(dataclasses.replace(t, article=art))
    return out


def bench(store, items: list) -> dict[str, float]:
    t = time.perf_counter()
    for i in range(0, len(items), BATCH):
        store.upsert_many(items[i: i + BATCH])
    insert = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, len(items), BATCH):
        store.upsert_many(items[i: i + BATCH])
    unchanged = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(20):
        store.search("harbour", limit=20)
        store.claims(limit=50)
    reads = (time.perf_counter() - t) / 20
    return {"insert": len(items) / insert, "unchanged": len(items) / unchanged, "reads_ms": reads * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--quick", action="store_true", help="300 articles")
    args = ap.parse_args()
    n = 300 if args.quick else args.articles
    from newsledger.store import open_store

    with tempfile.TemporaryDirectory(prefix="nl-store-") as d:
        tmp = Path(d)
        items = analyses(tmp, n)
        results = {}
        with open_store(tmp / "bench.db") as store:
            results["SQLite"] = bench(store, items)
        reason = pg.missing_reason()
        if reason:
            print(f"PostgreSQL skipped: {reason}")
        else:
            server = pg.start()
            try:
                with open_store(server.new_database()) as store:
                    results["PostgreSQL"] = bench(store, items)
            finally:
                pg.stop(server)
    print(f"\n{n} analysed articles, upsert_many in batches of {BATCH}")
    print(f"  {'store':<12} {'new art/s':>10} {'unchanged art/s':>16} {'search+claims ms':>17}")
    for name, r in results.items():
        print(f"  {name:<12} {r['insert']:>10.0f} {r['unchanged']:>16.0f} {r['reads_ms']:>17.1f}")


if __name__ == "__main__":
    main()
