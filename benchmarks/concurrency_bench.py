"""Concurrency: 20 API clients query while another process writes to the same database.

    .venv/bin/python benchmarks/concurrency_bench.py                   # 60 s, 20 clients
    .venv/bin/python benchmarks/concurrency_bench.py --writer ingest   # real `newsledger ingest` runs as the writer

The API (uvicorn on a loopback port) serves a database while a separate
process writes to it: by default a writer that stores fictional analysed
articles and re-analyses stored ones with different annotation counts (each
article's title says how many quotes and claims it carries, so every answer
can be checked); with ``--writer ingest`` the real pipeline ingests
fictional pages again and again (``--force``). Client threads (httpx) hit
search, article detail, quotes, claims and timeline. Printed: requests,
errors, inconsistent answers, p50/p95 latency (ms), writes done.

tests/test_concurrency.py runs this script's functions for ~10 s.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
TITLE = re.compile(r"q=(\d+) c=(\d+)$")
PLACES = ["Bergen", "Tartu", "Gdansk", "Porto", "Cork"]


def fake_analysis(i: int, version: int):
    """Article ``i`` as analysed the ``version``-th time: the counts change with the version."""
    from newsledger.schema import Actor, Analysis, Article, Claim, ClaimPlace, Quote, Source

    rng = random.Random(i * 7919 + version)
    nq, nc = rng.randint(0, 6), rng.randint(0, 4)
    place = PLACES[i % len(PLACES)]
    text = (f"The ferry to {place} ran again on day {version}. "
            + " ".join(f'"Crossing {k} was calm," said captain Mara Quill.' for k in range(nq)))
    art = Article(
        id=f"{i:040x}", url=f"https://northwind-gazette.example/ferry/{i}", title=f"Ferry {i} v{version} q={nq} c={nc}",
        text=text, published=f"2025-03-{1 + i % 28:02d}T09:00:00+00:00", language="en",
        source=Source(domain="northwind-gazette.example", name="Northwind Gazette"),
    )
    quotes = [Quote(f"Crossing {k} was calm,", "direct", 0, 10, speaker="Mara Quill") for k in range(nq)]
    claims = [Claim("MOVE", 0, 20, f"The ferry to {place} ran again.", actor=Actor("Northwind Ferries"),
                    place=ClaimPlace(place, name=place), date=f"2025-03-{1 + k:02d}") for k in range(nc)]
    return Analysis(art, quotes=quotes, claims=claims)


def write_fake(db: str, seconds: float, start: int, articles: int) -> int:
    """Store new articles and re-analyse stored ones for ``seconds``; returns batches written."""
    from newsledger.store import open_store

    rng = random.Random(start)
    versions: Counter = Counter()
    batches = 0
    next_new = start
    deadline = time.monotonic() + seconds
    with open_store(db) as store:
        while time.monotonic() < deadline:
            batch = []
            for _ in range(4):
                if next_new < articles and rng.random() < 0.5:
                    i, next_new = next_new, next_new + 1
                else:
                    i = rng.randrange(0, next_new)
                versions[i] += 1
                batch.append(fake_analysis(i, versions[i] + 1000 * start))
            store.upsert_many(batch)
            batches += 1
    return batches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The API for ``db`` on a loopback port, in a background thread."""

    def __init__(self, db: str):
        import uvicorn

        from newsledger.api.app import create_app

        self.port = _free_port()
        config = uvicorn.Config(create_app(db), host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _check_detail(body: dict[str, Any]) -> Optional[str]:
    m = TITLE.search(body.get("title") or "")
    if not m:
        return None
    want = (int(m.group(1)), int(m.group(2)))
    got = (len(body.get("quotes") or []), len(body.get("claims") or []))
    return None if want == got else f"{body['title']}: {got[0]} quotes, {got[1]} claims"


def _requests(rng: random.Random, ids: int) -> tuple[str, str]:
    kind = rng.choice(["search", "detail", "detail", "quotes", "claims", "timeline"])
    if kind == "search":
        return kind, f"/api/articles?q=ferry+{rng.choice(PLACES)}&limit=20"
    if kind == "detail":
        return kind, f"/api/articles/{rng.randrange(ids):040x}"
    if kind == "quotes":
        return kind, f"/api/quotes?speaker=Mara+Quill&limit=50&offset={rng.randrange(0, 200)}"
    if kind == "claims":
        return kind, f"/api/claims?place={rng.choice(PLACES)}&limit=50"
    return kind, "/api/timeline?q=ferry"


def load(base: str, seconds: float, clients: int, ids: int, check: bool = True) -> dict[str, Any]:
    """``clients`` threads query ``base`` for ``seconds``; detail answers are checked when ``check``."""
    import httpx

    lock = threading.Lock()
    latencies: list[float] = []
    per_kind: Counter = Counter()
    statuses: Counter = Counter()
    errors: list[str] = []
    inconsistent: list[str] = []
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < deadline:
                kind, path = _requests(rng, ids)
                t0 = time.perf_counter()
                try:
                    r = http.get(path)
                    status, body = r.status_code, (r.json() if r.headers.get("content-type", "").startswith(
                        ("application/json", "application/geo+json")) else r.text)
                except Exception as e:  # a dropped connection counts as an error, not a crash
                    status, body = 0, f"{type(e).__name__}: {e}"
                dt = time.perf_counter() - t0
                problem = None
                if check and kind == "detail" and status == 200:
                    problem = _check_detail(body)
                with lock:
                    latencies.append(dt)
                    per_kind[kind] += 1
                    statuses[status] += 1
                    # 404: a detail request for an article the writer has not stored yet
                    if status not in (200, 404) or (status == 404 and kind != "detail"):
                        errors.append(f"{status} {path}: {str(body)[:200]}")
                    if problem:
                        inconsistent.append(problem)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else 0.0

    return {"requests": len(latencies), "per_kind": dict(per_kind), "statuses": dict(statuses),
            "errors": len(errors), "error_samples": errors[:5], "locked": sum("locked" in e for e in errors),
            "inconsistent": len(inconsistent), "inconsistent_samples": inconsistent[:5],
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "max_ms": pct(1.0)}


def run(db: str, seconds: float, clients: int, articles: int, writer: str = "fake",
        pages: Optional[str] = None) -> dict[str, Any]:
    """Seed ``db``, then load the API while a writer process writes; returns the figures."""
    from newsledger.store import open_store

    with open_store(db) as store:
        store.upsert_many([fake_analysis(i, 0) for i in range(min(20, articles))])
    with Server(db) as server:
        if writer == "fake":
            cmd = [sys.executable, str(Path(__file__).resolve()), "--write-fake", db, str(seconds), "20",
                   str(articles)]
        else:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--write-ingest", db, str(seconds), pages or ""]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        figures = load(server.url, seconds, clients, articles, check=writer == "fake")
        out, err = proc.communicate(timeout=seconds + 600)
    figures["writer_rc"] = proc.returncode
    figures["writes"] = json.loads(out) if proc.returncode == 0 and out.strip() else err[-500:]
    return figures


def _write_ingest(db: str, seconds: float, pages: str) -> dict[str, Any]:
    """Real ingests of ``pages`` (re-analysed each round) until ``seconds`` have passed."""
    rounds, stored = 0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = subprocess.run([sys.executable, "-m", "newsledger.cli.main", "ingest", pages, "--db", db, "--force",
                               "--batch-size", "4", "--json"], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-500:])
        summary = json.loads(done.stdout)
        rounds += 1
        stored += summary["new"] + summary["updated"]
    return {"ingest_rounds": rounds, "articles_written": stored}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--write-fake":
        db, seconds, start, articles = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps({"batches_written": write_fake(db, seconds, start, articles)}))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--write-ingest":
        print(json.dumps(_write_ingest(sys.argv[2], float(sys.argv[3]), sys.argv[4])))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--writer", choices=["fake", "ingest"], default="fake")
    ap.add_argument("--pages", type=int, default=30, help="fictional pages per ingest round (--writer ingest)")
    args = ap.parse_args()
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="concurrency_bench_"))
    pages = None
    if args.writer == "ingest":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from kill_run import make_pages

        pages = make_pages(work / "pages", args.pages)[0]
    figures = run(str(work / "bench.db"), args.seconds, args.clients, args.articles, args.writer, pages)
    print(json.dumps({"seconds": args.seconds, "clients": args.clients, "writer": args.writer, **figures}, indent=2))
    sys.exit(0 if figures["errors"] == figures["inconsistent"] == 0 and figures["writer_rc"] == 0 else 1)


if __name__ == "__main__":
    main()
