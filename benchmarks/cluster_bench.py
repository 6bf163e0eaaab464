"""Story clustering cost per article as the database grows.

Generates synthetic analysed articles (events at invented places, told by
several outlets over the following days, about 300 articles a day), stores
them and times ``stories.update`` (CPU time) per batch of 32, the way the ingest runner
calls it. Prints the update cost per article around each checkpoint (1k, 10k,
100k articles, up to --max): it should stay roughly flat.
Run: .venv/bin/python benchmarks/cluster_bench.py [--max 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

from newsledger import stories
from newsledger.schema import Actor, Analysis, Article, Claim, ClaimPlace, Entity, Place, Source
from newsledger.store import open_store

BATCH = 32
PER_DAY = 300
CHECKPOINTS = (1_000, 3_000, 10_000, 30_000, 100_000)
START = date(2025, 1, 1)


class Generator:
    def __init__(self, seed: int = 1):
        self.rng = random.Random(seed)
        self.vocab = ["".join(self.rng.choice("abcdefghijklmnoprstuvy") for _ in range(self.rng.randint(4, 9)))
                      for _ in range(20_000)]
        self.people = [f"{self.rng.choice(self.vocab).title()} {self.rng.choice(self.vocab).title()}" for _ in range(5_000)]
        self.outlets = [f"outlet{i}.example" for i in range(200)]
        self.events: list[dict] = []
        self.n = 0

    def _event(self, day: int) -> dict:
        r = self.rng
        return {"day": day, "place": 1_000_000 + r.randrange(2_000), "people": r.sample(self.people, 2),
                "type": r.choice(["ASSAULT", "TAKE_CONTROL", "CONTESTED", "AGREE", "PROTEST"]),
                "words": r.sample(self.vocab, 12), "id": len(self.events)}

    def article(self) -> Analysis:
        r = self.rng
        day = self.n // PER_DAY
        # Most articles report a recent event; some open a new one.
        recent = [e for e in self.events[-400:] if day - e["day"] <= 2]
        ev = r.choice(recent) if recent and r.random() < 0.8 else None
        if ev is None:
            ev = self._event(day)
            self.events.append(ev)
        self.n += 1
        title = " ".join(r.sample(ev["words"], 5))
        body = " ".join(r.sample(ev["words"], 8) + r.sample(self.vocab, 60)) + "."
        sents = [" ".join(r.sample(self.vocab, 10)) + "." for _ in range(8)]
        text = body + "\n\n" + " ".join(sents)
        published = (START + timedelta(days=day)).isoformat() + f"T{r.randrange(24):02d}:00:00+00:00"
        aid = f"{self.n:016x}"
        name = f"Place{ev['place']}"
        art = Article(id=aid, url=f"https://{r.choice(self.outlets)}/{aid}", title=title, published=published,
                      text=text, source=Source(domain=r.choice(self.outlets)))
        return Analysis(
            article=art,
            entities=[Entity(text=p, label="PERSON", start=0, end=1, canonical=p) for p in ev["people"]],
            places=[Place(text=name, start=0, end=1, name=name, geonames_id=ev["place"], feature="city")],
            claims=[Claim(type=ev["type"], start=0, end=1, sentence=title, actor=Actor(text="x", code="AAA"),
                          place=ClaimPlace(text=name, name=name, geonames_id=ev["place"]))],
        )


def run(maximum: int) -> Iterator[tuple[int, float, float, int]]:
    gen = Generator()
    marks = [c for c in CHECKPOINTS if c <= maximum] or [maximum]
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "bench.db")) as store:
        done, window_t, window_n, t0 = 0, 0.0, 0, time.perf_counter()
        for mark in marks:
            while done < mark:
                batch = [gen.article() for _ in range(min(BATCH, mark - done))]
                store.upsert_many(batch)
                # CPU time: the machine is shared, wall time would measure the neighbours.
                started = time.process_time()
                stories.update(store, [b.article.id for b in batch])
                elapsed = time.process_time() - started
                done += len(batch)
                # Cost near the checkpoint: the last 10% of articles before it (at least 500).
                if done > mark - max(500, mark // 10):
                    window_t += elapsed
                    window_n += len(batch)
            clusters = store._read("SELECT COUNT(*) AS n FROM story_clusters")[0]["n"]
            yield mark, 1000 * window_t / max(window_n, 1), time.perf_counter() - t0, clusters
            window_t, window_n = 0.0, 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=10_000, help="largest database size (default 10000; 100000 for the full curve)")
    args = ap.parse_args()
    print(f"{'articles':>9} {'update ms/article':>18} {'total s':>8} {'clusters':>9}")
    for n, ms, total, clusters in run(args.max):
        print(f"{n:>9} {ms:>18.2f} {total:>8.1f} {clusters:>9}", flush=True)


if __name__ == "__main__":
    main()
