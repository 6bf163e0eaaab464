"""Stage 4: the database (SQLite file, or PostgreSQL server) of articles, annotations, runs and quarantine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from . import sqlite
from .errors import QueryError, StoreError
from .sqlite import EXPORT_KINDS, SearchHit, Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(url_or_path: Union[str, Path, None] = None, *, create: bool = True,
               timeout: Optional[float] = None) -> Store:
    """Open (and migrate) a database: a path or ``sqlite:///path`` (see ``sqlite.open_store``),
    or a ``postgresql://user:password@host:port/dbname`` URL (needs the ``scale`` extra)."""
    target = str(url_or_path) if url_or_path else os.environ.get("NEWSLEDGER_DB") or ""
    if target.startswith(POSTGRES_SCHEMES):
        from .postgres import PostgresStore

        return PostgresStore(target, create=create, timeout=10.0 if timeout is None else timeout)
    return sqlite.open_store(url_or_path, create=create, timeout=timeout)


__all__ = ["open_store", "Store", "SearchHit", "StoreError", "QueryError", "EXPORT_KINDS"]
