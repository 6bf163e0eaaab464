"""Every evaluation against the development sets in ../shared/data (`make eval`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

PLAN = [
    ["extraction_eval.py"],
    ["quotes_eval.py", "--split", "dev"],
    ["places_eval.py", "--split", "dev"],
    ["places_eval.py", "--set", str(HERE / "data" / "places_dev.jsonl")],
    ["claims_eval.py"],
    ["stories_eval.py"],
    ["ner_eval.py", "--split", "heldout"],
    ["ruuk_snippets_eval.py", "--set", "holdout"],
]


def main() -> int:
    failed = []
    for script, *args in PLAN:
        print(f"\n=== {script} {' '.join(args)}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script), *args]) != 0:
            failed.append(script)
    if failed:
        print("\nfailed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
