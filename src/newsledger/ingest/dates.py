"""Dates from feeds and sitemaps -> ISO 8601, keeping the stated offset."""

from __future__ import annotations

import calendar
import time
import warnings
from datetime import datetime, timezone
from typing import Optional

from dateutil import parser as dateparser


def iso_date(text: Optional[str], *, aware_only: bool = False) -> Optional[str]:
    """ISO 8601 for an RFC 822 / W3C / ISO date string; a date without a time
    stays a bare ``YYYY-MM-DD``; None when unparseable, or when ``aware_only``
    and the string names no usable UTC offset."""
    if not text or len(text) > 100:
        return None
    text = text.strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown zone names ("EST") just leave dt naive
            dt = dateparser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return None if aware_only else dt.date().isoformat()
    if aware_only and dt.tzinfo is None:
        return None
    return dt.isoformat()


def iso_from_struct(st: Optional[time.struct_time]) -> Optional[str]:
    """feedparser's *_parsed values are UTC struct_times."""
    if st is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(st), tz=timezone.utc).isoformat()
