"""Crash safety: ingest runs are journaled; a killed run resumes without losing or doubling articles."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import newsledger.run as run
from newsledger import journal
from newsledger.schema import Analysis, Entity, Quote
from newsledger.store import open_store
from pg import postgres_server  # noqa: F401  (session fixture)

ROOT = Path(__file__).resolve().parent.parent


def _kill_run():
    spec = importlib.util.spec_from_file_location("kill_run", ROOT / "benchmarks" / "kill_run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


kill_run = _kill_run()


class CountingAnalyzer:
    """Two annotations per article; remembers which articles it saw."""

    def __init__(self):
        self.seen: list[str] = []

    def analyze(self, articles):
        for art in articles:
            yield self.analyze_one(art)

    def analyze_one(self, art):
        self.seen.append(art.id)
        return Analysis(art, entities=[Entity("Harbour", "ORG", 0, 7)], quotes=[Quote("We will", "direct", 0, 7)])


@pytest.fixture
def pages(tmp_path):
    return kill_run.make_pages(tmp_path / "pages", 12)


def test_interrupted_run_resumes_skipping_finished_documents(pages, tmp_path):
    store = open_store(tmp_path / "r.db")
    first = CountingAnalyzer()

    def stop_after_two_batches(summary):
        if summary.new >= 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.ingest(pages, store, analyzer=first, batch_size=3, progress=stop_after_two_batches)
    (r,) = store.runs()
    assert r["status"] == "interrupted"
    assert len(journal.Journal(store).done(r["id"])) == 7  # empty.html (quarantined) and 6 pages
    assert journal.resumable_run(store) == {"id": r["id"], "inputs": pages, "status": "interrupted",
                                            "options": {"analyze": True, "force": False}}

    second = CountingAnalyzer()
    summary = run.resume(store, analyzer=second, batch_size=3)
    assert summary.run_id == r["id"] and summary.status == "ok"
    assert not set(first.seen) & set(second.seen)  # nothing finished before the interruption is redone
    assert len(first.seen) + len(second.seen) == 12
    assert summary.new == 12 and summary.read == 13 and sum(summary.quarantined.values()) == 1
    (r,) = store.runs()
    assert r["status"] == "ok" and r["counts"]["new"] == 12
    assert journal.Journal(store).done(r["id"]) == set()  # a finished run drops its journal
    assert store.stats()["annotations"]["quotes"] == 12
    with pytest.raises(journal.ResumeError, match=r"nothing to resume: the last ingest run \(1\) finished \(ok\)"):
        journal.resumable_run(store)
    store.close()


def test_crash_between_storing_and_story_clustering_is_repaired_on_resume(pages, tmp_path, monkeypatch):
    import newsledger.stories as stories

    store = open_store(tmp_path / "st.db")
    real = stories.update
    calls = []

    def crash_on_second_batch(st, ids):
        calls.append(list(ids))
        if len(calls) == 2:  # the batch is committed, its story placement is not
            raise KeyboardInterrupt
        return real(st, ids)

    monkeypatch.setattr(stories, "update", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run.ingest(pages, store, analyzer=CountingAnalyzer(), batch_size=3)
    assert store._read("SELECT count(*) AS n FROM articles")[0]["n"] == 6
    assert store._read("SELECT count(*) AS n FROM story_members")[0]["n"] == 3
    summary = run.resume(store, analyzer=CountingAnalyzer(), batch_size=3)
    assert summary.status == "ok" and calls[2] == calls[1]  # the unplaced batch is placed first
    assert store._read("SELECT count(*) AS n FROM story_members")[0]["n"] == 12
    store.close()


def test_resume_with_an_executor(pages, tmp_path):
    from newsledger.executors import make_executor

    store = open_store(tmp_path / "ex.db")

    def stop(summary):
        if summary.new >= 4:
            raise KeyboardInterrupt

    executor = make_executor("local")
    with pytest.raises(KeyboardInterrupt):
        run.ingest(pages, store, analyze=False, batch_size=4, executor=executor, progress=stop)
    assert len(journal.Journal(store).done(1)) == 5  # the empty page and 4 articles, extracted by the executor
    summary = run.resume(store, batch_size=4, executor=executor)
    assert summary.status == "ok" and summary.new == 12 and summary.read == 13
    store.close()


def test_resume_on_postgres(postgres_server, pages):  # noqa: F811
    store = open_store(postgres_server.new_database())
    first, second = CountingAnalyzer(), CountingAnalyzer()

    def stop(summary):
        if summary.new >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.ingest(pages, store, analyzer=first, batch_size=3, progress=stop)
    summary = run.resume(store, analyzer=second, batch_size=3)
    assert summary.status == "ok" and summary.new == 12 and len(first.seen) == 3 and len(second.seen) == 9
    assert [r["status"] for r in store.runs()] == ["ok"] and store.stats()["articles"] == 12
    store.close()


def test_resume_refuses_a_run_whose_process_is_alive(pages, tmp_path):
    store = open_store(tmp_path / "live.db")
    with pytest.raises(journal.ResumeError, match="no ingest runs"):
        journal.resumable_run(store)
    run_id = store.start_run(pages)
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with store._write() as db:
            db.execute("UPDATE ingest_runs SET pid = ?, host = ?, options = '{\"analyze\": false}' WHERE id = ?",
                       (helper.pid, socket.gethostname(), run_id))
        with pytest.raises(journal.ResumeError, match=f"ingest run {run_id} is still running \\(process {helper.pid}\\)"):
            run.resume(store)
    finally:
        helper.kill()
        helper.wait()
    summary = run.resume(store)  # the owner is gone: the run is taken over, with its options
    assert summary.run_id == run_id and summary.status == "ok" and summary.new == 12
    assert store.runs()[0]["pid"] == os.getpid()
    store.close()


def test_cli_resume_arguments(tmp_path, pages):
    from click.testing import CliRunner

    from newsledger.cli.main import cli

    db = str(tmp_path / "cli.db")
    res = CliRunner().invoke(cli, ["ingest", "--resume", "--db", db])
    assert res.exit_code == 1 and res.stderr == f"Error: nothing to resume: no database at {db}\n"
    res = CliRunner().invoke(cli, ["ingest", "--resume", "--no-analyze", "--db", db])
    assert res.exit_code == 2 and "--resume takes no PATHs, --no-analyze or --force" in res.stderr
    res = CliRunner().invoke(cli, ["ingest", "--db", db])
    assert res.exit_code == 2 and "give at least one PATH or URL to ingest (or --resume)" in res.stderr
    res = CliRunner().invoke(cli, ["ingest", "--no-analyze", "--db", db, *pages])
    assert res.exit_code == 0, res.stderr
    res = CliRunner().invoke(cli, ["ingest", "--resume", "--db", db])
    assert res.exit_code == 1 and "nothing to resume: the last ingest run (1) finished (ok)" in res.stderr


def test_sigkilled_ingest_resumes_to_the_clean_result(tmp_path):
    """Short mode of benchmarks/kill_run.py: 5 SIGKILLs of a real ingest process, no analysis."""
    inputs = kill_run.make_pages(tmp_path / "pages", 40)
    clean_db, crash_db = tmp_path / "clean.db", tmp_path / "crash.db"
    with open_store(clean_db) as store:
        run.ingest(inputs, store, analyze=False, batch_size=2)
    result = kill_run.kill_and_resume(inputs, crash_db, 41, kills=5, analyze=False, batch_size=2, seed=3,
                                      timeout=120)
    assert result["kills"] >= 3 and result["kills"] + result["finished_before_kill"] <= 5
    assert result["commands"][0] == "fresh" and set(result["commands"][1:]) == {"resume"}
    clean, crashed = kill_run.snapshot(clean_db), kill_run.snapshot(crash_db)
    diff = kill_run.compare(clean, crashed)
    assert diff == {"lost": [], "extra": [], "duplicated": 0, "differing": [], "fts_rows": 40}
    assert crashed["quarantine"] == clean["quarantine"] and len(clean["quarantine"]) == 1
    state = kill_run.checks(crash_db)
    assert state["integrity"] == "ok" and state["journal_rows"] == 0
    assert state["runs"] == [(1, "ok")]  # every kill was resumed into the one run
