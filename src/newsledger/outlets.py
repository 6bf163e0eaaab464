"""Outlet registry lookups (data: ``newsledger/data/outlets.json``).

Placeholder until the registry lands: keeps what the page itself says."""

from __future__ import annotations

from .schema import Source


def enrich_source(src: Source) -> Source:
    return src
