"""The pipeline runner: per-document failures are quarantined, runs are recorded."""

from __future__ import annotations

import pytest

import newsledger.extract as extract_pkg
import newsledger.run as run
from newsledger.schema import Analysis, BadInput, Origin, RawDocument
from newsledger.store import open_store

BODY = (
    "The lighthouse at Cape Morrow was relit on Friday after two years of repairs, the coast office said.\n\n"
    "Keeper Odile Brand said the new lamp can be seen forty kilometres out to sea."
)


class EchoAnalyzer:
    def analyze(self, articles):
        for art in articles:
            yield Analysis(art)

    def analyze_one(self, art):
        return Analysis(art)


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "c.txt").write_text(BODY.replace("Friday", "Saturday"))
    return [str(tmp_path / n) for n in ("a.txt", "b.txt", "c.txt")]


def test_extract_one_turns_every_failure_into_bad_input(monkeypatch):
    raw = RawDocument(origin=Origin(kind="html", path="x.html"), format="html", content=b"<html>\x00\xff")
    bad = run.extract_one(RawDocument(origin=raw.origin, format="pdf", content=b"%PDF"))  # type: ignore[arg-type]
    assert isinstance(bad, BadInput) and bad.reason == "unknown raw format 'pdf'" and bad.excerpt == "%PDF"

    def crash(raw):
        raise TypeError("NoneType has no len()")

    monkeypatch.setattr(extract_pkg, "extract", crash)
    bad = run.extract_one(raw)
    assert bad.reason == "extractor failed: TypeError: NoneType has no len()"
    assert bad.origin.path == "x.html" and bad.excerpt.startswith("<html>")


def test_analyze_only_keeps_input_order(inputs):
    out = list(run.analyze_only(inputs, analyzer=EchoAnalyzer(), batch_size=1))
    assert [type(x).__name__ for x in out] == ["Analysis", "BadInput", "Analysis"]
    assert "Saturday" in out[2].article.text


def test_runs_record_interruptions_and_failures(inputs, tmp_path):
    store = open_store(tmp_path / "runs.db")

    def stop(summary):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.ingest(inputs, store, analyzer=EchoAnalyzer(), progress=stop, batch_size=1)
    (r,) = store.runs()
    assert r["status"] == "interrupted" and r["counts"]["read"] >= 1

    summary = run.ingest(inputs, store, analyzer=EchoAnalyzer(), batch_size=1)
    assert summary.status == "ok" and summary.new + summary.unchanged == 2
    assert sum(summary.quarantined.values()) == 1
    assert store.runs()[0]["status"] == "ok"
    assert [x["origin_label"] for x in store.quarantined()] == [inputs[1]]
    store.close()


def test_missing_input_fails_before_a_run_is_recorded(tmp_path):
    from newsledger.ingest import InputError

    store = open_store(tmp_path / "none.db")
    with pytest.raises(InputError):
        run.ingest([str(tmp_path / "absent.txt")], store, analyze=False)
    assert store.runs() == []
    store.close()
