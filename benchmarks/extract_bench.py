"""Throughput and memory of newsledger's HTML extraction.

1. Pages per second of ``extract_html`` and of trafilatura alone
   (``bare_extraction`` with metadata, default settings) on the same pages,
   in one run: the extraction-dev pages when ``--data`` exists, generated
   pages otherwise.
2. Page dumps (the seed's format) per CPU-second of the dump parser, on the
   fixture dumps, language identification left out (it is paid once per
   article whichever stage runs it).
3. Peak resident memory of a fresh process extracting ``--pages`` generated
   pages one after another (``ru_maxrss`` before and after the loop), which
   shows whether memory grows with the number of pages.

Usage: ``python benchmarks/extract_bench.py [--data DIR] [--pages N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction-dev"

_WORDS = (
    "harbour council ferry storm minister river budget vote coast winter school bridge report station "
    "farmers museum rail election court police hospital market festival island border grain village "
    "official spokesperson said on Tuesday after the new plan would the of and to in a that for with"
).split()


def generated_page(i: int) -> tuple[bytes, str]:
    """A fictional article page with navigation, JSON-LD, OpenGraph and a varied body."""
    rnd = random.Random(i)

    def sentence() -> str:
        words = [rnd.choice(_WORDS) for _ in range(rnd.randint(8, 22))]
        return " ".join(words).capitalize() + "."

    paras = "\n".join(
        f"<p>{' '.join(sentence() for _ in range(rnd.randint(2, 5)))}"
        f"{' <a href=/story/%d>related story</a>' % rnd.randint(1, 9999) if rnd.random() < 0.3 else ''}</p>"
        for _ in range(rnd.randint(4, 14))
    )
    title = sentence().rstrip(".")
    nav = " ".join(f"<li><a href='/section/{k}'>Section {k}</a></li>" for k in range(rnd.randint(5, 30)))
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T{rnd.randint(0, 23):02d}:00:00Z",
            "author": {"@type": "Person", "name": f"Reporter {chr(65 + i % 26)}. Example"},
            "publisher": {"@type": "Organization", "name": "Benchmark Bugle"},
        }
    )
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Benchmark Bugle</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Benchmark Bugle">
<script type="application/ld+json">{ld}</script><script>var tracking = {{"id": {i}}};</script></head>
<body><header><ul>{nav}</ul></header><main><article><h1>{title}</h1>
<div class="byline">By Reporter Example</div>{paras}</article>
<aside><h3>Most read</h3><ul>{nav}</ul></aside></main><footer>Copyright Benchmark Bugle</footer></body></html>"""
    return page.encode("utf-8"), f"https://bugle.example/news/{i}"


def load_pages(data: Path, fallback: int) -> tuple[list[tuple[bytes, str]], str]:
    gold = data / "gold.jsonl"
    if gold.exists():
        rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(gzip.decompress((data / r["file"]).read_bytes()), r["url"]) for r in rows], f"{len(rows)} dev pages"
    return [generated_page(i) for i in range(fallback)], f"{fallback} generated pages"


def _newsledger(page: bytes, url: str) -> None:
    from newsledger.extract import ExtractError
    from newsledger.extract.html import extract_html
    from newsledger.schema import Origin, RawDocument

    try:
        extract_html(RawDocument(origin=Origin(kind="html"), format="html", content=page, url=url))
    except ExtractError:
        pass


def _trafilatura(page: bytes, url: str) -> None:
    import trafilatura

    trafilatura.bare_extraction(page, url=url, with_metadata=True)


def throughput(pages: list[tuple[bytes, str]], repeat: int) -> dict[str, float]:
    out = {}
    for name, fn in (("newsledger", _newsledger), ("trafilatura", _trafilatura)):
        fn(*pages[0])  # imports and lazy resources outside the timing
        # CPU time, not wall time: the figure should not depend on what else the machine is running
        started = time.process_time()
        for _ in range(repeat):
            for page, url in pages:
                fn(page, url)
        out[name] = len(pages) * repeat / (time.process_time() - started)
    return out


def dump_rate(min_docs: int = 300) -> tuple[float, int]:
    """(dumps per CPU-second, fixture dumps) of the dump parser alone."""
    from unittest import mock

    from newsledger.extract import dump
    from newsledger.schema import Origin, RawDocument

    fixtures = sorted((REPO / "tests" / "fixtures" / "dumps").glob("*.txt"))
    raws = [RawDocument(origin=Origin("dump", p.name), format="dump", content=p.read_text(encoding="utf-8"))
            for p in fixtures if p.name != "no_date_line.txt"]
    with mock.patch.object(dump, "detect_language", lambda text: None):
        started, n = time.process_time(), 0
        while n < min_docs:
            for r in raws:
                dump.extract_dump(r)
                n += 1
        return n / (time.process_time() - started), len(raws)


_MEMORY_CHILD = """
import resource, sys, time
sys.path.insert(0, {bench!r})
from extract_bench import generated_page, _newsledger
_newsledger(*generated_page(-1))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
for i in range({n}):
    _newsledger(*generated_page(i))
elapsed = time.process_time() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, elapsed)
"""


def peak_memory(n: int) -> tuple[float, float, float]:
    """(MiB after warm-up, peak MiB after n pages, seconds) measured in a fresh process."""
    code = _MEMORY_CHILD.format(bench=str(Path(__file__).resolve().parent), n=n)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, elapsed = res.stdout.split()[-3:]
    return int(before) / 1024, int(after) / 1024, float(elapsed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--pages", type=int, default=500, help="generated pages for the memory run (10000 for the full run)")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the throughput pages")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)

    pages, label = load_pages(args.data, fallback=200)
    rates = throughput(pages, args.repeat)
    before, after, elapsed = peak_memory(args.pages)

    print(f"throughput on {label} (x{args.repeat}), one process, pages per CPU-second:\n")
    print("| system | pages/s | ms/page |")
    print("|---|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.1f} | {1000 / rate:.1f} |")
    print(f"\nnewsledger / trafilatura speed ratio: {rates['newsledger'] / rates['trafilatura']:.2f}\n")
    dumps, nfix = dump_rate()
    print(f"page dumps ({nfix} fixtures, parser only): {dumps:.0f} per CPU-second\n")
    print(f"memory, {args.pages} generated pages in a fresh process:\n")
    print("| pages | RSS after warm-up (MiB) | peak RSS (MiB) | growth (MiB) | pages/s |")
    print("|---|---|---|---|---|")
    print(f"| {args.pages} | {before:.0f} | {after:.0f} | {after - before:.0f} | {args.pages / elapsed:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
