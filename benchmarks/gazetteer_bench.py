"""Gazetteer cost: cold load in a fresh process, memory, lookup throughput.

    .venv/bin/python benchmarks/gazetteer_bench.py [--lookups 20000]

The index is built first if missing (that one-off build is timed separately).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

_CHILD = r"""
import json, time
def rss_kb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
r0 = rss_kb()
t0 = time.perf_counter()
from newsledger.analyze.gazetteer import get_gazetteer
g = get_gazetteer()
g.lookup("Kyiv")
t1 = time.perf_counter()
print(json.dumps({"cold_load_s": t1 - t0, "rss_delta_mb": (rss_kb() - r0) / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lookups", type=int, default=20000)
    args = ap.parse_args()

    from newsledger.analyze.gazetteer import Gazetteer, index_path

    res: dict[str, float] = {}
    if not index_path().exists():
        t0 = time.perf_counter()
        from newsledger.analyze.gazetteer import build_index

        build_index()
        res["build_s"] = time.perf_counter() - t0
    res["index_mb"] = index_path().stat().st_size / 2**20

    child = json.loads(subprocess.run([sys.executable, "-c", _CHILD], check=True, capture_output=True,
                                      text=True).stdout)
    res.update(child)

    g = Gazetteer()
    res.update(g.stats())
    con = g._con()
    n_names = con.execute("SELECT count(*) FROM names").fetchone()[0]
    rng = random.Random(7)
    picks = sorted(rng.sample(range(n_names), min(args.lookups // 2, n_names)))
    keys = [con.execute("SELECT key FROM names LIMIT 1 OFFSET ?", (i,)).fetchone()[0] for i in picks[:2000]]
    names = [k.title() for k in keys] + [f"Nowhere{i}ville" for i in range(len(keys))]  # hits and misses
    rng.shuffle(names)
    t0 = time.perf_counter()
    for nm in names:
        g.lookup(nm)
    res["lookups_per_s_uncached"] = len(names) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    reps = max(1, args.lookups // len(names))
    for _ in range(reps):
        for nm in names:
            g.lookup(nm)
    res["lookups_per_s_cached"] = reps * len(names) / (time.perf_counter() - t0)

    from newsledger.analyze.places import PlaceResolver

    text = ("Officials in Kiev said shelling near Seversk and Bakhmut continued, while talks in Paris, Texas, "
            "and in Geneva stalled. The Northwind Gazette reported fresh fighting in the Donbass region. ") * 4
    resolver = PlaceResolver(g)
    resolver(text)
    t0 = time.perf_counter()
    for _ in range(50):
        resolver(text)
    res["places_ms_per_article_no_spacy"] = (time.perf_counter() - t0) / 50 * 1000
    for k, v in res.items():
        print(f"{k:32s} {v:.3f}" if isinstance(v, float) else f"{k:32s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
