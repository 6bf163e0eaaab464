"""Run every benchmark in its quick mode, one after another (`make bench`).

Each script prints its own table; pass ``--long`` for the full sizes the
closing notes quote (10k-100k articles, 60 s of load, 20 kills: hours here).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUICK = [
    ["extract_bench.py", "--pages", "500"],
    ["gazetteer_bench.py"],
    ["throughput_bench.py", "--quick"],
    ["store_bench.py", "--quick"],
    ["export_bench.py"],
    ["search_bench.py", "--articles", "20000", "--runs", "5"],
    ["search_backends_bench.py"],
    ["cluster_bench.py", "--max", "3000"],
    ["fuzz_run.py", "--n", "1000"],
    ["kill_run.py", "--kills", "5", "--no-analyze"],
    ["concurrency_bench.py", "--seconds", "15"],
    ["watch_bench.py", "--quick"],
]
LONG = [
    ["extract_bench.py", "--pages", "10000"],
    ["gazetteer_bench.py"],
    ["throughput_bench.py", "--rss", "100000"],
    ["store_bench.py"],
    ["export_bench.py", "--articles", "20000"],
    ["search_bench.py", "--articles", "100000"],
    ["search_backends_bench.py", "--long"],
    ["cluster_bench.py", "--max", "100000"],
    ["fuzz_run.py", "--n", "10000"],
    ["kill_run.py", "--kills", "20"],
    ["concurrency_bench.py", "--seconds", "60", "--clients", "20"],
    ["watch_bench.py"],
]


def main() -> int:
    plan = LONG if "--long" in sys.argv[1:] else QUICK
    failed = []
    for script, *args in plan:
        print(f"\n=== {script} {' '.join(args)}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script), *args]) != 0:
            failed.append(script)
    if failed:
        print("\nfailed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
