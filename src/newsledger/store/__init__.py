"""Stage 4: the database (SQLite) of articles, annotations, runs and quarantine."""

from __future__ import annotations

from .errors import QueryError, StoreError
from .sqlite import EXPORT_FORMATS, EXPORT_KINDS, SearchHit, Store, open_store

__all__ = ["open_store", "Store", "SearchHit", "StoreError", "QueryError", "EXPORT_FORMATS", "EXPORT_KINDS"]
