"""Named plug points: readers, extractors, analysis components and exporters register here alike.

Each kind of plug-in has one ``Registry``: a name -> entry mapping filled by a
decorator in the module that defines the entry (``@reader``, ``@extractor``,
``@component``, ``@exporter``), so adding one is a module plus its decorator,
never an edit to a dispatching if-chain. The registry imports its built-in
modules on the first lookup, not at import time: the CLI starts without
loading the HTML extractor or pyarrow.

Third-party packages plug in through an entry point group (``group``, e.g.
``newsledger.exporters``) naming a module or object whose import registers
entries with the same decorators. Entry points load on the first lookup too;
one that fails to import is skipped and reported once (logged, and kept in
``broken`` for ``newsledger plugins``), so a broken plugin never breaks the CLI.
"""

from __future__ import annotations

import importlib
import logging
import threading
from contextlib import contextmanager
from importlib import metadata
from typing import Any, Callable, Generic, Iterator, Optional, Sequence, TypeVar

T = TypeVar("T")
log = logging.getLogger("newsledger.plugins")

class UnknownName(LookupError):
    """No entry of that name; the message lists the known ones."""

    def __init__(self, what: str, name: str, known: Sequence[str]):
        super().__init__(f"unknown {what} {name!r}: choose one of {', '.join(known) or '(none registered)'}")
        self.what, self.name, self.known = what, name, tuple(known)

    def __str__(self) -> str:  # LookupError would quote the message like a key
        return str(self.args[0])


class Registry(Generic[T]):
    """Entries by name, in registration order unless ``order(name, entry)`` gives a sort key.

    ``modules``: the built-in modules whose import registers entries.
    ``group``: the entry point group third-party packages register under.
    """

    def __init__(self, what: str, *, group: Optional[str] = None, modules: Sequence[str] = (),
                 order: Optional[Callable[[str, T], Any]] = None):
        self.what = what
        self.group = group
        self.modules = tuple(modules)
        self.order = order
        self.broken: dict[str, str] = {}  # plugin -> why it did not load
        self._entries: dict[str, T] = {}
        self._loaded = False
        self._loading = False
        self._lock = threading.RLock()

    # ------------------------------------------------------------ registering

    def add(self, name: str, entry: T) -> T:
        """Register ``entry`` as ``name``; a later registration of the same name replaces it."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {self.what} needs a non-empty name")
        self._entries[name] = entry
        return entry

    def remove(self, name: str) -> Optional[T]:
        return self._entries.pop(name, None)

    @contextmanager
    def registered(self, name: str, entry: T) -> Iterator[T]:
        """``entry`` registered for the duration of the block (the previous one, if any, restored)."""
        self.load()
        before = self._entries.get(name)
        self.add(name, entry)
        try:
            yield entry
        finally:
            if before is None:
                self.remove(name)
            else:
                self._entries[name] = before

    # ------------------------------------------------------------ looking up

    def load(self) -> None:
        """Import the built-in modules and the plugins' entry points (once).

        Other threads wait until loading is done (a server's first requests may come together);
        a module being imported here may look entries up again (the same thread: no wait, no reload).
        """
        if self._loaded:
            return
        with self._lock:
            if self._loaded or self._loading:
                return
            self._loading = True
            try:
                for module in self.modules:
                    importlib.import_module(module)  # built-ins are ours: a failure is raised (and retried next time)
                if self.group:
                    self._load_plugins()
                self._loaded = True
            finally:
                self._loading = False

    def _load_plugins(self) -> None:
        try:
            points = list(metadata.entry_points(group=self.group))
        except Exception as exc:  # noqa: BLE001 - broken package metadata must not stop the CLI
            self.broken[self.group] = f"{type(exc).__name__}: {exc}"
            log.warning("newsledger: cannot list %s plugins: %s", self.what, exc)
            return
        for point in points:
            try:
                point.load()
            except Exception as exc:  # noqa: BLE001 - a plugin's failure is reported, never fatal
                why = f"{type(exc).__name__}: {exc}"[:300]
                self.broken[f"{point.name} ({point.value})"] = why
                log.warning("newsledger: %s plugin %r (%s) did not load and is skipped: %s",
                            self.what, point.name, point.value, why)

    def get(self, name: str) -> T:
        self.load()
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise UnknownName(self.what, name, self.names()) from None

    def find(self, name: str) -> Optional[T]:
        self.load()
        return self._entries.get(name)

    def peek(self, name: str) -> Optional[T]:
        """The entry registered so far, without loading anything (for decorators that amend an entry)."""
        return self._entries.get(name)

    def _sorted(self) -> list[tuple[str, T]]:
        self.load()
        items = list(self._entries.items())
        key = self.order
        return sorted(items, key=lambda item: key(*item)) if key else items

    def entries(self) -> list[T]:
        return [entry for _, entry in self._sorted()]

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._sorted())

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __repr__(self) -> str:
        return f"<Registry of {self.what}s: {', '.join(self._entries)}>"


def all_registries() -> dict[str, "Registry[Any]"]:
    """The four plug points by what they register (``newsledger plugins`` lists them)."""
    from .analyze.pipeline import COMPONENTS
    from .exporters import EXPORTERS
    from .extract import EXTRACTORS
    from .ingest.registry import READERS

    return {r.what: r for r in (READERS, EXTRACTORS, COMPONENTS, EXPORTERS)}


def spoken(names: Sequence[str], conjunction: str = "and") -> str:
    """``a, b and c``: names in a sentence."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"
