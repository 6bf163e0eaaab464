"""End-to-end throughput and memory of ``newsledger ingest`` on generated fictional articles.

1. Articles per second, read -> extract -> analyse -> store (SQLite), in this
   process and with the ``processes`` executor on 1 and 2 workers (the 2/1
   ratio is the speed-up; it cannot exceed the free cores).
2. Analysis overhead: ``Analyzer.analyze`` time over bare spaCy ``nlp.pipe``
   on the same texts (same model, same batch size).
3. Result transport: pickling ``Analysis`` records as they are vs
   ``to_dict`` -> pickle -> ``from_dict`` (what workers could send back).
4. Peak RSS of a fresh ``ingest --no-analyze`` process on N and 10 N articles
   (the readers stream, so memory should not grow with N).

Usage: ``python benchmarks/throughput_bench.py [--articles N] [--rss N] [--quick]``.
"""

from __future__ import annotations

import argparse
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from test_executors import write_corpus  # noqa: E402  (the same fictional generator as the tests)


def ingest_rate(paths: list[str], db: Path, executor=None) -> float:
    from newsledger import run
    from newsledger.store import open_store

    with open_store(db) as store:
        t = time.perf_counter()
        summary = run.ingest(paths, store, executor=executor)
        elapsed = time.perf_counter() - t
    assert summary.new + summary.duplicates == len(paths), summary.counts()
    return len(paths) / elapsed


def throughput(tmp: Path, n: int) -> list[tuple[str, str]]:
    from newsledger import run
    from newsledger.executors import make_executor

    paths = write_corpus(tmp / "tp", n)
    run.load_analyzer()  # models load before timing, here and (by fork) in the workers
    rows = [("in-process (no executor)", f"{ingest_rate(paths, tmp / 'a.db'):.2f}")]
    rates = {}
    for workers in (1, 2):
        with make_executor("processes", workers=workers) as ex:
            # a warm-up batch so each worker has its analyzer before the clock starts
            list(ex.process(_raws(paths[: 2 * workers]), batch_size=1))
            rates[workers] = ingest_rate(paths, tmp / f"p{workers}.db", ex)
        rows.append((f"processes, {workers} worker{'s' * (workers > 1)}", f"{rates[workers]:.2f}"))
    rows.append(("speed-up 2 workers / 1", f"{rates[2] / rates[1]:.2f}x"))
    return rows


def _raws(paths: list[str]):
    from newsledger.schema import Origin, RawDocument

    return [RawDocument(origin=Origin(kind="dump", path=p), format="dump", content=Path(p).read_text()) for p in paths]


def overhead(tmp: Path, n: int) -> list[tuple[str, str]]:
    from newsledger import run
    from newsledger.analyze.nlp import get_nlp

    arts = [a for a in run.extract_only(write_corpus(tmp / "ov", n, start=10_000)) if not hasattr(a, "reason")]
    analyzer = run.load_analyzer()
    nlp = get_nlp()
    texts = [a.text for a in arts]
    list(nlp.pipe(texts[:4]))  # warm caches
    t = time.perf_counter()
    list(nlp.pipe(texts, batch_size=analyzer.batch_size))
    bare = time.perf_counter() - t
    t = time.perf_counter()
    analyses = list(analyzer.analyze(arts))
    full = time.perf_counter() - t
    rows = [
        ("bare spaCy nlp.pipe, articles/s", f"{len(arts) / bare:.1f}"),
        ("newsledger Analyzer.analyze, articles/s", f"{len(arts) / full:.1f}"),
        ("analysis time / bare spaCy time", f"{full / bare:.2f}x"),
    ]
    return rows + transport(analyses)


def transport(analyses) -> list[tuple[str, str]]:
    from newsledger.schema import Analysis

    def timed(fn, repeat=5):
        t = time.perf_counter()
        for _ in range(repeat):
            out = fn()
        return (time.perf_counter() - t) / repeat, out

    t_pickle, _ = timed(lambda: pickle.loads(pickle.dumps(analyses, protocol=5)))
    t_dict, _ = timed(lambda: [Analysis.from_dict(d) for d in pickle.loads(
        pickle.dumps([a.to_dict() for a in analyses], protocol=5))])
    blob, blob2 = pickle.dumps(analyses, protocol=5), pickle.dumps([a.to_dict() for a in analyses], protocol=5)
    per = 1000 / len(analyses)
    return [
        ("pickle Analysis (round trip), ms/article", f"{t_pickle * per:.3f}  ({len(blob) / len(analyses) / 1024:.1f} KiB)"),
        ("to_dict+pickle+from_dict, ms/article", f"{t_dict * per:.3f}  ({len(blob2) / len(analyses) / 1024:.1f} KiB)"),
    ]


def peak_rss(tmp: Path, n: int) -> list[tuple[str, str]]:
    rows = []
    peaks = {}
    for count in (n, 10 * n):
        folder = tmp / f"rss{count}"
        write_corpus(folder, count, start=100_000)
        code = (
            "import re, sys\n"
            "from newsledger import run\nfrom newsledger.store import open_store\n"
            "with open_store(sys.argv[2]) as s:\n"
            "    r = run.ingest([sys.argv[1]], s, analyze=False)\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (larger) parent through exec.
            "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
            "print(r.new + r.duplicates, hwm)\n"
        )
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, str(folder), str(tmp / f"rss{count}.db")],
                             check=True, capture_output=True, text=True).stdout.split()
        elapsed = time.perf_counter() - t
        stored, kib = int(out[-2]), int(out[-1])
        peaks[count] = kib
        rows.append((f"ingest --no-analyze, {count:,} articles: peak RSS", f"{kib / 1024:.0f} MiB ({stored / elapsed:.0f} art/s)"))
    rows.append((f"peak RSS ratio {10 * n:,} / {n:,}", f"{peaks[10 * n] / peaks[n]:.2f}x"))
    return rows


def table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{title}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200, help="articles for throughput (default 200)")
    ap.add_argument("--rss", type=int, default=10_000, help="N for peak RSS on N vs 10 N articles (default 10,000)")
    ap.add_argument("--quick", action="store_true", help="60 articles, RSS on 500 vs 5,000")
    args = ap.parse_args()
    n, rss_n = (60, 500) if args.quick else (args.articles, args.rss)
    with tempfile.TemporaryDirectory(prefix="nl-throughput-") as d:
        tmp = Path(d)
        table(f"end to end, {n} articles, articles/s", throughput(tmp, n))
        table(f"analysis overhead, {n} articles", overhead(tmp, n))
        table("memory (fresh process, extract + store)", peak_rss(tmp, rss_n))
    print(f"\n(parent peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
