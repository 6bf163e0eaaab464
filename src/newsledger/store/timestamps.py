"""Publication times as UTC instants, so "newest first" and date filters follow the clock.

Pages state their times with their own offsets ("2026-03-01T23:30:00-05:00" is later
than "2026-03-02T01:00:00+00:00"), so the stored strings do not sort in the order
things happened. Next to each original value (kept as written: provenance) the store
keeps its instant in one UTC form, computed by ``utc_instant`` alone, and every
ordering and ``since``/``until`` comparison on both backends reads that form:

- a date-time becomes ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds, fractions cut);
  one without an offset is taken as UTC;
- a bare date stays ``YYYY-MM-DD`` (day precision): as text it sorts just before
  every time of that UTC day, so it counts as the start of that day;
- an empty or unreadable value has no instant (NULL). Such articles come after the
  dated ones in both orders (newest and oldest first) and never match a date filter.

Bounds given by users follow the same rules: a bare date is a UTC day (``since``
from its start, ``until`` to its end), a date-time with an offset is converted to
UTC, one without an offset is UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

from .errors import QueryError

# What users are told about since/until (CLI --help, OpenAPI parameter descriptions).
SINCE_HELP = ("on or after: YYYY-MM-DD (from the start of that day, UTC) or an ISO 8601 time "
              "(with an offset, else UTC); undated articles never match")
UNTIL_HELP = ("on or before: YYYY-MM-DD (to the end of that day, UTC) or an ISO 8601 time "
              "(with an offset, else UTC); undated articles never match")


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _text(dt: datetime) -> str:
    return dt.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _parse(value: Any) -> Optional[date | datetime]:
    """A date (a bare ``YYYY-MM-DD``) or an aware UTC datetime; ValueError when unreadable."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10:
        return date.fromisoformat(text)
    try:
        return _utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except OverflowError:  # year 1 at a positive offset, year 9999 at a negative one
        raise ValueError(text) from None


def utc_instant(value: Any) -> Optional[str]:
    """The stored UTC form of a published (or similar) value; None when empty or unreadable."""
    if value is None:
        return None
    try:
        parsed = _parse(value)
    except (ValueError, TypeError):
        return None
    if parsed is None:
        return None
    return _text(parsed) if isinstance(parsed, datetime) else parsed.isoformat()


def _bound(value: Any, name: str) -> Optional[date | datetime]:
    if value is None:
        return None
    try:
        return _parse(value)
    except (ValueError, TypeError):
        raise QueryError(f"invalid {name} date {str(value).strip()!r}: use YYYY-MM-DD (e.g. 2025-03-01) "
                         "or an ISO 8601 time such as 2025-03-01T14:00:00+02:00") from None


def since_bound(value: Any) -> Optional[str]:
    """The smallest stored instant ``since`` lets through (compare with ``>=``)."""
    lo = _bound(value, "since")
    if lo is None:
        return None
    if isinstance(lo, datetime):
        # A stored instant has whole seconds: 10:00:00.5 lets 10:00:01 through, not 10:00:00.
        return _text(lo + timedelta(seconds=1) if lo.microsecond else lo)
    return lo.isoformat()


def until_bound(value: Any) -> Optional[tuple[str, str]]:
    """``(operator, value)`` for the largest stored instant ``until`` lets through."""
    hi = _bound(value, "until")
    if hi is None:
        return None
    if isinstance(hi, datetime):
        return "<=", _text(hi)
    try:
        return "<", (hi + timedelta(days=1)).isoformat()  # the whole day, times and the bare date
    except OverflowError:
        return "<=", "9999-12-31T23:59:59Z"


def utc_range(column: str, since: Any = None, until: Any = None) -> tuple[list[str], list[Any]]:
    """SQL conditions for ``since <= column <= until`` on a column of ``utc_instant`` values."""
    conds: list[str] = []
    params: list[Any] = []
    lo = since_bound(since)
    if lo is not None:
        conds.append(f"{column} >= ?")
        params.append(lo)
    hi = until_bound(until)
    if hi is not None:
        conds.append(f"{column} {hi[0]} ?")
        params.append(hi[1])
    return conds, params


def newest_first(column: str) -> str:
    """ORDER BY terms, latest instant first, undated last (the same on both backends)."""
    return f"{column} DESC NULLS LAST"


def oldest_first(column: str) -> str:
    """ORDER BY terms, earliest instant first, undated last."""
    return f"{column} ASC NULLS LAST"
