"""Hostile input through the real ingest path, at volume.

Generates ``--n`` inputs with ``tests/hostile.py`` (bad inputs of every kind,
with a good fictional page every ``--good-every`` inputs and, unless
``--costly 0``, a few 50 MB pages, 10,000-deep nestings and 4 MB attributes),
writes each to its own file and runs ``newsledger.run.ingest`` over all of
them in one run, into a temporary SQLite store.

Reports inputs, crashes (exceptions that escaped ``ingest`` plus records the
safety nets caught: "unexpected error", "extractor failed", "analysis
failed"), hangs (records past ``--hang-after`` seconds, interrupted by a
timer), quarantine counts by reason, good pages stored, the largest CPU time
one record took and peak RSS. Then checks that every bad input was
quarantined with its expected reason and every good page was stored; exits 1
when any check fails.

A "record" is one item the reader yields (a page or a bad input), timed
from the request for it to its extraction; with ``--analyze`` the analysis
time of each batch is shared out over its articles.

Usage: ``python benchmarks/fuzz_run.py [--n 10000] [--analyze] [--good-every 5] [--costly 3]``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import resource
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import hostile  # noqa: E402

from newsledger import run  # noqa: E402
from newsledger.ingest import FetchOptions  # noqa: E402
from newsledger.schema import BadInput, Origin, RawDocument  # noqa: E402
from newsledger.store import open_store  # noqa: E402

SAFETY_NET = ("unexpected error", "extractor failed", "analysis failed")
_DIGITS = re.compile(r"\d[\d,]*")


class RecordTimeout(Exception):
    """Raised by the timer inside a record that runs too long; an Exception
    (not BaseException) so the pipeline's own nets quarantine the record and
    the run goes on."""


def build_cases(n: int, good_every: int, costly: int) -> list[hostile.Case]:
    cases = []
    costly_at = {n * (k + 1) // (costly + 1) for k in range(costly)}
    for i in range(n):
        if i in costly_at:
            gen = hostile.COSTLY[len(cases) % len(hostile.COSTLY)]
        elif good_every and i % good_every == 0:
            gen = hostile.good_case
        else:
            gen = hostile.GENERATORS[i % len(hostile.GENERATORS)]
        cases.append(gen(i))
    return cases


class Timer:
    """Times each record and interrupts one that passes ``hang_after`` seconds."""

    def __init__(self, hang_after: float):
        self.hang_after = hang_after
        self.max_cpu = 0.0
        self.max_label = ""
        self.records = 0
        signal.signal(signal.SIGALRM, self._alarm)

    def _alarm(self, *_):
        raise RecordTimeout(f"record ran past {self.hang_after:.0f} s")

    def _note(self, cpu: float, label: str) -> None:
        if cpu > self.max_cpu:
            self.max_cpu, self.max_label = cpu, label

    def wrap_extract_only(self, original):
        def timed(inputs, **kw):
            it = original(inputs, **kw)
            while True:
                started = time.process_time()
                signal.setitimer(signal.ITIMER_REAL, self.hang_after)
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                self.records += 1
                origin = item.origin if isinstance(item, BadInput) else item.provenance.origin
                self._note(time.process_time() - started, origin.label() if origin else "?")
                yield item
        return timed

    def wrap_analyze_batch(self, original):
        def timed(analyzer, articles):
            started = time.process_time()
            signal.setitimer(signal.ITIMER_REAL, self.hang_after * max(1, len(articles)))
            try:
                return original(analyzer, articles)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                if articles:
                    self._note((time.process_time() - started) / len(articles), f"analysis of {len(articles)}")
        return timed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="inputs to generate (default 10000)")
    ap.add_argument("--analyze", action="store_true", help="analyse the articles too (slow: spaCy)")
    ap.add_argument("--good-every", type=int, default=5, help="one good page every N inputs (0: none)")
    ap.add_argument("--costly", type=int, default=3, help="50 MB / deep / huge-attribute inputs to include")
    ap.add_argument("--hang-after", type=float, default=60.0, help="seconds after which a record counts as hung")
    ap.add_argument("--keep", metavar="DB", help="write the store here instead of a temporary file")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # warcio and trafilatura complain about every damaged input

    cases = build_cases(args.n, args.good_every, args.costly)
    # Import the extractors' libraries now, so the first record's time is its own.
    url, page = hostile.good_html(0)
    run.extract_one(RawDocument(Origin("html", "warm-up"), "html", page, url=url))
    timer = Timer(args.hang_after)
    run.extract_only = timer.wrap_extract_only(run.extract_only)
    run.analyze_batch = timer.wrap_analyze_batch(run.analyze_batch)

    with tempfile.TemporaryDirectory(prefix="fuzz-run-") as tmp:
        paths = []
        for n, case in enumerate(cases):
            path = Path(tmp) / f"{n:05d}-{case.name}"
            path.write_bytes(case.data)
            paths.append(str(path))
        db = args.keep or str(Path(tmp) / "fuzz.db")
        store = open_store(db)
        uncaught = []
        # Feed items name their pages' URLs; fetching them would leave this machine.
        offline = FetchOptions(follow_links=False)
        started = time.monotonic()
        try:
            # warcio prints a warning per damaged record straight to stderr
            with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
                summary = run.ingest(paths, store, analyze=args.analyze, fetch_options=offline)
        except Exception as e:  # the whole point: this must never happen
            uncaught.append(f"{type(e).__name__}: {e}")
            summary = None
        wall = time.monotonic() - started
        report = check(cases, paths, db)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    hangs = sum(n for r, n in report["reasons"].items() if "RecordTimeout" in r)
    net = sum(n for r, n in report["reasons"].items() if r.startswith(SAFETY_NET) and "RecordTimeout" not in r)
    bad_cases = sum(c.reason is not None for c in cases)
    rows = [
        ("inputs (files)", f"{len(cases):,}"),
        ("  of which bad or hostile", f"{sum(c.kind != 'good' for c in cases):,}"),
        ("  with an expected quarantine reason", f"{bad_cases:,}"),
        ("records read", f"{timer.records:,}"),
        ("crashes: exceptions out of ingest", f"{len(uncaught)}"),
        ("crashes: caught by a safety net", f"{net}"),
        ("hangs (> %.0f s)" % args.hang_after, f"{hangs}"),
        ("quarantined", f"{sum(report['reasons'].values()):,}"),
        ("good pages expected / stored", f"{report['good_expected']:,} / {report['good_expected'] - len(report['missing_good']):,}"),
        ("articles stored", f"{report['articles']:,}"),
        ("bad inputs without their reason", f"{len(report['missing_reason'])}"),
        ("max CPU per record", f"{timer.max_cpu:.2f} s ({timer.max_label[-60:]})"),
        ("wall time", f"{wall:.0f} s ({args.n / wall:.0f} inputs/s)" if wall else "-"),
        ("peak RSS", f"{peak_mb:.0f} MB"),
        ("analysis", "on" if args.analyze else "off"),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in rows))
    print("\nquarantined by reason (numbers and details after a second ':' folded)")
    grouped = Counter()
    for reason, n in report["reasons"].items():
        grouped[_DIGITS.sub("N", ": ".join(reason.split(": ")[:2]))[:70]] += n
    for reason, n in grouped.most_common():
        print(f"  {n:>7,}  {reason}")
    for what, items in (("uncaught", uncaught), ("missing reason", report["missing_reason"]),
                        ("good page not stored", report["missing_good"])):
        for item in items[:10]:
            print(f"FAIL {what}: {item}")
    if summary is not None and summary.status != "ok":
        print(f"FAIL run status {summary.status}")
    failed = uncaught or net or hangs or report["missing_reason"] or report["missing_good"]
    print("\nOK" if not failed else "\nFAILED")
    return 1 if failed else 0


def check(cases: list[hostile.Case], paths: list[str], db: str) -> dict:
    """Compare the store with what each case says must happen to it."""
    con = sqlite3.connect(db)
    reasons_by_path: dict[str, list[str]] = {}
    reasons: Counter = Counter()
    for path, reason in con.execute("SELECT json_extract(origin, '$.path'), reason FROM quarantine"):
        reasons_by_path.setdefault(path, []).append(reason)
        reasons[reason] += 1
    urls = set()
    for url, canonical in con.execute("SELECT url, canonical_url FROM articles"):
        urls.update((url, canonical))
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    missing_reason, missing_good, expected = [], [], 0
    for path, case in zip(paths, cases):
        got = reasons_by_path.get(path, [])
        if case.reason is not None and not any(case.reason in r for r in got):
            missing_reason.append(f"{Path(path).name} ({case.kind}): wanted {case.reason!r}, got {got}")
        expected += len(case.good_urls)
        missing_good += [f"{Path(path).name} ({case.kind}): {u}" for u in case.good_urls if u not in urls]
    return {"reasons": reasons, "missing_reason": missing_reason, "missing_good": missing_good,
            "good_expected": expected, "articles": articles}


if __name__ == "__main__":
    sys.exit(main())
