"""Concurrency: API clients read consistent answers while another process writes the database."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from newsledger.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("concurrency_bench", ROOT / "benchmarks" / "concurrency_bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _bench()


def test_get_sees_one_state_when_a_write_lands_between_its_reads(tmp_path):
    path = tmp_path / "race.db"
    old, new = bench.fake_analysis(1, 0), bench.fake_analysis(1, 5)
    assert (len(old.quotes), len(old.claims)) != (len(new.quotes), len(new.claims))
    reader, writer = open_store(path), open_store(path)
    reader.upsert(old)
    real = reader._annotation_rows
    wrote = []

    def write_between(kind, article_id):
        if not wrote:  # the other process re-analyses the article after our first annotation read
            wrote.append(writer.upsert(new))
        return real(kind, article_id)

    reader._annotation_rows = write_between
    got = reader.get(old.article.id)
    assert wrote == ["updated"]
    assert got.article.title == old.article.title
    assert (len(got.quotes), len(got.claims)) == (len(old.quotes), len(old.claims))
    got = reader.get(old.article.id)  # the next read sees the new version, whole
    assert got.article.title == new.article.title
    assert (len(got.quotes), len(got.claims)) == (len(new.quotes), len(new.claims))
    reader.close()
    writer.close()


def test_api_under_concurrent_writes_answers_without_errors(tmp_path):
    """~10 s of 20 clients (search, detail, quotes, claims, timeline) while a writer process
    stores and re-analyses articles: no errors, no lock failures, no half-written article."""
    figures = bench.run(str(tmp_path / "busy.db"), seconds=10, clients=20, articles=200)
    assert figures["writer_rc"] == 0, figures["writes"]
    assert figures["writes"]["batches_written"] > 0
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["inconsistent"] == 0, figures["inconsistent_samples"]
    assert figures["requests"] >= 20 and set(figures["per_kind"]) == {"search", "detail", "quotes", "claims",
                                                                      "timeline"}
    assert set(figures["statuses"]) <= {200, 404}
