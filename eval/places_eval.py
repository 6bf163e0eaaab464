"""End-to-end geoparsing score on GeoVirus (WikiNews, gold toponyms with coordinates).

Runs the places component on every article text and matches predictions to
gold toponyms by character-span overlap. Reports the usual GeoVirus measure,
the share of gold toponyms resolved within 161 km (100 miles) where a missed
toponym counts as wrong, the mean error over matched toponyms, and
precision/recall/F1 of toponym detection.

    .venv/bin/python eval/places_eval.py [--data ../shared/data/geovirus/GeoVirus.xml] [--errors 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from defusedxml import ElementTree as ET

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "geovirus" / "GeoVirus.xml"


def load_geovirus(path: Path) -> list[dict]:
    arts = []
    for a in ET.parse(str(path)).getroot().iter("article"):
        gold = []
        for loc in a.iter("location"):
            gold.append({
                "name": loc.findtext("name"), "start": int(loc.findtext("start")), "end": int(loc.findtext("end")),
                "lat": float(loc.findtext("lat")), "lon": float(loc.findtext("lon")),
            })
        arts.append({"text": a.findtext("text") or "", "gold": gold})
    return arts


def parse(texts: list[str], cache: Path | None):
    """spaCy docs for the texts; a DocBin cache saves re-parsing while tuning."""
    import hashlib

    from spacy.tokens import DocBin

    from newsledger.analyze.nlp import get_nlp

    nlp = get_nlp()
    if cache is not None:
        digest = hashlib.sha1("\0".join(texts).encode()).hexdigest()[:12]
        path = cache / f"geovirus-{digest}.spacy"
        if path.exists():
            return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(path)
    return docs


def evaluate(arts: list[dict], errors: int = 0, cache: Path | None = None) -> dict:
    from newsledger.analyze.gazetteer import haversine_km
    from newsledger.analyze.places import PlaceResolver

    resolver = PlaceResolver()
    texts = [a["text"] for a in arts]
    t0 = time.perf_counter()
    docs = parse(texts, cache)
    t_spacy = time.perf_counter() - t0
    t0 = time.perf_counter()
    preds = [resolver(t, d) for t, d in zip(texts, docs)]
    t_places = time.perf_counter() - t0

    n_gold = n_pred = tp = within = 0
    errs: list[float] = []
    by_feature: dict[str, list[int]] = {}  # predicted feature -> [matched, within 161 km]
    bad: list[tuple[float, str, str, str]] = []
    missed: dict[str, int] = {}
    spurious: dict[str, int] = {}
    for art, pred in zip(arts, preds):
        gold = art["gold"]
        n_gold += len(gold)
        n_pred += len(pred)
        used: set[int] = set()
        for g in gold:
            hit = next((i for i, p in enumerate(pred) if i not in used and p.start < g["end"] and g["start"] < p.end),
                       None)
            if hit is None:
                missed[g["name"]] = missed.get(g["name"], 0) + 1
                continue
            used.add(hit)
            p = pred[hit]
            tp += 1
            km = haversine_km(g["lat"], g["lon"], p.lat, p.lon)
            errs.append(km)
            bucket = by_feature.setdefault(p.feature or "?", [0, 0])
            bucket[0] += 1
            if km <= 161:
                within += 1
                bucket[1] += 1
            else:
                bad.append((km, g["name"], f"{p.name} ({p.country_code} {p.feature} {p.geonames_id})",
                            f"{g['lat']},{g['lon']}"))
        for i, p in enumerate(pred):
            if i not in used:
                spurious[p.text] = spurious.get(p.text, 0) + 1
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    res = {
        "articles": len(arts), "gold": n_gold, "predicted": n_pred, "matched": tp,
        "acc161": within / n_gold if n_gold else 0.0,
        "acc161_matched": within / tp if tp else 0.0,
        "mean_km": statistics.fmean(errs) if errs else 0.0,
        "median_km": statistics.median(errs) if errs else 0.0,
        "precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
        **{f"acc161_matched_{f}": w / n for f, (n, w) in sorted(by_feature.items())},
        "ms_per_article_places": 1000 * t_places / max(1, len(arts)),
        "ms_per_article_spacy": 1000 * t_spacy / max(1, len(arts)),
    }
    if errors:
        print("-- worst resolutions", file=sys.stderr)
        for km, name, got, want in sorted(bad, reverse=True)[:errors]:
            print(f"{km:8.0f} km  {name!r} -> {got}; gold {want}", file=sys.stderr)
        print("-- most missed", sorted(missed.items(), key=lambda x: -x[1])[:errors], file=sys.stderr)
        print("-- most spurious", sorted(spurious.items(), key=lambda x: -x[1])[:errors], file=sys.stderr)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--doc-cache", type=Path, default=None, help="folder to keep parsed spaCy docs in")
    ap.add_argument("--errors", type=int, default=0, help="print this many worst cases to stderr")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"GeoVirus not found at {args.data}", file=sys.stderr)
        return 2
    arts = load_geovirus(args.data)
    if args.limit:
        arts = arts[:args.limit]
    res = evaluate(arts, args.errors, args.doc_cache)
    for k, v in res.items():
        print(f"{k:24s} {v:.3f}" if isinstance(v, float) else f"{k:24s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
