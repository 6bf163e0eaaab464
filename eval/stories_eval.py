"""Evaluate story clusters, reprints and provenance on the fictional multi-outlet corpus.

Ingests eval/data/stories/corpus.jsonl through the real pipeline into a
temporary store, runs the stories hook in batches (as the runner does), and
reports B-cubed P/R/F1 of the clusters, reprint P/R/F1, first-seen accuracy,
contradictions found and altered quotes found.
Run: .venv/bin/python eval/stories_eval.py [--json]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from newsledger import stories
from newsledger.run import ingest
from newsledger.store import open_store

DATA = Path(__file__).parent / "data" / "stories"
BATCH = 8


def bcubed(pred: dict[str, object], gold: dict[str, object]) -> tuple[float, float, float]:
    items = [i for i in gold if i in pred]
    pc, gc = defaultdict(set), defaultdict(set)
    for i in items:
        pc[pred[i]].add(i)
        gc[gold[i]].add(i)
    p = sum(len(pc[pred[i]] & gc[gold[i]]) / len(pc[pred[i]]) for i in items) / len(items)
    r = sum(len(pc[pred[i]] & gc[gold[i]]) / len(gc[gold[i]]) for i in items) / len(items)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def prf(pred: set, gold: set) -> tuple[float, float, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def evaluate(corpus: Path = DATA / "corpus.jsonl", gold_path: Path = DATA / "gold.json") -> dict:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "stories.db"))
        ingest([str(corpus)], store)
        rows = store._read("SELECT id, url FROM articles ORDER BY seq")
        url_of = {r["id"]: r["url"] for r in rows}
        id_of = {u: i for i, u in url_of.items()}
        started = time.process_time()  # CPU time: the machine is shared
        for i in range(0, len(rows), BATCH):
            stories.update(store, [r["id"] for r in rows[i:i + BATCH]])
        update_s = time.process_time() - started

        members = store._read("SELECT article_id, cluster_id FROM story_members")
        pred = {url_of[m["article_id"]]: m["cluster_id"] for m in members}
        p, r, f = bcubed(pred, gold["clusters"])

        copies = store._read("SELECT article_id, copies_article FROM text_copies")
        pred_pairs = {(url_of[c["article_id"]], url_of[c["copies_article"]]) for c in copies}
        rp, rr, rf = prf(pred_pairs, set(gold["reprints"].items()))

        first_ok, first_detail = 0, {}
        for slug, g in gold["first_seen"].items():
            got = _first_seen(store, id_of[g["url"]], g)
            first_detail[slug] = got
            first_ok += got == g["url"]
        contra_ok = 0
        for g in gold["contradictions"]:
            story = stories.get_story(store, pred[g["url"]])
            contra_ok += any(g["url"] in (url_of[c["article_id"]], url_of[c["other_article_id"]])
                             for c in story["contradictions"])
        altered_ok = 0
        for g in gold["altered_quotes"]:
            altered_ok += _altered_found(store, id_of[g["url"]], g["speaker"], url_of)
        n_clusters = len(set(pred.values()))
        store.close()
    return {
        "articles": len(rows), "gold_stories": len(set(gold["clusters"].values())), "clusters": n_clusters,
        "bcubed": {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3)},
        "reprints": {"p": round(rp, 3), "r": round(rr, 3), "f1": round(rf, 3), "pred": len(pred_pairs),
                     "gold": len(gold["reprints"])},
        "first_seen": {"correct": first_ok, "total": len(gold["first_seen"]), "detail": first_detail},
        "contradictions": {"found": contra_ok, "total": len(gold["contradictions"])},
        "altered_quotes": {"found": altered_ok, "total": len(gold["altered_quotes"])},
        "update_ms_per_article": round(1000 * update_s / max(len(rows), 1), 2),
    }


def _first_seen(store, article_id: str, g: dict):
    """URL the provenance of the gold claim names as first seen (via any claim of that type at the place)."""
    # Place names are the gazetteer's spelling (Hulyaypole): match the place as the sentence writes it.
    rows = store._read("SELECT c.id FROM claims c WHERE c.article_id = ? AND c.type = ? AND c.sentence LIKE ? "
                       "ORDER BY c.actor_code IS NULL, c.id LIMIT 1", (article_id, g["type"], f"%{g['place']}%"))
    if not rows:
        return None
    prov = stories.claim_provenance(store, rows[0]["id"])
    first = prov["first_seen"]["article_id"]
    return store._read("SELECT url FROM articles WHERE id = ?", (first,))[0]["url"]


def _altered_found(store, article_id: str, speaker: str, url_of: dict) -> bool:
    rows = store._read("SELECT id FROM quotes WHERE article_id = ? AND speaker = ? AND kind = 'direct'",
                       (article_id, speaker))
    for r in rows:
        prov = stories.quote_provenance(store, r["id"])
        if prov["first"]["article_id"] != article_id and any(u["article_id"] == article_id for u in prov["altered"]):
            return True
    return False


def main() -> None:
    result = evaluate()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
        return
    print(f"articles {result['articles']}  gold stories {result['gold_stories']}  clusters {result['clusters']}")
    b, rp = result["bcubed"], result["reprints"]
    print(f"B-cubed      P {b['p']:.3f}  R {b['r']:.3f}  F1 {b['f1']:.3f}")
    print(f"reprints     P {rp['p']:.3f}  R {rp['r']:.3f}  F1 {rp['f1']:.3f}  ({rp['pred']} found, {rp['gold']} gold)")
    for k in ("first_seen", "contradictions", "altered_quotes"):
        v = result[k]
        print(f"{k:<13}{v.get('correct', v.get('found'))}/{v['total']}")
    print(f"update       {result['update_ms_per_article']} ms CPU/article")


if __name__ == "__main__":
    main()
