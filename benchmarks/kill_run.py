"""Crash safety: SIGKILL `newsledger ingest` at random points, resume, compare with a clean run.

    .venv/bin/python benchmarks/kill_run.py                 # 20 kills, with analysis
    .venv/bin/python benchmarks/kill_run.py --kills 5 --no-analyze --pages 40

Each round starts `python -m newsledger.cli.main ingest` (or `ingest --resume`
once a run exists), waits until the run has finished a random number of
further documents (plus a random few milliseconds, so kills also land inside
transactions), and kills it with SIGKILL. A last resume then runs to the end.
A process that finished its run before the kill landed ends the rounds (there
is nothing left to resume; resuming must never start a second run).
The database must then hold exactly the clean run's articles, each with the
clean run's annotation counts, pass ``PRAGMA integrity_check`` and the
full-text index's own check, and show one finished run.

tests/test_resume.py runs the short mode of this script's functions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
TOWNS = ["Lviv", "Odesa", "Gdansk", "Tartu", "Porto", "Lyon", "Bergen", "Cork", "Kharkiv", "Riga"]
PEOPLE = ["Odile Brand", "Marek Sollen", "Ines Caldwell", "Tomas Reyes", "Hana Okafor", "Piet Vandermeer"]
OUTLETS = ["northwind-gazette.example", "harbour-ledger.example", "eastmarch-courier.example"]
ANNOTATIONS = ("entities", "quotes", "places", "claims", "framing")


def make_pages(folder: Path, n: int, seed: int = 7) -> list[str]:
    """``n`` fictional HTML news pages plus one empty page (to be quarantined); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        r = random.Random(seed * 1000 + i)
        town, person, outlet = r.choice(TOWNS), r.choice(PEOPLE), r.choice(OUTLETS)
        other = r.choice([p for p in PEOPLE if p != person])
        paras = [
            f"{person}, the mayor of {town}, said on Tuesday that the harbour council had approved plan {i}, "
            f"which moves the ferry terminal {r.randint(2, 40)} kilometres north.",
            f'"We will build the new quay before winter," {person.split()[1]} told reporters in {town}.',
            f"{other} of the fishermen's union said the plan would cost {r.randint(3, 90)} million euros "
            "and warned that the old pier could close for a year.",
            f"Officials in {r.choice(TOWNS)} are expected to vote on a similar proposal in {r.choice(['May', 'June'])}.",
        ]
        body = "".join(f"<p>{p}</p>" for p in paras)
        (folder / f"page{i:03d}.html").write_text(
            f"<html><head><title>Harbour plan {i} approved in {town}</title>"
            f"<link rel='canonical' href='https://{outlet}/news/harbour-plan-{i}'>"
            f"<meta property='article:published_time' content='2025-03-{1 + i % 28:02d}T10:00:00Z'></head>"
            f"<body><article><h1>Harbour plan {i} approved in {town}</h1>{body}</article></body></html>",
            encoding="utf-8",
        )
    (folder / "empty.html").write_text("", encoding="utf-8")
    return [str(folder)]


def snapshot(db_path: Path) -> dict[str, Any]:
    """What a crash must not change: articles with their content, annotation counts and story membership."""
    db = sqlite3.connect(db_path)
    try:
        articles = {
            row[0]: {"record_hash": row[1], "content_hash": row[2], "duplicate_of": row[3], "analysed": row[4]}
            for row in db.execute(
                "SELECT id, record_hash, content_hash, duplicate_of, analysis_hash IS NOT NULL FROM articles"
            )
        }
        for kind in ANNOTATIONS:
            for art_id, n in db.execute(f"SELECT article_id, count(*) FROM {kind} GROUP BY article_id"):
                articles[art_id][kind] = n
        for (art_id,) in db.execute("SELECT article_id FROM story_members"):
            articles[art_id]["in_story"] = True
        for art in articles.values():
            art.setdefault("in_story", False)
            for kind in ANNOTATIONS:
                art.setdefault(kind, 0)
        return {
            "articles": articles,
            "rows": db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "fts_rows": db.execute("SELECT count(*) FROM articles_fts").fetchone()[0],
            "quarantine": sorted(r[0] for r in db.execute("SELECT origin_label FROM quarantine")),
        }
    finally:
        db.close()


def checks(db_path: Path) -> dict[str, Any]:
    db = sqlite3.connect(db_path)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")  # raises when corrupt
        runs = db.execute("SELECT id, status FROM ingest_runs ORDER BY id").fetchall()
        journal = db.execute("SELECT count(*) FROM ingest_journal").fetchone()[0]
        return {"integrity": integrity, "runs": runs, "journal_rows": journal}
    finally:
        db.close()


def _progress(db_path: Path) -> tuple[Optional[int], int]:
    """(pid owning the last run, documents it has journaled); (None, 0) while there is no run."""
    if not db_path.exists():
        return None, 0
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT id, pid FROM ingest_runs ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                return None, 0
            done = db.execute("SELECT count(*) FROM ingest_journal WHERE run_id = ?", (row[0],)).fetchone()[0]
            return row[1], done
        finally:
            db.close()
    except sqlite3.Error:  # the schema is still being created
        return None, 0


def _last_run(db_path: Path) -> Optional[str]:
    """Status of the database's last ingest run; None while there is none."""
    if not db_path.exists():
        return None
    db = sqlite3.connect(db_path, timeout=30)
    try:
        row = db.execute("SELECT status FROM ingest_runs ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return None  # killed while creating the schema
        raise  # a busy database must not read as "no run": that would start a second run
    finally:
        db.close()
    return row[0] if row else None


# The ingest CLI, stopping itself (SIGSTOP) after each journaled batch: the harness then reads the
# progress and lets it go on or kills it, so a kill always lands while work remains, however loaded
# the machine is (racing a fast ingest with polls made the short test fail now and then).
_PAUSING_CLI = """
import os, signal
from newsledger import journal
_record = journal.Journal.record
def record(self, *args, **kwargs):
    _record(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGSTOP)
journal.Journal.record = record
from newsledger.cli.main import main
main()
"""


def _wait(proc: subprocess.Popen, deadline: float) -> bool:
    """Wait until ``proc`` stops itself (True) or exits (False, returncode set)."""
    while True:
        pid, status = os.waitpid(proc.pid, os.WUNTRACED | os.WNOHANG)
        if pid:
            if os.WIFSTOPPED(status):
                return True
            proc.returncode = os.waitstatus_to_exitcode(status)
            return False
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError("ingest made no progress before the deadline")
        time.sleep(0.005)


def _command(inputs: list[str], db_path: Path, analyze: bool, batch_size: int, pause: bool = True) -> list[str]:
    cli = ["-c", _PAUSING_CLI] if pause else ["-m", "newsledger.cli.main"]
    cmd = [sys.executable, *cli, "ingest", "--db", str(db_path), "--json",
           "--batch-size", str(batch_size)]
    if _last_run(db_path) is not None:
        return cmd + ["--resume"]  # once a run exists, every later process continues it
    return cmd + (["--no-analyze"] if not analyze else []) + inputs


def kill_and_resume(inputs: list[str], db_path: Path, documents: int, *, kills: int, analyze: bool,
                    batch_size: int = 2, seed: int = 1, timeout: float = 600) -> dict[str, Any]:
    """Kill up to ``kills`` ingest processes at random points, then resume to the end.

    ``documents``: how many documents the inputs hold (a kill waits for a random
    number of further documents to be journaled). Each process stops itself after
    every journaled batch (``_PAUSING_CLI``) and is killed at a random moment of the
    batch after the target, so every kill interrupts a run with work left; a run
    that still finishes leaves nothing to kill or resume. Returns what happened.
    """
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    landed, finished_early, commands = 0, 0, []
    final: Optional[dict[str, Any]] = None
    for _ in range(kills):
        cmd = _command(inputs, db_path, analyze, batch_size)
        commands.append("resume" if "--resume" in cmd else "fresh")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, before = _progress(db_path)
        before = before if "--resume" in cmd else 0
        # leave a few batches: a run that completes leaves nothing for the next kill to interrupt
        target = min(before + rng.randint(0, max(1, (documents - before) // 3)), documents - 4 * batch_size - 1)
        deadline = time.monotonic() + timeout
        finished = False
        while True:
            if not _wait(proc, deadline):
                finished = True
                if proc.returncode != 0:
                    raise RuntimeError(f"ingest failed ({proc.returncode}): {proc.stderr.read().decode()[-500:]}")
                break
            _, done = _progress(db_path)
            os.kill(proc.pid, signal.SIGCONT)
            if done >= target:
                # somewhere in the next batch: the process stops itself again before it could finish
                time.sleep(rng.uniform(0, 0.05))
                os.kill(proc.pid, signal.SIGKILL)
                os.waitpid(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                break
        out = proc.stdout.read()
        proc.stdout.close()
        proc.stderr.close()
        if finished:
            finished_early += 1
            final = json.loads(out) if out.strip() else None
            break
        landed += 1
    if final is None and _last_run(db_path) != "ok":
        cmd = _command(inputs, db_path, analyze, batch_size, pause=False)
        commands.append("resume" if "--resume" in cmd else "fresh")
        last = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout)
        if last.returncode != 0:
            raise RuntimeError(f"final ingest failed ({last.returncode}): {last.stderr.decode()[-500:]}")
        final = json.loads(last.stdout)
    return {"kills": landed, "finished_before_kill": finished_early, "commands": commands, "final": final}


def compare(clean: dict[str, Any], crashed: dict[str, Any]) -> dict[str, Any]:
    want, got = clean["articles"], crashed["articles"]
    return {
        "lost": sorted(set(want) - set(got)),
        "extra": sorted(set(got) - set(want)),
        "duplicated": crashed["rows"] - len(got),
        "differing": sorted(i for i in set(want) & set(got) if want[i] != got[i]),
        "fts_rows": crashed["fts_rows"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--no-analyze", action="store_true")
    ap.add_argument("--batch-size", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default=None, help="folder for pages and databases (default: a temporary one)")
    args = ap.parse_args()
    import tempfile

    from newsledger.run import ingest
    from newsledger.store import open_store

    work = Path(args.workdir or tempfile.mkdtemp(prefix="kill_run_"))
    inputs = make_pages(work / "pages", args.pages)
    clean_db, crash_db = work / "clean.db", work / "crash.db"
    for p in (clean_db, crash_db):
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    with open_store(clean_db) as store:
        ingest(inputs, store, analyze=not args.no_analyze, batch_size=args.batch_size)
    clean_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    run = kill_and_resume(inputs, crash_db, args.pages + 1, kills=args.kills, analyze=not args.no_analyze,
                          batch_size=args.batch_size, seed=args.seed)
    diff = compare(snapshot(clean_db), snapshot(crash_db))
    report = {
        "pages": args.pages, "analyze": not args.no_analyze, **{k: v for k, v in run.items() if k != "final"},
        "final_run": run["final"], "clean_run_s": round(clean_s, 1), "killed_runs_s": round(time.perf_counter() - t0, 1),
        "articles": len(snapshot(crash_db)["articles"]), "lost": len(diff["lost"]), "extra": len(diff["extra"]),
        "duplicated": diff["duplicated"], "differing": len(diff["differing"]), **checks(crash_db),
    }
    print(json.dumps(report, indent=2))
    ok = (report["lost"] == report["extra"] == report["duplicated"] == report["differing"] == 0
          and report["integrity"] == "ok" and report["journal_rows"] == 0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
