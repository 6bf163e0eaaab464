"""Readers register themselves here: a new input format is one module plus its ``@reader``.

A reader claims files by name (``claims(path)``); ``read`` asks the registered
readers in ``order`` and the first that claims a file reads it, as
``read(path, ctx)`` where ``ctx`` carries the run's ReadStats (``ctx.stats``)
and, for formats that link to more pages, its fetcher. Files no reader claims
by name are sniffed by content (``ingest._sniff_file``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional


@dataclass(frozen=True)
class Reader:
    name: str
    claims: Callable[[str], bool]
    read: Callable[[str, Any], Iterator[Any]]
    order: int


READERS: list[Reader] = []


def reader(name: str, *, claims: Callable[[str], bool], order: int = 100):
    """Register the decorated ``read(path, ctx)`` for the files ``claims`` accepts."""

    def register(fn: Callable[[str, Any], Iterator[Any]]) -> Callable[[str, Any], Iterator[Any]]:
        READERS[:] = sorted([r for r in READERS if r.name != name] + [Reader(name, claims, fn, order)],
                            key=lambda r: (r.order, r.name))
        return fn

    return register


def for_path(path: str) -> Optional[Reader]:
    return next((r for r in READERS if r.claims(path)), None)
