"""Quote and speaker evaluation on PolNeAR (brat standoff attributions), by statement.

Usage: python eval/quotes_eval.py [--split train|dev] [--every K] [--limit N] [--errors]

Sets: tune on ``--split train --every 8`` (one article in eight); PolNeAR
``dev`` is the held-out set, scored only for the before/after figures.
Reads ../shared/data/polnear/<split>/ relative to the repository root; where
an article has several annotators' files, the first by file name is used.

Definitions (the issue-12 measure):

- Quoted text: characters between a pair of quotation marks, paired per
  paragraph by this script alone (curly pairs, straight marks toggling).
- A gold attribution is a *statement*: the word tokens (``\\w+``) of all its
  Content fragments together. It is a gold **direct** statement when at
  least 80% of those tokens are quoted. In any other attribution each quoted
  run inside the Content is a gold **partial** quote, and the whole Content
  is a gold **indirect** statement.
- A prediction's tokens are those of its parts (``Quote.parts``, else
  start..end). A prediction and a gold unit *match* when they share at least
  half of the tokens of the longer of the two; matching is one-to-one,
  greedily by shared tokens.
- Direct P/R/F1: predicted ``direct`` quotes against gold direct statements.
  An unmatched predicted direct quote that matches a gold partial quote is
  left out (right text, other class); every other one is a false positive.
- Partial P/R/F1: predicted ``partial`` quotes (and direct ones left over)
  against gold partial quotes; same rule in reverse.
- Indirect P/R/F1: predicted ``indirect`` quotes against gold indirect statements.
- Speaker right: over matched pairs whose gold has a Source, the predicted
  ``speaker_mention`` overlaps the gold Source span by at least one character.
  Predictions of kind title/term/scare are not quotes and are not scored.

Recorded (issue 12; F1 and speaker right; before -> after):
  held-out dev (84 articles):  direct 0.812 -> 0.907, speaker 0.896 -> 0.920;
                               partial 0.608 -> 0.550, speaker 0.466 -> 0.798;
                               indirect 0.432 -> 0.476, speaker 0.925 -> 0.927;
                               --strict direct 0.626 -> 0.725
  tuned-on train/8 (105):      direct 0.784 -> 0.912, speaker 0.900 -> 0.913;
                               partial 0.565 -> 0.503, speaker 0.430 -> 0.727;
                               indirect 0.362 -> 0.396, speaker 0.924 -> 0.927;
                               --strict direct 0.640 -> 0.768
Fictional blind set (eval/quotes_blind.py, never tuned on): 9/13 quotes, 7/9 speakers, 12 extra,
0/5 not-quotes before; 11/13, 10/11, 3 extra, 4/5 at its first run on the new code.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from bisect import bisect_left, bisect_right
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "polnear"
WORD = re.compile(r"\w+")
MARKS_RE = re.compile(r"``|''|[\"“”«»]")
PARA = re.compile(r"\n\s*\n")


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
        out.append({"content": content[1], "source": source[1] if source else None})
    return out


def quoted_mask(text: str) -> bytearray:
    """1 for characters inside quotation marks (“ ”, « », straight or doubled-apostrophe marks)."""
    mask = bytearray(len(text))
    pos = 0
    bounds = [m.start() for m in PARA.finditer(text)] + [len(text)]
    for end in bounds:
        open_end, closers = None, ""
        for m in MARKS_RE.finditer(text, pos, end):
            mark = m.group()
            if open_end is None:
                if mark in ("“", "«", '"', "``", "''"):
                    open_end, closers = m.end(), {"“": "”\"", "«": "»"}.get(mark, '"”')
            elif mark in closers or (mark == "''" and '"' in closers):
                mask[open_end : m.start()] = b"\x01" * (m.start() - open_end)
                open_end = None
        if open_end is not None:  # a quote running to the paragraph end
            mask[open_end:end] = b"\x01" * (end - open_end)
        pos = end
    return mask


class Tokens:
    def __init__(self, text: str):
        found = list(WORD.finditer(text))
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]

    def of(self, a: int, b: int) -> set[int]:
        i = bisect_left(self.ends, a + 1)
        j = bisect_right(self.starts, b - 1)
        return set(range(i, j))


def match(preds: list[set[int]], golds: list[set[int]]) -> dict[int, int]:
    """Greedy one-to-one matching (pred index -> gold index), half of the longer shared."""
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


def articles(split: str, every: int = 1, limit: int | None = None):
    base = DATA / split
    chosen: dict[str, Path] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        name = re.sub(r"_[0-9a-f]{4}$", "", ann.stem)
        if not (base / "text" / f"{name}.txt").exists():
            name = ann.stem
        chosen.setdefault(name, ann)
    picked = sorted(chosen.items())[::every]
    for name, ann in picked[:limit]:
        yield name, (base / "text" / f"{name}.txt").read_text(encoding="utf-8"), read_ann(ann)


def gold_units(text: str, toks: Tokens, gold: list[dict]):
    """(direct, partial, indirect) lists of (tokens, source spans, first char)."""
    mask = quoted_mask(text)
    direct, partial, indirect = [], [], []
    for att in gold:
        frags = att["content"]
        units = set().union(*(toks.of(a, b) for a, b in frags))
        if not units:
            continue
        quoted = {t for t in units if mask[toks.starts[t]]}
        src = att["source"]
        if len(quoted) >= 0.8 * len(units):
            direct.append((units, src, frags[0][0]))
            continue
        indirect.append((units, src, frags[0][0]))
        run: list[int] = []
        for t in sorted(units) + [None]:
            if t is not None and t in quoted and (not run or t == run[-1] + 1):
                run.append(t)
                continue
            if run:
                partial.append((set(run), src, toks.starts[run[0]]))
            run = [t] if t is not None and t in quoted else []
    return direct, partial, indirect


def pred_tokens(toks: Tokens, q) -> set[int]:
    parts = getattr(q, "parts", None) or []
    if parts:
        return set().union(*(toks.of(p.start, p.end) for p in parts))
    return toks.of(q.start, q.end)


def speaker_right(q, src) -> bool:
    m = q.speaker_mention
    if m is None or not src:
        return False
    return any(m.start < b and a < m.end for a, b in src)


class Score:
    def __init__(self, name: str):
        self.name, self.tp, self.pred, self.gold, self.pairs, self.spk = name, 0, 0, 0, 0, 0

    def line(self) -> str:
        p, r, f = prf(self.tp, self.pred, self.gold)
        acc = self.spk / self.pairs if self.pairs else 0.0
        return (f"{self.name:9s} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp {self.tp}, pred {self.pred}, gold {self.gold})"
                f"  speaker right {acc:.3f} of {self.pairs} matched")


def score_article(name, text, gold, quotes, sc: dict[str, Score], errors: bool, strict: bool = False) -> None:
    toks = Tokens(text)
    g_dir, g_part, g_ind = gold_units(text, toks, gold)
    quotes = [q for q in quotes if q.kind in ("direct", "partial", "indirect")]
    direct = [q for q in quotes if q.kind == "direct"]
    partial = [q for q in quotes if q.kind == "partial"]
    ind = [q for q in quotes if q.kind == "indirect"]

    def run(key, preds, golds, spill=None):
        s = sc[key]
        pt = [pred_tokens(toks, q) for q in preds]
        m = match(pt, [g[0] for g in golds])
        left = [i for i in range(len(preds)) if i not in m]
        neutral = set()
        if spill is not None:
            m2 = match([pt[i] for i in left], [g[0] for g in spill])
            neutral = {left[i] for i in m2}
        s.tp += len(m)
        s.pred += len(preds) - len(neutral)
        s.gold += len(golds)
        for i, j in m.items():
            src = golds[j][1]
            if src:
                s.pairs += 1
                ok = speaker_right(preds[i], src)
                s.spk += ok
                if errors and not ok:
                    gs = " / ".join(text[a:b] for a, b in src)
                    got = preds[i].speaker_mention.text if preds[i].speaker_mention else None
                    print(f"SPK {key} {name}: gold={gs!r} pred={got!r} q={preds[i].text[:60]!r}")
        if errors:
            for i in left:
                if i not in neutral:
                    print(f"FP  {key} {name}: {preds[i].text[:100]!r}")
            hit = set(m.values())
            for j, g in enumerate(golds):
                if j not in hit:
                    a = g[2]
                    print(f"FN  {key} {name}: {text[a:a + 100]!r}")

    if strict:  # every quoted prediction against direct statements, no class left out
        run("direct", direct + partial, g_dir)
        run("partial", partial, g_part)
    else:
        run("direct", direct, g_dir, g_part)
        run("partial", partial, g_part, g_dir)
    run("indirect", ind, g_ind)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev")
    ap.add_argument("--every", type=int, default=1, help="take every k-th article (tuning set: --split train --every 8)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--errors", action="store_true", help="print misses, false positives and wrong speakers")
    ap.add_argument("--strict", action="store_true",
                    help="direct: all direct and partial predictions against direct statements, none left out")
    args = ap.parse_args(argv)
    if not (DATA / args.split).is_dir():
        print(f"PolNeAR not found at {DATA / args.split}", file=sys.stderr)
        return 2

    from newsledger.analyze.entities import find_entities
    from newsledger.analyze.nlp import get_nlp
    from newsledger.analyze.quotes import attribute_quotes

    nlp = get_nlp()
    data = list(articles(args.split, args.every, args.limit))
    t0 = time.perf_counter()
    docs = list(nlp.pipe((t for _, t, _ in data), batch_size=16))
    t_parse = time.perf_counter() - t0
    sc = {k: Score(k) for k in ("direct", "partial", "indirect")}
    t_analyze = 0.0
    for (name, text, gold), doc in zip(data, docs):
        t1 = time.perf_counter()
        quotes = attribute_quotes(doc, find_entities(doc))
        t_analyze += time.perf_counter() - t1
        score_article(name, text, gold, quotes, sc, args.errors, args.strict)
    n = len(data)
    print(f"PolNeAR {args.split} (every {args.every}): {n} articles")
    for s in sc.values():
        print(s.line())
    print(f"speed: spaCy parse {n / t_parse:.1f} articles/s, entities+quotes {n / t_analyze:.1f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
