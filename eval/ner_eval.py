"""NER scores on the Russian (factRuEval-2016 devset) and Ukrainian (NER-UK 2.0 DEV) development sets.

Measures as in ../shared/data/README.md: precision/recall/F1 per type and micro
over PER/LOC/ORG, by exact span (both sides trimmed of whitespace and edge
punctuation/quote marks) and by overlap (same type, overlap >= 50% of the
longer span, matched one-to-one). Predicted PERSON/PER -> PER, GPE/LOC/FAC ->
LOC, ORG -> ORG. Each set is split in two halves by file, deterministically (a
hash of the file name): ``tune`` is the half rules were adjusted on,
``heldout`` is never looked at except for the final figure.

    .venv/bin/python eval/ner_eval.py [--lang ru|uk|both] [--split tune|heldout|all]
        [--system pipeline|natasha|english] [--places] [--errors 20]

Systems: ``pipeline`` is newsledger's entities component (what the analysis
stores); ``natasha`` is the packaged slovnet NER alone, unrepaired;
``english`` forces the English spaCy pipeline onto the text (before issue
13 a ru/uk article got no entities at all: F1 0).
``--places`` also counts the places component's toponyms as LOC where no LOC
entity overlaps them. ner-uk-dev is CC BY-NC-SA and evaluation-only: this
script reads it at run time and writes nothing from it anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
FACTRU = DATA / "factru-dev" / "devset"
NERUK = DATA / "ner-uk-dev"

TYPES = ("PER", "LOC", "ORG")
FACTRU_TYPES = {"Person": "PER", "Location": "LOC", "LocOrg": "LOC", "Org": "ORG"}
NERUK_TYPES = {"PERS": "PER", "LOC": "LOC", "ORG": "ORG"}
PRED_TYPES = {"PERSON": "PER", "PER": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG"}
EDGE = set(" \t\n\r\u00a0.,;:!?\"'«»„“”‘’‹›()[]{}-–—")


def split_of(name: str) -> str:
    return "tune" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "heldout"


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return start, end


def load_factru() -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    docs = []
    for txt in sorted(FACTRU.glob("book_*.txt")):
        text = txt.read_text(encoding="utf-8")
        spans = {}
        for line in txt.with_suffix(".spans").read_text(encoding="utf-8").splitlines():
            parts = line.split("#")[0].split()
            if len(parts) >= 4:
                spans[parts[0]] = (int(parts[2]), int(parts[2]) + int(parts[3]))
        gold = []
        for line in txt.with_suffix(".objects").read_text(encoding="utf-8").splitlines():
            parts = line.split("#")[0].split()
            if len(parts) < 3 or parts[1] not in FACTRU_TYPES:
                continue
            ss = [spans[s] for s in parts[2:] if s in spans]
            if ss:
                gold.append((min(s for s, _ in ss), max(e for _, e in ss), FACTRU_TYPES[parts[1]]))
        docs.append((txt.stem, text, gold))
    return docs


def load_neruk() -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    docs = []
    for txt in sorted(NERUK.glob("*/*.txt")):
        text = txt.read_text(encoding="utf-8")
        gold = []
        ann = txt.with_suffix(".ann")
        for line in ann.read_text(encoding="utf-8").splitlines() if ann.exists() else []:
            parts = line.split("\t")
            if len(parts) >= 4 and parts[0].startswith("T") and parts[1] in NERUK_TYPES:
                gold.append((int(parts[2]), int(parts[3]), NERUK_TYPES[parts[1]]))
        docs.append((f"{txt.parent.name}/{txt.stem}", text, gold))
    return docs


def normalise(text: str, items) -> list[tuple[int, int, str]]:
    out = set()
    for s, e, t in items:
        s, e = trim(text, s, e)
        if e > s:
            out.add((s, e, t))
    return sorted(out)


def match(gold, pred, exact: bool) -> int:
    if exact:
        return len(set(gold) & set(pred))
    used, tp = set(), 0
    for gs, ge, gt in gold:
        for j, (ps, pe, pt) in enumerate(pred):
            if j in used or pt != gt:
                continue
            ov = min(ge, pe) - max(gs, ps)
            if ov > 0 and ov >= 0.5 * max(ge - gs, pe - ps):
                used.add(j)
                tp += 1
                break
    return tp


class Scores:
    def __init__(self):
        self.c = {m: Counter() for m in ("exact", "overlap")}

    def add(self, gold, pred):
        for m in self.c:
            for t in TYPES:
                g = [x for x in gold if x[2] == t]
                p = [x for x in pred if x[2] == t]
                tp = match(g, p, m == "exact")
                self.c[m][t, "tp"] += tp
                self.c[m][t, "fp"] += len(p) - tp
                self.c[m][t, "fn"] += len(g) - tp

    @staticmethod
    def prf(tp, fp, fn):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def report(self) -> dict:
        out = {}
        for m, c in self.c.items():
            row = {t: self.prf(c[t, "tp"], c[t, "fp"], c[t, "fn"]) for t in TYPES}
            row["micro"] = self.prf(*(sum(c[t, k] for t in TYPES) for k in ("tp", "fp", "fn")))
            out[m] = row
        return out


def system(name: str, lang: str, places: bool):
    if name == "natasha":
        from newsledger.analyze.lang import ru

        def run(text):
            return [(s, e, PRED_TYPES[t]) for s, e, t in ru.natasha_spans(text)]

        return run
    from newsledger.analyze.pipeline import Analyzer
    from newsledger.schema import Article

    an = Analyzer(("entities", "places") if places else ("entities",))

    def run(text):
        # ``english`` forces the English model onto the text: the naive baseline.
        res = an.analyze_one(Article(id="eval", text=text, language="en" if name == "english" else lang))
        pred = [(e.start, e.end, PRED_TYPES[e.label]) for e in res.entities if e.label in PRED_TYPES]
        if places:
            locs = [p for p in pred if p[2] == "LOC"]
            for p in res.places:
                if not any(min(p.end, e) > max(p.start, s) for s, e, _ in locs):
                    pred.append((p.start, p.end, "LOC"))
        return pred

    return run


def evaluate(lang: str, split: str, sysname: str, places: bool, errors: int) -> dict:
    docs = load_factru() if lang == "ru" else load_neruk()
    docs = [d for d in docs if split == "all" or split_of(d[0]) == split]
    run = system(sysname, lang, places)
    sc = Scores()
    words = 0
    t0 = time.perf_counter()
    errs = []
    for name, text, gold in docs:
        g = normalise(text, gold)
        p = normalise(text, run(text))
        sc.add(g, p)
        words += len(text.split())
        if errors and len(errs) < errors:
            gs, ps = set(g), set(p)
            for s, e, t in sorted(gs - ps)[:3]:
                errs.append(f"  FN {t} {text[s:e]!r}  ({name})")
            for s, e, t in sorted(ps - gs)[:3]:
                errs.append(f"  FP {t} {text[s:e]!r}  ({name})")
    secs = time.perf_counter() - t0
    rep = sc.report()
    print(f"\n{lang} {split} system={sysname}{' +places' if places else ''}: {len(docs)} docs, "
          f"{words} words, {secs:.1f}s")
    for m in ("exact", "overlap"):
        cells = "  ".join(f"{t} {rep[m][t][2]:.3f}" for t in TYPES)
        p, r, f = rep[m]["micro"]
        print(f"  {m:8s} micro P {p:.3f} R {r:.3f} F1 {f:.3f}   |  {cells}")
    for line in errs[:errors]:
        # Error listing is printed for local tuning only (tune split); it is never written to a file.
        print(line)
    return rep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", choices=("ru", "uk", "both"), default="both")
    ap.add_argument("--split", choices=("tune", "heldout", "all"), default="tune")
    ap.add_argument("--system", choices=("pipeline", "natasha", "english"), default="pipeline")
    ap.add_argument("--places", action="store_true")
    ap.add_argument("--errors", type=int, default=0, help="list some misses on the tune split")
    args = ap.parse_args(argv)
    if args.errors and args.split != "tune":
        ap.error("--errors lists texts of the tune split only")
    for lang in ("ru", "uk") if args.lang == "both" else (args.lang,):
        src = FACTRU if lang == "ru" else NERUK
        if not src.exists():
            print(f"{src} not found: the development sets live in ../shared/data", file=sys.stderr)
            return 2
        evaluate(lang, args.split, args.system, args.places, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
