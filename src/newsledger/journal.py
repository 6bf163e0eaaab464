"""The ingest journal: which documents of a run are done, so a killed run can resume.

Correctness after a crash never depends on the journal: the store writes an
article and all its annotations in one transaction, and storing the same
article again is a no-op ("unchanged"), so redoing work cannot duplicate or
half-write anything. The journal makes resuming cheap: documents it records
as done are not read into the extractor (or analyser) again. A batch's
journal rows are committed right after the batch itself; a kill between the
two only means the resumed run redoes that one batch.

Each run records the process that owns it (pid and host) and its options, so
``newsledger ingest --resume`` can continue the last unfinished run with the
same inputs and options, and refuses to take over a run whose process is
still alive.
"""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING, Any, Iterable, Optional

from .schema import Article, BadInput
from .store.errors import StoreError

if TYPE_CHECKING:
    from .run import RunSummary

RESUMABLE = ("running", "interrupted", "failed")
# Counters carried over from the interrupted part of a run; files and skipped are recounted
# because the resumed run opens every input again.
CARRIED = ("read", "new", "updated", "unchanged", "duplicates")


class ResumeError(StoreError):
    """There is no run to resume, or its process is still running."""


def _label(item: Any) -> Optional[str]:
    if isinstance(item, BadInput):
        return item.origin.label()
    if isinstance(item, Article) and item.provenance.origin is not None:
        return item.provenance.origin.label()
    return None


def _alive(pid: Optional[int], host: Optional[str]) -> bool:
    if not pid or host != socket.gethostname():
        return False  # a process on another host cannot be checked: its run counts as abandoned
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Journal:
    """Journal writes for one store; a no-op for stores without the journal tables."""

    def __init__(self, store: Any):
        self.store = store
        # A store without the store's write/read primitives (a stand-in in tests) has no journal:
        # resuming then redoes every document, still correct since storing an article again changes nothing.
        self.enabled = hasattr(store, "_write") and hasattr(store, "_read")

    def claim(self, run_id: int, options: dict[str, Any]) -> None:
        """Mark this process as the run's owner (atomically refusing a live owner)."""
        if not self.enabled:
            return
        with self.store._write() as db:
            row = db.execute("SELECT pid, host, status FROM ingest_runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise ResumeError(f"no ingest run {run_id} in {self.store.path}")
            if row[2] == "running" and _alive(row[0], row[1]):
                raise ResumeError(
                    f"ingest run {run_id} is still running (process {row[0]}): wait for it, or stop it first"
                )
            db.execute(
                "UPDATE ingest_runs SET pid = ?, host = ?, options = ?, status = 'running', finished = NULL "
                "WHERE id = ?",
                (os.getpid(), socket.gethostname(), json.dumps(options), run_id),
            )

    def done(self, run_id: int) -> set[str]:
        """Origin labels of the documents the run has finished."""
        if not self.enabled:
            return set()
        rows = self.store._read("SELECT origin_label FROM ingest_journal WHERE run_id = ?", (run_id,))
        return {r["origin_label"] for r in rows}

    def restore(self, run_id: int, summary: "RunSummary") -> None:
        """Carry the counts of the run's interrupted part over into ``summary``."""
        if not self.enabled:
            return
        rows = self.store._read("SELECT counts FROM ingest_runs WHERE id = ?", (run_id,))
        counts = json.loads(rows[0]["counts"]) if rows and rows[0]["counts"] else {}
        for name in CARRIED:
            setattr(summary, name, int(counts.get(name) or 0))
        summary.quarantined.update({k: int(v) for k, v in (counts.get("quarantined") or {}).items()})

    def record(self, run_id: int, batch: Iterable[Any], counts: dict[str, Any]) -> None:
        """After a batch is stored: its documents are done; the run's counts so far."""
        if not self.enabled:
            return
        labels = [(run_id, label) for label in map(_label, batch) if label is not None]
        with self.store._write() as db:
            db.executemany("INSERT INTO ingest_journal (run_id, origin_label) VALUES (?, ?) ON CONFLICT DO NOTHING", labels)
            db.execute("UPDATE ingest_runs SET counts = ? WHERE id = ?", (json.dumps(counts), run_id))

    def forget(self, run_id: int) -> None:
        """A finished run needs no journal: drop its rows (the run's counts stay)."""
        if not self.enabled:
            return
        with self.store._write() as db:
            db.execute("DELETE FROM ingest_journal WHERE run_id = ?", (run_id,))


def unplaced(store: Any, article_ids: list[str]) -> list[str]:
    """Those of ``article_ids`` (stored articles) that belong to no story cluster."""
    ids = list(dict.fromkeys(article_ids))
    if not ids or not hasattr(store, "_read"):
        return []
    placed: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows = store._read(f"SELECT article_id FROM story_members WHERE article_id IN ({', '.join('?' * len(chunk))})",
                           chunk)
        placed.update(r["article_id"] for r in rows)
    return [i for i in ids if i not in placed]


def resumable_run(store: Any) -> dict[str, Any]:
    """The last run if it did not finish: id, inputs, options, status; ResumeError otherwise."""
    runs = store.runs(limit=1)
    if not runs:
        raise ResumeError("nothing to resume: this database has no ingest runs")
    last = runs[0]
    if last["status"] not in RESUMABLE:
        raise ResumeError(f"nothing to resume: the last ingest run ({last['id']}) finished ({last['status']})")
    options = last.get("options")
    if isinstance(options, str):
        options = json.loads(options)
    return {"id": last["id"], "inputs": list(last["inputs"]), "options": options or {}, "status": last["status"]}


def resume(store: Any, **kwargs: Any) -> "RunSummary":
    """Continue the last unfinished run with its inputs and options (``run.ingest`` keywords
    other than ``analyze`` and ``force`` pass through)."""
    from .run import ingest

    last = resumable_run(store)
    opts = last["options"]
    return ingest(last["inputs"], store, analyze=bool(opts.get("analyze", True)), force=bool(opts.get("force", False)),
                  resume=last["id"], **kwargs)
