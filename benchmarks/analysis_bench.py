"""CPU cost of newsledger's analysis stage against bare spaCy.

On the same texts, in one process, measures CPU time (``time.process_time``,
so a loaded shared machine does not distort the numbers) of

1. bare ``nlp.pipe`` with the full en_core_web_sm pipeline (batch 32),
2. ``Analyzer().analyze`` end to end (its own spaCy run included),
3. each component (entities, quotes, places, framing, claims) on contexts
   whose docs were parsed beforehand,

and prints articles/s per core, ms/article per component, the overhead ratio
(Analyzer / bare spaCy) and peak RSS.

Texts: ``--n`` generated fictional English news articles (400-900 words) plus,
when ``--data`` exists, the gold bodies of the extraction-dev set.

Usage: ``python benchmarks/analysis_bench.py [--n N] [--data DIR] [--profile OUT.prof]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction-dev"

_PEOPLE = ("Mara Quillfeather", "Tobias Wrenley", "Ilse Varga", "Dr Amos Pell", "Councillor Ruth Ogundipe")
_ORGS = ("the Northwind Port Authority", "Harbourline Ferries", "the Coastal Grain Board", "Eastmere University")
_PLACES = ("Aberdeen", "Rotterdam", "Lagos", "Valparaíso", "Oslo", "Hobart", "Gdańsk", "Cork")
_DAYS = ("on Monday", "on Tuesday", "last week", "on 3 March", "in 2023", "yesterday")
_NOUNS = ("budget", "ferry timetable", "harbour levy", "flood barrier", "grain quota", "rail link", "school plan")
_VERBS = ("said", "told reporters", "warned", "claimed", "insisted", "argued")


def generated_text(i: int) -> str:
    """A fictional news body of roughly 400-900 words with quotes, places, dates and claims."""
    rnd = random.Random(i)
    c = rnd.choice
    sentences = []
    target = rnd.randint(400, 900)
    words = 0
    while words < target:
        kind = rnd.random()
        if kind < 0.2:
            s = f'"The {c(_NOUNS)} will cost {rnd.randint(2, 90)} million euros," {c(_PEOPLE)} {c(_VERBS)} {c(_DAYS)}.'
        elif kind < 0.35:
            s = f"{c(_PEOPLE)} {c(_VERBS)} that {c(_ORGS)} had cut the {c(_NOUNS)} in {c(_PLACES)} {c(_DAYS)}."
        elif kind < 0.5:
            s = f"According to {c(_ORGS)}, the {c(_NOUNS)} in {c(_PLACES)} rose by {rnd.randint(1, 40)} percent {c(_DAYS)}."
        elif kind < 0.6:
            s = f'"We will not accept this," said {c(_PEOPLE)}, a spokesperson for {c(_ORGS)}.'
        elif kind < 0.75:
            s = (
                f"Critics in {c(_PLACES)} described the {c(_NOUNS)} as a crisis, while officials in "
                f"{c(_PLACES)} called it a modest reform."
            )
        else:
            s = (
                f"The {c(_NOUNS)} was debated {c(_DAYS)} by members of {c(_ORGS)} who met near {c(_PLACES)} "
                f"to review {rnd.randint(3, 300)} complaints from residents."
            )
        sentences.append(s)
        words += len(s.split())
        if rnd.random() < 0.3:
            sentences.append("\n\n")
    return " ".join(sentences).replace(" \n\n ", "\n\n")


def load_texts(n: int, data: Path) -> tuple[list[str], int]:
    texts = [generated_text(i) for i in range(n)]
    gold = data / "gold.jsonl"
    n_gold = 0
    if gold.exists():
        with gold.open(encoding="utf-8") as fh:
            for line in fh:
                text = (json.loads(line).get("text") or "").strip()
                if text:
                    texts.append(text)
                    n_gold += 1
    return texts, n_gold


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60, help="generated articles")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--profile", type=Path, help="write a cProfile of the Analyzer run here")
    args = ap.parse_args()

    from newsledger.analyze.nlp import get_nlp
    from newsledger.analyze.pipeline import Analyzer, Context
    from newsledger.schema import Article

    texts, n_gold = load_texts(args.n, args.data)
    articles = [Article(id=f"bench-{i}", language="en", text=t) for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} texts ({args.n} generated, {n_gold} extraction-dev gold), {words} words")

    analyzer = Analyzer()  # loads every model and resource before timing
    full = get_nlp.__wrapped__()  # the whole stock pipeline, whatever the Analyzer disables
    list(full.pipe(texts[:4]))
    analyzer.analyze_one(articles[0])

    t0 = time.process_time()
    docs = list(full.pipe(texts, batch_size=32))
    bare = time.process_time() - t0

    t0 = time.process_time()
    results = list(analyzer.analyze(articles))
    total = time.process_time() - t0

    # Per component: rerun each on contexts over docs from the Analyzer's own
    # spaCy pipeline, feeding every component what the earlier ones produced.
    from newsledger.analyze.nlp import docs_for

    t0 = time.process_time()
    ctxs = [Context(article=a, doc=d) for a, d in docs_for(analyzer.nlp, articles, batch_size=32)]
    spacy_own = time.process_time() - t0
    per_comp = {}
    for name, (kind, comp) in zip(analyzer.names, analyzer.components):
        t0 = time.process_time()
        for ctx in ctxs:
            setattr(ctx, kind, comp(ctx))
        per_comp[name] = time.process_time() - t0

    n = len(texts)
    ms = lambda s: 1000 * s / n  # noqa: E731
    print(f"{'stage':<28}{'ms/article':>12}{'articles/s/core':>18}")
    print(f"{'bare nlp.pipe (full sm)':<28}{ms(bare):>12.1f}{n / bare:>18.2f}")
    print(f"{'analyzer spaCy part':<28}{ms(spacy_own):>12.1f}{n / spacy_own:>18.2f}")
    for name, secs in per_comp.items():
        print(f"{'  ' + name:<28}{ms(secs):>12.1f}")
    comps = sum(per_comp.values())
    print(f"{'  components total':<28}{ms(comps):>12.1f}")
    print(f"{'Analyzer end to end':<28}{ms(total):>12.1f}{n / total:>18.2f}")
    print(f"overhead over bare nlp.pipe: {100 * (total / bare - 1):+.1f}%  (components alone {100 * comps / bare:.1f}%)")
    print(
        f"outputs: {sum(len(r.entities) for r in results)} entities, {sum(len(r.quotes) for r in results)} quotes, "
        f"{sum(len(r.places) for r in results)} places, {sum(len(r.claims) for r in results)} claims"
    )
    print(f"peak RSS: {peak_rss_mib():.0f} MiB; {len(docs)} docs")

    if args.profile:  # a separate pass: profiling inflates the timings above
        import cProfile

        cProfile.runctx("list(analyzer.analyze(articles))", globals(), locals(), str(args.profile))
        print(f"profile of one Analyzer pass written to {args.profile}")


if __name__ == "__main__":
    main()
