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

import os
import socket
from typing import Any, Iterable, Optional

from .schema import Article, BadInput
from .store.errors import StoreError

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
    """Journal policy for one store; a no-op for stores without the journal (stand-ins in tests:
    resuming then redoes every document, still correct since storing an article again changes nothing)."""

    def __init__(self, store: Any):
        self.store = store
        self.enabled = hasattr(store, "journal_record")

    def claim(self, run_id: int, options: dict[str, Any]) -> None:
        """Mark this process as the run's owner (atomically refusing a live owner)."""
        if not self.enabled:
            return

        def check(row: Optional[dict[str, Any]]) -> None:
            if row is None:
                raise ResumeError(f"no ingest run {run_id} in {self.store.path}")
            if row["status"] == "running" and _alive(row["pid"], row["host"]):
                raise ResumeError(
                    f"ingest run {run_id} is still running (process {row['pid']}): wait for it, or stop it first"
                )

        self.store.claim_run(run_id, os.getpid(), socket.gethostname(), options, check)

    def done(self, run_id: int) -> set[str]:
        """Origin labels of the documents the run has finished."""
        return self.store.journal_done(run_id) if self.enabled else set()

    def restore(self, run_id: int, summary: Any) -> None:
        """Carry the counts of the run's interrupted part over into ``summary`` (a RunSummary)."""
        if not self.enabled:
            return
        counts = self.store.run_counts(run_id)
        for name in CARRIED:
            setattr(summary, name, int(counts.get(name) or 0))
        summary.quarantined.update({k: int(v) for k, v in (counts.get("quarantined") or {}).items()})

    def record(self, run_id: int, batch: Iterable[Any], counts: dict[str, Any]) -> None:
        """After a batch is stored: its documents are done; the run's counts so far."""
        if self.enabled:
            self.store.journal_record(run_id, [label for label in map(_label, batch) if label is not None], counts)


def unplaced(store: Any, article_ids: list[str]) -> list[str]:
    """Those of ``article_ids`` (stored articles) that belong to no story cluster."""
    return store.unplaced(article_ids) if hasattr(store, "unplaced") and article_ids else []


def resumable_run(store: Any) -> dict[str, Any]:
    """The last run if it did not finish: id, inputs, options, status; ResumeError otherwise."""
    import json

    runs = store.runs(limit=1)
    if not runs:
        raise ResumeError("nothing to resume: this database has no ingest runs")
    last = runs[0]
    if last["status"] not in RESUMABLE:
        raise ResumeError(f"nothing to resume: the last ingest run ({last['id']}) finished ({last['status']})")
    if list(last["inputs"]) == ["watch"]:  # newsledger.watch.scheduler.WATCH_INPUT
        raise ResumeError(f"the last ingest run ({last['id']}) is a watcher's: `newsledger watch` resumes it")
    options = last.get("options")
    if isinstance(options, str):
        options = json.loads(options)
    return {"id": last["id"], "inputs": list(last["inputs"]), "options": options or {}, "status": last["status"]}
