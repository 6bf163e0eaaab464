"""Evaluate HTML article extraction on the extraction-dev set.

Scores newsledger's ``extract_html`` and, in the same run on the same pages,
trafilatura alone (default settings), readability-lxml and newspaper4k.

Measures (all averaged over pages):

* body precision / recall / F1: tokens are ``\\w+`` runs (case kept); a text
  becomes the multiset of its word 4-grams (a text of fewer than 4 tokens,
  the empty text included, is a single shingle); per page, tp/fp/fn are the
  multiset overlaps normalised so that tp+fp+fn = 1; precision and recall are
  averaged over pages and F1 is the harmonic mean of the two averages.
* title: exact match after collapsing whitespace.
* date: the first 10 characters of the prediction equal the gold YYYY-MM-DD.
* authors: set F1 per page, case-insensitive after collapsing whitespace; the
  gold string is split on commas. Both sets empty scores 1.0; exactly one
  empty scores 0.0.

A system that raises on a page is scored as empty output for that page.
Both baselines and newsledger get the page's gold ``url``; readability and
newspaper4k receive the page decoded by ``newsledger.extract.encoding.decode``
(they need text), trafilatura and newsledger the raw bytes.

``--half a`` / ``--half b`` score only one half of the pages, split by site
(the MD5 of the gold ``site`` field, first byte even or odd; 58 and 62 pages
of extraction-dev): tune rules on one half and check them on the other, so
that a rule fitted to a few pages shows as a gap between the halves.

Usage: ``python eval/extraction_eval.py [--data DIR] [--json OUT]
[--systems newsledger,trafilatura,...] [--worst N] [--half a|b]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction-dev"

_TOKEN = re.compile(r"\w+")


@dataclass
class Prediction:
    text: str = ""
    title: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- measures


def shingles(text: str, n: int = 4) -> Counter:
    toks = _TOKEN.findall(text or "")
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def body_scores(gold: str, pred: str) -> tuple[float, float, float, float, float]:
    """(tp, fp, fn) normalised to sum 1, then page precision and recall."""
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return tp, fp, fn, precision, recall


def _ws(s: str | None) -> str:
    return " ".join((s or "").split())


def title_match(gold: str, pred: str | None) -> float:
    return float(_ws(gold) == _ws(pred))


def date_match(gold: str, pred: str | None) -> float:
    return float(bool(pred) and pred[:10] == gold[:10])


def author_set(names) -> set[str]:
    return {_ws(n).lower() for n in names if _ws(n)}


def author_f1(gold: str, pred: list[str]) -> float:
    g = author_set(gold.split(","))
    p = author_set(pred)
    if not g and not p:
        return 1.0
    if not g or not p:
        return 0.0
    tp = len(g & p)
    if not tp:
        return 0.0
    precision, recall = tp / len(p), tp / len(g)
    return 2 * precision * recall / (precision + recall)


# ---------------------------------------------------------------- systems


def run_newsledger(html: bytes, url: str) -> Prediction:
    from newsledger.extract import ExtractError
    from newsledger.extract.html import extract_html
    from newsledger.schema import Origin, RawDocument

    raw = RawDocument(origin=Origin(kind="html"), format="html", content=html, url=url)
    try:
        art = extract_html(raw)
    except ExtractError:
        return Prediction()
    return Prediction(art.text, art.title, art.published, list(art.authors))


def run_trafilatura(html: bytes, url: str) -> Prediction:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Prediction()
    authors = [a for a in re.split(r";", doc.author or "") if a.strip()]
    return Prediction(doc.text or "", doc.title, doc.date, authors)


def run_readability(html: str, url: str) -> Prediction:
    import lxml.html
    from readability import Document

    doc = Document(html, url=url)
    summary = doc.summary(html_partial=True)
    root = lxml.html.fragment_fromstring(summary, create_parent="div")
    blocks = [" ".join(el.text_content().split()) for el in root.iter("p", "h1", "h2", "h3", "h4", "li", "pre")]
    text = "\n\n".join(b for b in blocks if b) or " ".join(root.text_content().split())
    author = doc.author()
    authors = [] if not author or author == "[no-author]" else [author]
    return Prediction(text, doc.short_title(), None, authors)


def run_newspaper(html: str, url: str) -> Prediction:
    from newspaper import Article

    art = Article(url, fetch_images=False)
    art.download(input_html=html)
    art.parse()
    date = art.publish_date.isoformat() if art.publish_date else None
    return Prediction(art.text or "", art.title, date, list(art.authors))


SYSTEMS: dict[str, tuple[Callable, bool]] = {
    # name -> (runner, wants decoded text)
    "newsledger": (run_newsledger, False),
    "trafilatura": (run_trafilatura, False),
    "readability-lxml": (run_readability, True),
    "newspaper4k": (run_newspaper, True),
}


# ---------------------------------------------------------------- driver


def load_gold(data: Path) -> list[dict]:
    with open(data / "gold.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def site_half(site: str) -> str:
    """'a' or 'b': a fixed split that keeps every page of a site on the same side."""
    return "ab"[hashlib.md5(site.encode("utf-8")).digest()[0] % 2]


def evaluate(data: Path, systems: list[str], worst: int = 0, half: str | None = None) -> dict[str, dict]:
    from newsledger.extract.encoding import decode

    rows = load_gold(data)
    if half:
        rows = [r for r in rows if site_half(r.get("site") or r.get("url") or "") == half]
    pages = []
    for row in rows:
        raw = gzip.decompress((data / row["file"]).read_bytes())
        pages.append((row, raw, decode(raw)))
    results: dict[str, dict] = {}
    for name in systems:
        runner, wants_text = SYSTEMS[name]
        per_page = []
        started = time.perf_counter()
        for row, raw, text in pages:
            try:
                pred = runner(text if wants_text else raw, row["url"])
            except Exception as exc:  # a baseline failing on a page scores as empty output
                logging.debug("%s failed on %s: %s", name, row["file"], exc)
                pred = Prediction()
            tp, fp, fn, p, r = body_scores(row["text"], pred.text)
            per_page.append(
                {
                    "file": row["file"],
                    "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r,
                    "title": title_match(row["title"], pred.title),
                    "date": date_match(row["date"], pred.date),
                    "authors": author_f1(row["authors"], pred.authors),
                    "pred_title": pred.title, "pred_date": pred.date, "pred_authors": pred.authors,
                }
            )
        elapsed = time.perf_counter() - started
        n = len(per_page)
        precision = sum(x["precision"] for x in per_page) / n
        recall = sum(x["recall"] for x in per_page) / n
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results[name] = {
            "pages": n,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "title": sum(x["title"] for x in per_page) / n,
            "date": sum(x["date"] for x in per_page) / n,
            "authors": sum(x["authors"] for x in per_page) / n,
            "seconds": elapsed,
            "per_page": per_page,
        }
        if worst:
            _print_worst(name, per_page, rows, worst)
    return results


def _print_worst(name: str, per_page: list[dict], rows: list[dict], k: int) -> None:
    gold = {r["file"]: r for r in rows}
    print(f"\n## {name}: worst pages", file=sys.stderr)
    for x in sorted(per_page, key=lambda x: min(x["precision"], x["recall"]))[:k]:
        print(f"body P={x['precision']:.2f} R={x['recall']:.2f} {x['file']}", file=sys.stderr)
    for key, pred_key in (("title", "pred_title"), ("date", "pred_date"), ("authors", "pred_authors")):
        for x in per_page:
            if x[key] < 1.0:
                print(f"{key}: gold={gold[x['file']][key]!r} pred={x[pred_key]!r} {x['file']}", file=sys.stderr)


def markdown(results: dict[str, dict]) -> str:
    lines = [
        "| system | body P | body R | body F1 | title | date | authors F1 | s/page |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['title']:.3f} "
            f"| {r['date']:.3f} | {r['authors']:.3f} | {r['seconds'] / r['pages']:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with gold.jsonl and html/")
    ap.add_argument("--json", type=Path, help="also write the scores (with per-page detail) here")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ", ".join(SYSTEMS))
    ap.add_argument("--worst", type=int, default=0, help="print the N worst pages and every miss per system")
    ap.add_argument("--half", choices=("a", "b"), help="score one half of the pages (split by site)")
    args = ap.parse_args(argv)
    if not (args.data / "gold.jsonl").exists():
        print(f"no gold.jsonl under {args.data}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.CRITICAL)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        ap.error(f"unknown systems: {', '.join(unknown)}")
    results = evaluate(args.data, systems, args.worst, args.half)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
