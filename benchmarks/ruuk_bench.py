"""Russian/Ukrainian analysis cost against English, per 1,000 words, and cold starts.

    .venv/bin/python benchmarks/ruuk_bench.py [--repeat 3]

English: the seed page (tests/fixtures/seed_sputnik.txt); Russian and Ukrainian: the fictional
fixtures repeated to a similar length. Each figure is the best of ``--repeat`` runs after one
warm-up (models loaded). Cold start: a fresh interpreter building the Analyzer and analysing one
English article (what every run pays), then the extra seconds of the first Russian article
(models load lazily). Target (issue 13): Russian <= 1.5x English; cold start <= 3 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
FIX = ROOT / "tests" / "fixtures"

COLD = """
import time
t0 = time.perf_counter()
from newsledger.analyze.pipeline import Analyzer
from newsledger.schema import Article
an = Analyzer()
an.analyze_one(Article(id="e", text="Igor Korotchenko said Seversk was liberated.", language="en"))
t1 = time.perf_counter()
an.analyze_one(Article(id="r", text="Игорь Коротченко заявил, что Северск освобожден.", language="ru"))
an.analyze_one(Article(id="u", text="Андрій Коваленко заявив, що Сіверськ утримують.", language="uk"))
t2 = time.perf_counter()
print(f"{t1 - t0:.2f} {t2 - t1:.2f}")
"""


def per_thousand(an, text: str, lang: str, repeat: int) -> float:
    from newsledger.schema import Article

    an.analyze_one(Article(id="w", text=text, language=lang))
    best = min(_timed(an, Article(id="b", text=text, language=lang)) for _ in range(repeat))
    return best / (len(text.split()) / 1000)


def _timed(an, art) -> float:
    t = time.perf_counter()
    an.analyze_one(art)
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from newsledger.analyze.pipeline import Analyzer

    en = (FIX / "seed_sputnik.txt").read_text(encoding="utf-8")
    n = len(en.split())
    texts = {"en": en}
    for lang, name in (("ru", "ru_tass_fictional.txt"), ("uk", "uk_ministry_fictional.txt")):
        one = (FIX / name).read_text(encoding="utf-8")
        texts[lang] = "\n\n".join([one] * max(1, n // len(one.split())))
    an = Analyzer()
    res = {lang: per_thousand(an, t, lang, args.repeat) for lang, t in texts.items()}
    for lang, secs in res.items():
        print(f"{lang}: {secs * 1000:.0f} ms per 1,000 words ({len(texts[lang].split())} words)"
              + ("" if lang == "en" else f"  = {secs / res['en']:.2f}x English"))
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    cold, extra = map(float, out.stdout.split())
    print(f"cold start (Analyzer + one English article): {cold:.2f} s; first ru+uk articles add {extra:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
