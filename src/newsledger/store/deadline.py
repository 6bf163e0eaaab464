"""A time budget for read queries, and cancellation when the asker is gone.

``limit(seconds, cancelled)`` sets the budget for the queries run inside it
(in this thread or task). SQLite checks it from a progress handler every few
thousand virtual-machine steps; PostgreSQL gets it as ``statement_timeout``
and a cancelled event cancels the running statement. Either way the query
ends with ``QueryTimeout`` (the API answers 503), never keeps running for a
client that hung up.
"""

from __future__ import annotations

import contextvars
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional

from .errors import StoreError

READ_SECONDS = 10.0  # default budget of one read request
_STEPS = 2000  # SQLite VM steps between checks (well under a millisecond)


class QueryTimeout(StoreError):
    """A read ran out of its time budget, or its client went away."""


@dataclass
class Budget:
    seconds: float
    cancelled: threading.Event = field(default_factory=threading.Event)
    start: float = field(default_factory=time.monotonic)

    @property
    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def exhausted(self) -> bool:
        return self.cancelled.is_set() or self.left <= 0

    def error(self) -> QueryTimeout:
        if self.cancelled.is_set():
            return QueryTimeout("the request was cancelled")
        return QueryTimeout(f"the query took longer than {self.seconds:g} s: narrow it (fewer words or prefixes, "
                            "a source, a date range)")


_current: contextvars.ContextVar[Optional[Budget]] = contextvars.ContextVar("newsledger_budget", default=None)


def current() -> Optional[Budget]:
    return _current.get()


@contextmanager
def limit(seconds: float = READ_SECONDS, cancelled: Optional[threading.Event] = None) -> Iterator[Budget]:
    budget = Budget(seconds, cancelled or threading.Event())
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


@contextmanager
def sqlite_guard(db) -> Iterator[None]:
    """Run SQLite statements under the current budget (none: unguarded)."""
    budget = current()
    if budget is None:
        yield
        return
    if budget.exhausted():
        raise budget.error()
    db.set_progress_handler(lambda: 1 if budget.exhausted() else 0, _STEPS)
    try:
        yield
    except Exception as e:
        if "interrupted" in str(e) and budget.exhausted():
            raise budget.error() from None
        raise
    finally:
        db.set_progress_handler(None, _STEPS)
