"""Filters that mean the same wherever they are used: the store's readers (CLI), the API and
exports build their conditions here, so ``--speaker`` and ``speaker=`` (or a place name) never
select different rows. Conditions are over the annotation alias given, in SQL both backends
read alike (``lower()`` for case, ``->>`` for JSON members), with ``?`` placeholders."""

from __future__ import annotations

from typing import Any, Optional

GEONAMES_DIGITS = 18  # a longer number cannot be a GeoNames id, and would overflow database integers


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def geonames_id(value: str) -> Optional[int]:
    """A place filter that is a GeoNames id (ASCII digits that fit a database integer), else None."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= GEONAMES_DIGITS else None


def speaker(alias: str, value: str) -> tuple[str, list[Any]]:
    """Quotes whose speaker's name contains ``value`` (case-insensitive)."""
    return f"lower({alias}.speaker) LIKE lower(?) ESCAPE '\\'", [f"%{like_escape(value.strip())}%"]


def claim_place(alias: str, value: str) -> tuple[str, list[Any]]:
    """Claims about a place: a GeoNames id, or a name as written or resolved (case-insensitive),
    also through the place mentions that name resolved to ("Seversk" finds claims placed in
    Siversk when a mention of Seversk was resolved to Siversk's id)."""
    gid = geonames_id(value)
    if gid is not None:
        return f"{alias}.place_geonames_id = ?", [gid]
    # Equality on lower(): the lower() indexes of migration 10 serve the name lookups.
    return (
        f"(lower({alias}.place_name) = lower(?) OR lower({alias}.place ->> 'text') = lower(?) "
        f"OR {alias}.place_geonames_id IN (SELECT geonames_id FROM places WHERE geonames_id IS NOT NULL "
        "AND (lower(name) = lower(?) OR lower(text) = lower(?))))",
        [value.strip()] * 4,
    )
