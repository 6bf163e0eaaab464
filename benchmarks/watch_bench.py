"""Watcher benchmark: N local feed sources polled for a simulated day.

The feeds are served by a ThreadingHTTPServer in a child process (so the CPU
and memory measured are the watcher's alone); simulated time is shared with it,
and each source publishes a story every ``--publish-every`` simulated hours, so
most polls are answered 304 (conditional GET) and some bring new items, which
are fetched, extracted and stored (``--no-analyze``: the analyzer's cost is the
pipeline's, measured by the ingest benchmarks).

    python benchmarks/watch_bench.py --quick          # 200 sources, 3 simulated hours
    python benchmarks/watch_bench.py                  # 200 sources, 24 simulated hours

Prints JSON: polls, polls per wall-clock minute, CPU ms per poll, articles,
peak RSS after the first simulated hour and at the end, and their ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z, simulated
WORDS = ("quay", "ferry", "pier", "tide", "market", "beacon", "lock", "canal", "silo", "crane", "net", "salt",
         "storm", "harbour", "dock", "rope", "buoy", "hull", "keel", "mast", "sail", "oar", "reef", "cove")


def page(source: int, n: int) -> bytes:
    seed = int(hashlib.sha1(f"{source}-{n}".encode()).hexdigest(), 16)
    words = [WORDS[(seed >> (4 * i)) % len(WORDS)] for i in range(60)]
    paras = "".join(f"<p>Report {n} of desk {source}: {' '.join(words[i:i + 20])} said the warden on day "
                    f"{seed % 365 + i}.</p>" for i in range(0, 60, 10))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Desk {source} report {n}</title></head>"
            f"<body><article><h1>Desk {source} report {n}</h1>{paras}</article></body></html>").encode()


def serve(port_out, sim_time, publish_every: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = self.path.strip("/").split("/")
            if parts == ["robots.txt"]:
                return self._send(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
            if len(parts) == 2 and parts[0] == "feed":
                src = int(parts[1].removesuffix(".xml"))
                # source i publishes story n at START + n*publish_every + offset(i)
                offset = (src * 397) % publish_every
                latest = int((sim_time.value - START - offset) // publish_every)
                items = "".join(f"<item><title>Report {n}</title><link>http://{self.headers['Host']}/story/{src}/{n}"
                                f"</link><guid>s{src}-{n}</guid></item>" for n in range(latest, max(latest - 10, -1), -1))
                body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Desk {src}</title>{items}" \
                       "</channel></rss>"
                body = body.encode()
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, {"ETag": etag}, b"")
                return self._send(200, {"Content-Type": "application/rss+xml", "ETag": etag,
                                        "Last-Modified": formatdate(usegmt=True)}, body)
            if len(parts) == 3 and parts[0] == "story":
                return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, page(int(parts[1]), int(parts[2])))
            self._send(404, {}, b"")

        def _send(self, status, headers, body):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port_out.put(httpd.server_address[1])
    httpd.serve_forever()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 simulated hours instead of 24")
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--hours", type=float, default=None)
    ap.add_argument("--every", default="15m", help="poll interval of each source")
    ap.add_argument("--publish-every", type=float, default=3.0, help="simulated hours between a source's stories")
    ap.add_argument("--db", default=None, help="database (default: a temporary SQLite file)")
    args = ap.parse_args()
    hours = args.hours or (3.0 if args.quick else 24.0)

    from newsledger.ingest.fetch import FetchOptions
    from newsledger.store import open_store
    from newsledger.store.watch import WatchStore
    from newsledger.watch import sources
    from newsledger.watch.health import iso, report
    from newsledger.watch.scheduler import FakeClock, Watcher, WatchOptions

    ctx = mp.get_context("fork")
    sim_time = ctx.Value("d", START)
    port_q = ctx.Queue()
    server = ctx.Process(target=serve, args=(port_q, sim_time, args.publish_every * 3600), daemon=True)
    server.start()
    port = port_q.get(timeout=30)

    class SharedClock(FakeClock):
        """The simulated clock, also read by the feed server."""

        def sleep(self, seconds, stop=None):
            super().sleep(seconds, stop)
            sim_time.value = self.t

        def advance(self, seconds):
            super().advance(seconds)
            sim_time.value = self.t

    clock = SharedClock(START)
    tmp = tempfile.mkdtemp(prefix="watch-bench-")
    db = args.db or os.path.join(tmp, "watch.db")
    store = open_store(db)
    ws = WatchStore(store)
    for i in range(args.sources):
        sources.add(ws, f"http://127.0.0.1:{port}/feed/{i}.xml", every=args.every, now=iso(START))
    options = WatchOptions(fetch=FetchOptions(allow_private=True, min_interval=0, timeout=10, follow_links=True),
                           analyze=False, host_gap=1.0, seed=1)
    marks: dict[str, float] = {}
    polls = {"n": 0}

    def on_round(rnd) -> None:
        polls["n"] += rnd.polled
        if "hour1" not in marks and clock.now() >= START + 3600:
            marks["hour1"] = rss_mb()
            marks["polls_hour1"] = polls["n"]

    cpu0, wall0 = time.process_time(), time.perf_counter()
    with Watcher(store, options, clock=clock) as w:
        total = w.run_forever(until=START + hours * 3600, on_round=on_round)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    end_rss = rss_mb()
    statuses: dict[str, int] = {}
    for h in report(ws.sources(), clock.now()):
        statuses[h["status"]] = statuses.get(h["status"], 0) + 1
    articles = store._read("SELECT count(*) AS n FROM articles")[0]["n"]
    store.close()
    server.terminate()
    out = {
        "sources": args.sources, "simulated_hours": hours, "poll_every": args.every,
        "polls": total.polled, "not_modified": total.not_modified, "failed": total.failed, "new_articles": total.new,
        "articles_stored": articles, "wall_s": round(wall, 1),
        "polls_per_minute": round(total.polled / wall * 60, 1),
        "cpu_ms_per_poll": round(cpu / max(total.polled, 1) * 1000, 2),
        "peak_rss_mb_after_hour1": round(marks.get("hour1", end_rss), 1), "peak_rss_mb_end": round(end_rss, 1),
        "rss_ratio_end_to_hour1": round(end_rss / marks.get("hour1", end_rss), 3),
        "statuses": statuses,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
