"""Quote and speaker evaluation on PolNeAR (brat standoff attributions).

Usage: .venv/bin/python eval/quotes_eval.py [--split dev|train] [--limit N] [--every K] [--errors]

Reads ../shared/data/polnear/<split>/ relative to the repository root. Where
an article has several annotators' files, the first by file name is used.

Definitions (each Content fragment of a multi-span Content is a unit):

- Gold direct quote: a fragment whose trimmed text begins with a quotation
  mark and ends with one (trailing .,;: allowed after the mark), or that is
  enclosed by marks in the text. Every other fragment is gold indirect.
- Tokens are ``\\w+`` runs. A prediction and a gold unit *match* when they
  share at least half of the tokens of the longer of the two; matching is
  one-to-one, greedily by shared tokens.
- Quote P/R/F1: predictions are the direct and partial quotes. A prediction
  that matches no gold direct quote but lies at least half inside some gold
  Content (a quoted fragment of an indirect report) is neither right nor
  wrong and is left out; any other unmatched prediction is a false positive.
- Speaker mention, over matched pairs: spans are compared after trimming
  whitespace and punctuation at both ends. TP = predicted speaker_mention
  equals the gold Source span. P = TP / pairs with a predicted mention,
  R = TP / pairs with a gold Source, accuracy = share of pairs that agree
  (both empty counts as agreement).
- Indirect P/R/F1: predicted indirect quotes against gold indirect units, same
  matching rule.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "polnear"
MARKS = "“”\"'‘’«»„"
WORD = re.compile(r"\w+")
PUNCT_TRIM = " \t\n\u00a0.,;:!?—–-()[]" + MARKS


def read_ann(path: Path) -> list[dict]:
    spans, events = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if parts[0].startswith("T") and len(parts) >= 2:
            label, rng = parts[1].split(" ", 1)
            spans[parts[0]] = (label, [tuple(map(int, r.split())) for r in rng.split(";")])
        elif parts[0].startswith("E") and len(parts) >= 2:
            events.append(dict(x.split(":", 1) for x in parts[1].split()))
    out = []
    for ev in events:
        content = spans.get(ev.get("Content", ""))
        if not content:
            continue
        source = spans.get(ev.get("Source", ""))
        out.append({"content": content[1], "source": (source[1][0][0], source[1][-1][1]) if source else None})
    return out


def trim(text: str, a: int, b: int, chars: str = " \t\n") -> tuple[int, int]:
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


def is_direct(text: str, a: int, b: int) -> bool:
    a, b = trim(text, a, b)
    if b <= a:
        return False
    frag = text[a:b].rstrip(".,;:")
    if frag[:1] in MARKS and frag[-1:] in MARKS:
        return True
    return text[a - 1 : a] in MARKS and text[b : b + 1] in MARKS


class Tokens:
    def __init__(self, text: str):
        self.starts = [m.start() for m in WORD.finditer(text)]
        self.ends = [m.end() for m in WORD.finditer(text)]

    def of(self, a: int, b: int) -> set[int]:
        from bisect import bisect_left, bisect_right

        i = bisect_left(self.ends, a + 1)
        j = bisect_right(self.starts, b - 1)
        return set(range(i, j))


def match(preds: list[set[int]], golds: list[set[int]]) -> dict[int, int]:
    """Greedy one-to-one matching: pred index -> gold index."""
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            shared = len(p & g)
            if shared and shared * 2 >= max(len(p), len(g)):
                cands.append((shared, i, j))
    cands.sort(reverse=True)
    used_p, used_g, out = set(), set(), {}
    for _, i, j in cands:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out[i] = j
    return out


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def articles(split: str, limit: int | None, every: int = 1):
    base = DATA / split
    chosen: dict[str, Path] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        name = re.sub(r"_[0-9a-f]{4}$", "", ann.stem)
        if not (base / "text" / f"{name}.txt").exists():
            name = ann.stem
        chosen.setdefault(name, ann)
    for i, (name, ann) in enumerate(sorted(chosen.items())[::every]):
        if limit is not None and i >= limit:
            break
        yield name, (base / "text" / f"{name}.txt").read_text(encoding="utf-8"), read_ann(ann)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--every", type=int, default=1, help="take every k-th article (spread a sample over outlets)")
    ap.add_argument("--errors", action="store_true", help="print misses and false positives")
    args = ap.parse_args(argv)
    if not (DATA / args.split).is_dir():
        print(f"PolNeAR not found at {DATA / args.split}", file=sys.stderr)
        return 2

    from newsledger.analyze.entities import find_entities
    from newsledger.analyze.nlp import get_nlp
    from newsledger.analyze.quotes import attribute_quotes

    nlp = get_nlp()
    data = list(articles(args.split, args.limit, args.every))
    t0 = time.perf_counter()
    docs = list(nlp.pipe((t for _, t, _ in data), batch_size=16))
    t_parse = time.perf_counter() - t0

    q_tp = q_pred = q_gold = 0
    i_tp = i_pred = i_gold = 0
    s_tp = s_pred = s_gold = s_agree = pairs = 0
    t_analyze = 0.0
    for (name, text, gold), doc in zip(data, docs):
        t1 = time.perf_counter()
        quotes = attribute_quotes(doc, find_entities(doc))
        t_analyze += time.perf_counter() - t1
        toks = Tokens(text)
        g_direct, g_indirect, g_all = [], [], []
        for att in gold:
            for a, b in att["content"]:
                unit = (toks.of(a, b), att["source"], (a, b))
                g_all.append(unit[0])
                (g_direct if is_direct(text, a, b) else g_indirect).append(unit)
        g_direct = [g for g in g_direct if g[0]]
        g_indirect = [g for g in g_indirect if g[0]]

        preds = [q for q in quotes if q.kind in ("direct", "partial")]
        p_toks = [toks.of(q.start, q.end) for q in preds]
        m = match(p_toks, [g[0] for g in g_direct])
        scored = 0
        for i, q in enumerate(preds):
            if i in m:
                scored += 1
                continue
            inside = any(len(p_toks[i] & g) * 2 >= len(p_toks[i]) for g in g_all)
            if not inside:
                scored += 1
                if args.errors:
                    print(f"FP  {name}: {q.text[:90]!r}")
        q_tp += len(m)
        q_pred += scored
        q_gold += len(g_direct)
        if args.errors:
            hit = set(m.values())
            for j, g in enumerate(g_direct):
                if j not in hit:
                    a, b = g[2]
                    print(f"FN  {name}: {text[a:b][:90]!r}")
        for i, j in m.items():
            q, (_, src, _) = preds[i], g_direct[j]
            pairs += 1
            gs = trim(text, *src, PUNCT_TRIM) if src else None
            ps = trim(text, q.speaker_mention.start, q.speaker_mention.end, PUNCT_TRIM) if q.speaker_mention else None
            s_pred += ps is not None
            s_gold += gs is not None
            if ps is not None and ps == gs:
                s_tp += 1
            if ps == gs:
                s_agree += 1
            elif args.errors:
                print(
                    f"SPK {name}: gold={text[gs[0]:gs[1]] if gs else None!r} "
                    f"pred={text[ps[0]:ps[1]] if ps else None!r} quote={q.text[:50]!r}"
                )

        ind = [q for q in quotes if q.kind == "indirect"]
        mi = match([toks.of(q.start, q.end) for q in ind], [g[0] for g in g_indirect])
        i_tp += len(mi)
        i_pred += len(ind)
        i_gold += len(g_indirect)

    n = len(data)
    print(f"PolNeAR {args.split}: {n} articles, {q_gold} gold direct quotes, {i_gold} gold indirect units")
    print("direct-quote content overlap   P=%.3f R=%.3f F1=%.3f" % prf(q_tp, q_pred, q_gold))
    print("speaker mention exact match    P=%.3f R=%.3f F1=%.3f" % prf(s_tp, s_pred, s_gold)
          + f"  accuracy={s_agree / pairs if pairs else 0:.3f} over {pairs} matched quotes")
    print("indirect content overlap       P=%.3f R=%.3f F1=%.3f" % prf(i_tp, i_pred, i_gold))
    print(f"speed: spaCy parse {n / t_parse:.1f} articles/s, entities+quotes {n / t_analyze:.1f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
