"""Export rates of every registered export format (``newsledger.exporters``) from a SQLite store.

Stores ``--articles`` fictional analysed articles (tests/test_store.py's
record under new ids), then times ``Store.export`` of articles and quotes in
each format, best of three, in CPU seconds (``time.process_time``: a loaded
shared machine does not distort them), and prints rows per CPU second.

Usage: ``python benchmarks/export_bench.py [--articles N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from test_store import make_analysis  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    args = ap.parse_args()
    from newsledger import exporters
    from newsledger.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "news.db"
        base = make_analysis().article.text
        with open_store(db) as store:
            items = [make_analysis(id=f"{i:016x}", url=f"https://northwind-gazette.example/n/{i}",
                                   text=f"Story {i}. {base}") for i in range(args.articles)]
            for i in range(0, len(items), 32):
                store.upsert_many(items[i:i + 32])
            print(f"{'format':8} {'kind':9} {'rows':>6} {'cpu s':>7} {'rows/s':>9}")
            for fmt in exporters.names():
                for kind in ("articles", "quotes"):
                    best = float("inf")
                    for _ in range(3):
                        t = time.process_time()
                        n = store.export(fmt, Path(tmp) / f"out.{fmt}", kind=kind)
                        best = min(best, time.process_time() - t)
                    print(f"{fmt:8} {kind:9} {n:6d} {best:7.3f} {n / best if best else float('inf'):9.0f}")


if __name__ == "__main__":
    main()
