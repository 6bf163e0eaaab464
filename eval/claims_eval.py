"""Evaluate claim extraction.

1. PLOVER gold-standard sentences (``../shared/data/plover/PLOVER_GSR_CAMEO.txt``,
   skipped when absent): each sentence's first claim (its main event) is
   compared with the gold event. Gold records use PLOVER 0.5 names; they are
   mapped to the current categories as the PLOVER manual's CAMEO-to-PLOVER
   table does: DEMAND -> REQUEST, DISAPPROVE -> ACCUSE, INVESTIGATE ->
   ACCUSE, FIGHT -> ASSAULT. Our claims are converted with ``plover_category``
   (PLOVER folds modality into categories: intent to cooperate is AGREE, a
   promised retreat CONCEDE, a stated future coercive act THREATEN;
   territorial gains/fighting are ASSAULT, losses RETREAT). A sentence with
   no claim counts as a miss.
   Actor accuracy: the share of gold sentences with a coded source actor
   whose predicted actor code is one of the gold source codes (legacy CAMEO
   codes such as JAP/ITL are mapped to ISO3), and the same share among
   sentences where an actor was predicted.
2. Our fictional ACLED-style territorial snippets: ``eval/data/territorial_snippets.jsonl``
   (the rules were tuned on it) and ``eval/data/territorial_holdout.jsonl`` (written
   afterwards, not tuned on): type P/R/F1, actor code accuracy, place match (gold
   name within the claim place's text or name) and modality accuracy.

Each held-out set was scored once before any rule was changed for it: held
out 1 gave micro F1 0.611 (vocabulary gaps: "left", "regained", "pushed
out of", "closing in on"), held out 2 gave 0.757 (TAKE_CONTROL F1 0.84).
Those first scores are the honest estimates; both sets were used for
tuning afterwards, so their current scores are optimistic.

3. ``eval/data/territorial_blind.jsonl``: 60 snippets from many conflicts
   (Sudan, Myanmar, Sahel, Gaza, Syria, Congo, Colombia, Haiti...), with
   gold sector and five non-territorial distractors (gold OTHER), scored on
   territorial types only. Before any rule change for it: micro F1 0.885
   (TAKE_CONTROL 0.90, LOSE_CONTROL 0.91, CONTESTED 0.82), actor 0.457,
   sector 0.667, place 0.833, modality 0.817. The fixes (armed-group
   lexicon, place-country coding of unnamed armed groups, reported denials,
   "advanced into", "forced out of", "battle", "took over" needing a place)
   were written as general rules, but the set has since been tuned on.
4. ``eval/data/territorial_blind2.jsonl``: 20 more, written after those
   changes and scored once before any further change: micro F1 0.750
   (TAKE_CONTROL 0.77, LOSE_CONTROL 0.83, CONTESTED 0.57), actor 0.857,
   sector 0.750, place 0.750, modality 0.800. That is the honest estimate
   of the rules at that point (n=20, so roughly +-0.1).
5. ``eval/data/territorial_blind3.jsonl``: 20 more, written after the
   fixes prompted by blind 2 and scored once before changing anything for
   it: micro F1 0.800 (TAKE_CONTROL 0.75, LOSE_CONTROL 0.89, CONTESTED
   0.80), actor 0.750, sector 0.750, place 0.750, modality 0.800.
6. ``eval/data/territorial_blind4.jsonl``: 16 more after the blind-3 fixes,
   scored once: micro F1 0.800 (TAKE_CONTROL 0.80, LOSE_CONTROL 1.00,
   CONTESTED 0.50), actor 0.889, sector 0.750, place 0.750, modality 0.750
   (one miss is by design: a conditional seizure is typed THREATEN).
   Across blind 2-4 (56 snippets scored blind) the honest estimate of the
   territorial type F1 is about 0.78.

After all changes (every set has now been tuned on): PLOVER micro F1 0.722
(unchanged), actor accuracy 0.561 (was 0.555); blind 1.000, blind 2-4
0.94/0.94/0.96; dev, held out 1 and 2 unchanged (1.00/1.00/0.95).

7. ``eval/data/territorial_blind5.jsonl`` (issue 10): 127 snippets (wire, monitor and state-media
   styles; Ukraine, Sudan, Myanmar, Sahel, Syria, Yemen, Congo, Haiti, Libya...), 67 of them (53%)
   negatives of the failure classes seen on real reports (field ``cls``): seized things, crimes
   located in X, attempts and failures (gold CONTESTED, or TAKE_CONTROL with modality
   "attempted"), organisational and movement verbs, surrender and displacement, non-place place
   slots, clash versus contested. Even lines are the tuning half, odd lines are held out and were
   never looked at while tuning. Scored once before any issue-10 rule change:
   tuning half  micro P/R/F1 0.714/0.857/0.779 (TAKE_CONTROL P 0.73 R 1.00, LOSE_CONTROL F1 0.77,
                CONTESTED F1 0.69), place 0.771, modality 0.857;
   held-out half micro P/R/F1 0.784/0.829/0.806 (TAKE_CONTROL P 0.80 R 1.00, LOSE_CONTROL F1 0.86,
                CONTESTED F1 0.64), place 0.857, modality 0.800;
   right per class (both halves): take 25/25, lose 10/12, contested 13/15, denial 6/6, seized
   things 10/11, crime located 10/10, attempt 3/10, movement 8/10, surrender/displacement 6/8,
   non-place 7/10, clash 5/10.

   After the issue-10 rule changes (general rules for the classes, written from the issue's
   descriptions and the tuning half's misses; the held-out half's misses had been printed by the
   first run, so it is not strictly unseen): both halves 1.000 type micro F1, place 0.886,
   modality 0.986; every class right.
8. ``eval/data/territorial_blind6.jsonl``: 45 more (22 negatives of the classes), written after
   all issue-10 changes and scored once before any change for it, the honest estimate: micro
   P/R/F1 0.864/0.826/0.844 (TAKE_CONTROL P 0.82 R 0.90 F1 0.86, LOSE_CONTROL P 1.00 R 0.75,
   CONTESTED P 0.88 R 0.78), place 0.783, modality 0.913; every negative of the failure classes
   right (22/22); misses: "swept into X", "battling to retake X", "a failed assault to take X",
   "ordered its troops to leave X". Fixed afterwards with general rules (attempt patterns for
   "battling to", "an assault to", "launched ... to"; "sweep into"): 0.957 since (tuned on).

9. ``eval/data/territorial_blind7.jsonl``: 40 more (22 negatives of the classes), written after
   the blind-6 fixes and scored once, never tuned on: type micro P/R/F1 1.000/1.000/1.000, place
   0.857, modality 0.952, every class right. The same person wrote the rules and the snippets, so
   blind sets share the rules' idea of a news sentence: expect less on real reports.

10. Real reporting, no gold (``--offtopic``): territorial claims on the 349 real articles of
   extraction-dev (gold bodies) and GeoVirus (WikiNews), almost all of them not about war, so
   nearly every territorial claim there is a false positive ("left Microsoft", "fell ill",
   "was taken to hospital", "Kentucky's loss to Miami"). Before issue 10: 95 (27 per 100
   articles); after: 9 (2.6 per 100), two of which are right (a siege and an encirclement in
   Gaza). These rules ("blocked_by", "party_only", destinations) were written from that
   before-list, so this figure is tuned on.

Issue 10 redefined CONTESTED (a fight in or near X is ASSAULT; control must be at stake), so
snippets of the older sets whose gold is CONTESTED for "fighting in/around X" or "clashes
erupted in X" now count as misses (one in dev, two in blind 1, two in blind 2, one each in blind
3 and 4); before/after for the older sets: dev 1.000 -> 0.972, blind 1 1.000 -> 0.981, blind 2
0.941 -> 0.875, blind 3 0.941 -> 0.909, blind 4 0.963 -> 0.923; PLOVER micro F1 0.722 -> 0.722.

Run: ``.venv/bin/python eval/claims_eval.py [--limit N] [--blind5]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLOVER = ROOT.parent / "shared" / "data" / "plover" / "PLOVER_GSR_CAMEO.txt"
SNIPPETS = ROOT / "eval" / "data" / "territorial_snippets.jsonl"
# Written after the rules were tuned on SNIPPETS and never tuned on: an honest estimate.
HOLDOUT = ROOT / "eval" / "data" / "territorial_holdout.jsonl"
# The first held-out set was used for tuning once scored; this second one has not been.
HOLDOUT2 = ROOT / "eval" / "data" / "territorial_holdout2.jsonl"
# 60 snippets from many conflicts (Sudan, Myanmar, Sahel, Gaza, Congo...), written blind before any rule change.
BLIND = ROOT / "eval" / "data" / "territorial_blind.jsonl"
# 20 more, written after the rules were changed for BLIND and scored once: the honest estimate.
BLIND2 = ROOT / "eval" / "data" / "territorial_blind2.jsonl"
# 20 more, written after the fixes for BLIND2 and scored once.
BLIND3 = ROOT / "eval" / "data" / "territorial_blind3.jsonl"
# 16 more, written after the fixes for BLIND3 and scored once.
BLIND4 = ROOT / "eval" / "data" / "territorial_blind4.jsonl"
# 127 snippets written for issue 10 before any of its rule changes, 53% negatives of named failure
# classes (field "cls"); even lines may be looked at while tuning, odd lines are held out.
BLIND5 = ROOT / "eval" / "data" / "territorial_blind5.jsonl"
# 45 more, written after the issue-10 rule changes and scored once (0.844): the honest estimate; since tuned on.
BLIND6 = ROOT / "eval" / "data" / "territorial_blind6.jsonl"
# 40 more after the blind-6 fixes, scored once, never tuned on.
BLIND7 = ROOT / "eval" / "data" / "territorial_blind7.jsonl"
GOLD_MAP = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
LEGACY_CODES = {"JAP": "JPN", "ITL": "ITA", "PSE": "PSE"}


def prf(gold: list, pred: list) -> dict:
    """Single-label per item; None means no prediction / no event."""
    labels = sorted({g for g in gold if g} | {p for p in pred if p})
    per = {}
    tp_all = fp_all = fn_all = 0
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if p == lab and g != lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        P = tp / (tp + fp) if tp + fp else 0.0
        R = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = {"p": P, "r": R, "f1": 2 * P * R / (P + R) if P + R else 0.0, "support": tp + fn}
    gold_labels = [lab for lab in labels if per[lab]["support"]]
    micro_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    micro_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    return {
        "per_type": per,
        "macro_p": sum(per[lab]["p"] for lab in gold_labels) / len(gold_labels),
        "macro_r": sum(per[lab]["r"] for lab in gold_labels) / len(gold_labels),
        "macro_f1": sum(per[lab]["f1"] for lab in gold_labels) / len(gold_labels),
        "micro_p": micro_p,
        "micro_r": micro_r,
        "micro_f1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
    }


def analyze_texts(texts: list[str], published: str = "2024-06-14T12:00:00+00:00"):
    from newsledger.analyze.pipeline import Analyzer
    from newsledger.schema import Article, Source

    analyzer = Analyzer()
    arts = [Article(id=f"e{i}", text=t, language="en", published=published, source=Source(name="Eval Wire"))
            for i, t in enumerate(texts)]
    return list(analyzer.analyze(arts))


def eval_plover(limit: int | None) -> dict | None:
    if not PLOVER.exists():
        print(f"skip PLOVER: {PLOVER} not found")
        return None
    recs = [r for r in json.loads(PLOVER.read_text(encoding="utf-8")) if r.get("text") and r["event"] != "DOCUMENT"]
    recs = recs[:limit] if limit else recs
    t0 = time.time()
    results = analyze_texts([r["text"] for r in recs])
    secs = time.time() - t0
    gold = [GOLD_MAP.get(r["event"], r["event"]) for r in recs]
    from newsledger.analyze.claims import plover_category

    pred = [plover_category(a.claims[0]) if a.claims else None for a in results]
    out = prf(gold, pred)
    coded = hit = predicted = hit_pred = 0
    for r, a in zip(recs, results):
        src = r.get("source") if isinstance(r.get("source"), list) else []
        codes = {LEGACY_CODES.get(s.get("code"), s.get("code")) for s in src if s.get("code")}
        if not codes:
            continue
        coded += 1
        code = a.claims[0].actor.code if a.claims and a.claims[0].actor else None
        if code:
            predicted += 1
            if code in codes:
                hit += 1
                hit_pred += 1
    out["actor_acc"] = hit / coded if coded else 0.0
    out["actor_acc_when_predicted"] = hit_pred / predicted if predicted else 0.0
    out["n"] = len(recs)
    out["no_claim"] = sum(p is None for p in pred)
    out["sentences_per_s"] = len(recs) / secs
    out["confusions"] = Counter(f"{g}->{p}" for g, p in zip(gold, pred) if g != p).most_common(12)
    return out


def eval_snippets(path: Path, territorial_only: bool = False) -> dict:
    """With ``territorial_only`` (the blind set) gold type OTHER means "no territorial claim": only
    territorial predictions count, so a non-territorial claim on an OTHER row is correct and a
    territorial one a false positive. Gold ``sector`` (when given) is scored as well."""
    from newsledger.analyze.claims import TERRITORIAL

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = analyze_texts([r["text"] for r in rows])
    gold, pred, actor_ok, actor_n, place_ok, mod_ok, sec_ok, sec_n, misses = [], [], 0, 0, 0, 0, 0, 0, []
    for r, a in zip(rows, results):
        claims = [c for c in a.claims if c.type in TERRITORIAL] if territorial_only else a.claims
        # The claim of the gold type when there is one, else the main claim.
        c = next((c for c in claims if c.type == r["type"]), claims[0] if claims else None)
        other = r["type"] == "OTHER"
        gold.append(None if other else r["type"])
        pred.append(c.type if c else None)
        if r.get("actor"):
            actor_n += 1
            actor_ok += bool(c and c.actor and c.actor.code == r["actor"])
        if r.get("sector"):
            sec_n += 1
            sec_ok += bool(c and c.actor and c.actor.sector == r["sector"])
        got_place = c and c.place and f"{c.place.text} {c.place.name or ''}" or ""
        place_ok += bool(c and r["place"].lower() in got_place.lower()) or (other and c is None)
        mod_ok += bool(c and c.modality == r.get("modality", "asserted")) or (other and c is None)
        if (c.type if c else None) != gold[-1]:
            misses.append((r["text"], c.type if c else None))
    out = prf(gold, pred)
    out.update(actor_acc=actor_ok / actor_n, place_acc=place_ok / len(rows), modality_acc=mod_ok / len(rows),
               n=len(rows), misses=misses)
    if sec_n:
        out["sector_acc"] = sec_ok / sec_n
    return out


def _territorial_label(c) -> str | None:
    # an attempt on X is a fight for X: it never counts as taking it
    if c is None:
        return None
    return "CONTESTED" if c.type == "TAKE_CONTROL" and c.modality == "attempted" else c.type


def eval_classes(path: Path, half: str | None = None) -> dict:
    """Territorial type P/R/F1, place and modality, and the share right per failure class.

    Gold type NONE or ASSAULT means "no territorial claim". A TAKE_CONTROL with modality
    "attempted" counts as CONTESTED. ``half``: "tune" (even lines), "held" (odd lines) or both."""
    from newsledger.analyze.claims import TERRITORIAL

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if half:
        rows = rows[0 if half == "tune" else 1::2]
    results = analyze_texts([r["text"] for r in rows])
    gold, pred, by_cls, misses = [], [], {}, []
    place_ok = place_n = mod_ok = mod_n = assault_ok = assault_n = 0
    for r, a in zip(rows, results):
        g = r["type"] if r["type"] in TERRITORIAL else None
        terr = [c for c in a.claims if c.type in TERRITORIAL]
        c = next((c for c in terr if _territorial_label(c) == g), terr[0] if terr else None)
        p = _territorial_label(c)
        gold.append(g)
        pred.append(p)
        ok = p == g
        n, k = by_cls.get(r["cls"], (0, 0))
        by_cls[r["cls"]] = (n + 1, k + ok)
        if g:
            place_n += 1
            got = c and c.place and f"{c.place.text} {c.place.name or ''}" or ""
            place_ok += bool(c and r["place"].lower() in got.lower())
            mod_n += 1
            want = r.get("modality", "asserted")
            mod_ok += bool(c and (c.modality == want or (want == "attempted" and p == "CONTESTED"
                                                         and c.modality == "asserted")))
        if r["type"] == "ASSAULT":
            assault_n += 1
            assault_ok += any(x.type == "ASSAULT" for x in a.claims)
        if not ok:
            misses.append((r["cls"], r["text"], c and f"{c.type}/{c.modality}/{c.place and c.place.text}"))
    out = prf(gold, pred)
    out.update(n=len(rows), place_acc=place_ok / max(place_n, 1), modality_acc=mod_ok / max(mod_n, 1),
               assault_found=assault_ok / max(assault_n, 1), misses=misses,
               classes={k: f"{v[1]}/{v[0]}" for k, v in sorted(by_cls.items())})
    return out


def eval_offtopic() -> dict | None:
    """Territorial claims on real news that is mostly not about war (extraction-dev gold bodies and
    GeoVirus WikiNews articles, read at eval time only): nearly every one is a false positive, so
    the count per 100 articles estimates the noise a reader filtering TAKE_CONTROL would see."""
    import xml.etree.ElementTree as ET

    from newsledger.analyze.claims import TERRITORIAL

    data = ROOT.parent / "shared" / "data"
    gold, geo = data / "extraction-dev" / "gold.jsonl", data / "geovirus" / "GeoVirus.xml"
    if not (gold.exists() and geo.exists()):
        print("skip off-topic: extraction-dev or geovirus not found")
        return None
    texts = [json.loads(line)["text"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [a.findtext("text") or "" for a in ET.parse(geo).getroot().iter("article")]
    claims = [c for a in analyze_texts(texts) for c in a.claims if c.type in TERRITORIAL]
    return {"articles": len(texts), "territorial_claims": len(claims),
            "per_100_articles": 100 * len(claims) / len(texts),
            "by_type": dict(Counter(c.type for c in claims))}


def _show(name: str, res: dict) -> None:
    print(f"== {name} (n={res['n']})")
    print(f"macro P/R/F1 {res['macro_p']:.3f}/{res['macro_r']:.3f}/{res['macro_f1']:.3f}  "
          f"micro P/R/F1 {res['micro_p']:.3f}/{res['micro_r']:.3f}/{res['micro_f1']:.3f}")
    for lab, v in sorted(res["per_type"].items()):
        print(f"  {lab:13s} P {v['p']:.2f} R {v['r']:.2f} F1 {v['f1']:.2f} (gold {v['support']})")
    for k in ("actor_acc", "actor_acc_when_predicted", "sector_acc", "place_acc", "modality_acc", "assault_found",
              "no_claim", "sentences_per_s"):
        if k in res:
            print(f"  {k}: {res[k]:.3f}" if isinstance(res[k], float) else f"  {k}: {res[k]}")
    if res.get("classes"):
        print("  right per class: " + ", ".join(f"{k} {v}" for k, v in res["classes"].items()))
    for k in ("confusions", "misses"):
        if res.get(k):
            print(f"  {k}: {res[k]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="evaluate only the first N PLOVER sentences")
    ap.add_argument("--blind5", action="store_true", help="only the failure-class set (blind 5), both halves")
    ap.add_argument("--offtopic", action="store_true",
                    help="only count territorial claims on real, mostly non-war news (false positives)")
    args = ap.parse_args(argv)
    if args.offtopic:
        print(eval_offtopic())
        return 0
    if args.blind5:
        _show("failure classes (blind 5, all)", eval_classes(BLIND5))
        return 0
    plover = eval_plover(args.limit)
    if plover:
        _show("PLOVER GSR", plover)
    _show("territorial snippets (dev)", eval_snippets(SNIPPETS))
    _show("territorial snippets (held out 1, since tuned on)", eval_snippets(HOLDOUT))
    _show("territorial snippets (held out 2, since tuned on)", eval_snippets(HOLDOUT2))
    _show("territorial snippets (blind, territorial types only)",
          eval_snippets(BLIND, territorial_only=True))
    _show("territorial snippets (blind 2, territorial types only)", eval_snippets(BLIND2, territorial_only=True))
    _show("territorial snippets (blind 3, territorial types only)", eval_snippets(BLIND3, territorial_only=True))
    _show("territorial snippets (blind 4, territorial types only)", eval_snippets(BLIND4, territorial_only=True))
    _show("failure classes (blind 5, tuning half)", eval_classes(BLIND5, "tune"))
    _show("failure classes (blind 5, held-out half)", eval_classes(BLIND5, "held"))
    _show("failure classes (blind 6)", eval_classes(BLIND6))
    _show("failure classes (blind 7)", eval_classes(BLIND7))
    return 0


if __name__ == "__main__":
    sys.exit(main())
