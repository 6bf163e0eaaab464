"""Readers register themselves here: a new input format is one module plus its ``@reader``.

A reader claims files by name (``claims(path)``); ``read`` asks the registered
readers in ``order`` and the first that claims a file reads it, as
``read(path, ctx)`` where ``ctx`` carries the run's ReadStats (``ctx.stats``)
and, for formats that link to more pages, its fetcher. Files no reader claims
by name are sniffed by content (``ingest._sniff_file``). Third-party readers
register from a module named in the ``newsledger.readers`` entry point group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from ..registry import Registry


@dataclass(frozen=True)
class Reader:
    name: str
    claims: Callable[[str], bool]
    read: Callable[[str, Any], Iterator[Any]]
    order: int


# The built-in readers register when ``newsledger.ingest`` imports their modules.
READERS: Registry[Reader] = Registry("reader", group="newsledger.readers", modules=("newsledger.ingest",),
                                     order=lambda name, r: (r.order, name))


def reader(name: str, *, claims: Callable[[str], bool], order: int = 100):
    """Register the decorated ``read(path, ctx)`` for the files ``claims`` accepts."""

    def register(fn: Callable[[str, Any], Iterator[Any]]) -> Callable[[str, Any], Iterator[Any]]:
        READERS.add(name, Reader(name, claims, fn, order))
        return fn

    return register


def for_path(path: str) -> Optional[Reader]:
    return next((r for r in READERS.entries() if r.claims(path)), None)
