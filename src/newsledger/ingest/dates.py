"""Dates from feeds, sitemaps and JSONL -> ISO 8601, keeping the stated offset.

Publisher dates are untrusted: a value is only kept when it names a full
date (dateutil would otherwise fill the gaps from today, turning "12" into
a date) and its year is plausible for a news page.
"""

from __future__ import annotations

import calendar
import time
import warnings
from datetime import datetime, timezone
from typing import Optional

from dateutil import parser as dateparser

# Archives reach back to the 19th-century press; a page dated more than a
# year ahead is a typo or an attack (year 2203, epoch 1e20).
MIN_YEAR = 1800
# Two defaults that differ in year, month and day: a part the text leaves
# out shows up as a difference between the two parses.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def plausible(dt: datetime) -> bool:
    return MIN_YEAR <= dt.year <= datetime.now(timezone.utc).year + 1


def iso_date(text: Optional[str], *, aware_only: bool = False) -> Optional[str]:
    """ISO 8601 for an RFC 822 / W3C / ISO date string; a date without a time
    stays a bare ``YYYY-MM-DD``; None when unparseable, implausible, or when
    ``aware_only`` and the string names no usable UTC offset."""
    if not text or len(text) > 100:
        return None
    text = text.strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown zone names ("EST") just leave dt naive
            dt, other = (dateparser.parse(text, default=d) for d in _DEFAULTS)
            dt.utcoffset()  # an offset of a day or more is only rejected here
    except (ValueError, OverflowError, TypeError):
        return None
    if dt.date() != other.date():
        return None
    if not plausible(dt):
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return None if aware_only else dt.date().isoformat()
    if aware_only and dt.tzinfo is None:
        return None
    return dt.isoformat()


def iso_from_struct(st: Optional[time.struct_time]) -> Optional[str]:
    """feedparser's *_parsed values are UTC struct_times (None when implausible)."""
    if st is None:
        return None
    try:
        dt = datetime.fromtimestamp(calendar.timegm(st), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None  # year 0 or -1 from a hostile feed, or beyond what datetime holds
    return dt.isoformat() if plausible(dt) else None
