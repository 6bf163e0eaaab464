"""Errors the store raises; their messages are shown to users as-is."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened, read or written (locked, missing, corrupt)."""


class QueryError(StoreError):
    """A query the user wrote is invalid (FTS syntax, bad id prefix, bad date)."""
