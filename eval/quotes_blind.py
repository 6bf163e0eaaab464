"""Score the quote finder on the fictional blind set (eval/data/quotes_blind.jsonl).

Usage: python eval/quotes_blind.py

Each line: a text, the quotes a reader would list (kind, statement text with
its parts joined by one space, speaker or null for an unnamed source) and
quoted text that is no quote (title, term, scare). A quote is found when a
predicted quote of the same kind has the same text; its speaker is right when
the predicted speaker equals the expected one (null = unnamed). Not-quotes
are right when predicted with the expected kind.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    from newsledger.analyze.entities import find_entities
    from newsledger.analyze.nlp import get_nlp
    from newsledger.analyze.quotes import attribute_quotes

    nlp = get_nlp()
    cases = [json.loads(l) for l in (HERE / "data" / "quotes_blind.jsonl").read_text().splitlines() if l.strip()]
    gold = found = spk = extra = nq = nq_right = 0
    for case in cases:
        doc = nlp(case["text"])
        preds = attribute_quotes(doc, find_entities(doc))
        quotes = [q for q in preds if q.kind in ("direct", "partial", "indirect")]
        used = set()
        for exp in case["quotes"]:
            gold += 1
            hit = next((i for i, q in enumerate(quotes) if i not in used and q.kind == exp["kind"]
                        and " ".join(q.text.split()) == " ".join(exp["text"].split())), None)
            if hit is None:
                print(f"MISS {exp['kind']} {exp['text']!r}: got {[(q.kind, q.text) for q in quotes]}")
                continue
            used.add(hit)
            found += 1
            if quotes[hit].speaker == exp["speaker"]:
                spk += 1
            else:
                print(f"SPK  {exp['text'][:40]!r}: want {exp['speaker']!r} got {quotes[hit].speaker!r}")
        extra += sum(1 for i, q in enumerate(quotes) if i not in used and q.kind != "indirect")
        for exp in case.get("not_quotes", []):
            nq += 1
            kind = next((q.kind for q in preds if q.text == exp["text"]), None)
            nq_right += kind == exp["kind"]
            if kind != exp["kind"]:
                print(f"KIND {exp['text']!r}: want {exp['kind']} got {kind}")
    print(f"blind: {found}/{gold} quotes found, speaker right {spk}/{found}, "
          f"{extra} extra direct/partial, not-quotes right {nq_right}/{nq}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
