"""Quotes, claims and places on fictional Russian and Ukrainian conflict snippets with gold answers.

    .venv/bin/python eval/ruuk_snippets_eval.py [--set blind] [--errors]

``eval/data/ruuk/<set>.jsonl``: one snippet a line with ``lang``, ``text``, gold ``quotes``
(``text`` and ``speaker``, the canonical nominative name or null for an unnamed one), ``claims``
(``type`` and ``place``, the GeoNames name or null) and ``places`` (GeoNames names). Measures per
language: quote P/R/F1 (a predicted quote matches a gold one when they overlap by at least half
of the longer), speaker right among matched quotes, claim P/R/F1 on (type, place) pairs, and
places right (share of gold places among the predicted names).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT / "eval" / "data" / "ruuk"
QUOTE_KINDS = {"direct", "indirect", "partial"}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    ov = min(a[1], b[1]) - max(a[0], b[0])
    return ov > 0 and ov >= 0.5 * max(a[1] - a[0], b[1] - b[0])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="blind")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    from newsledger.analyze.pipeline import Analyzer
    from newsledger.schema import Article

    an = Analyzer()
    c: dict[str, Counter] = {}
    for line in (DATA / f"{args.set}.jsonl").read_text(encoding="utf-8").splitlines():
        snip = json.loads(line)
        k = c.setdefault(snip["lang"], Counter())
        res = an.analyze_one(Article(id=snip["id"], text=snip["text"], language=snip["lang"]))
        text = snip["text"]
        gold_q = [((text.find(q["text"]), text.find(q["text"]) + len(q["text"])), q["speaker"]) for q in snip["quotes"]]
        pred_q = [((q.start, q.end), q.speaker) for q in res.quotes if q.kind in QUOTE_KINDS]
        used = set()
        for gspan, gspk in gold_q:
            j = next((j for j, (ps, _) in enumerate(pred_q) if j not in used and overlap(gspan, ps)), None)
            if j is None:
                k["q_fn"] += 1
                if args.errors:
                    print(f"{snip['id']} missed quote {text[gspan[0]:gspan[1]]!r}")
                continue
            used.add(j)
            k["q_tp"] += 1
            k["spk_ok"] += pred_q[j][1] == gspk
            if args.errors and pred_q[j][1] != gspk:
                print(f"{snip['id']} speaker {pred_q[j][1]!r} != {gspk!r}")
        k["q_fp"] += len(pred_q) - len(used)
        if args.errors:
            for j, (ps, spk) in enumerate(pred_q):
                if j not in used:
                    print(f"{snip['id']} extra quote {text[ps[0]:ps[1]]!r}")
        gold_c = Counter((g["type"], g["place"]) for g in snip["claims"])
        pred_c = Counter((x.type, x.place.name if x.place else None) for x in res.claims)
        tp = sum((gold_c & pred_c).values())
        k["c_tp"] += tp
        k["c_fp"] += sum(pred_c.values()) - tp
        k["c_fn"] += sum(gold_c.values()) - tp
        if args.errors and gold_c != pred_c:
            print(f"{snip['id']} claims gold {dict(gold_c)} predicted {dict(pred_c)}")
        names = {p.name for p in res.places}
        k["p_gold"] += len(snip["places"])
        k["p_ok"] += sum(n in names for n in snip["places"])
        if args.errors:
            for n in snip["places"]:
                if n not in names:
                    print(f"{snip['id']} missed place {n} (got {sorted(x for x in names if x)})")
    for lang, k in sorted(c.items()):
        qp, qr, qf = prf(k["q_tp"], k["q_fp"], k["q_fn"])
        cp, cr, cf = prf(k["c_tp"], k["c_fp"], k["c_fn"])
        spk = k["spk_ok"] / k["q_tp"] if k["q_tp"] else 0.0
        pl = k["p_ok"] / k["p_gold"] if k["p_gold"] else 0.0
        print(f"{lang} ({args.set}): quotes P {qp:.2f} R {qr:.2f} F1 {qf:.2f}, speaker right {spk:.2f}; "
              f"claims P {cp:.2f} R {cr:.2f} F1 {cf:.2f}; places right {pl:.2f} ({k['p_ok']}/{k['p_gold']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
