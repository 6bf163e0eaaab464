"""Resolve date expressions in a sentence to absolute dates.

Everything is relative to the article's publication date (its calendar day
as written, ignoring the time zone). Rules:

- "today", "this morning", "tonight": the publication day; "yesterday",
  "last night": the day before; "tomorrow": the day after; "N days ago".
- A weekday ("on Thursday"): the most recent such day on or before
  publication (the publication day itself when it is that weekday); with
  ``future=True`` (predicted events) the next one on or after it.
- "December 3", "3 December", "Dec. 3" with or without a year; without a
  year, the most recent such day on or before publication (``future``: the
  next one on or after it).
- Period expressions resolve to the period's first day: "last week" is the
  Monday of the previous week, "earlier this week" this week's Monday, "in
  November" / "last month" / "last year" / "in 2022" the first of that month / year.
- ISO dates ("2025-12-03") as written.

``find_date`` returns the first expression found in a text span, so the
caller passes the span it cares about (a sentence or clause).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Optional

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH_ALT = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "a": 1}

_PATTERNS = [
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    ("mdy", rf"(?P<mon>{_MONTH_ALT})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?"),
    ("dmy", rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<mon>{_MONTH_ALT})\.?(?:,? (?P<y>\d{{4}}))?"),
    ("ago", r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a) days? ago"),
    ("rel", r"today|this morning|this afternoon|this evening|tonight|yesterday|last night|tomorrow"
            r"|the day before yesterday"),
    ("week", r"(?:last|past|previous) week|earlier this week|this week"),
    ("month", r"(?:last|past|previous) month|this month|earlier this month"),
    ("year", r"(?:last|past|previous) year|this year|earlier this year"),
    ("weekday", r"(?:(?:last|this|next|on) )?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"),
    ("inyear", r"(?:in|since|during|early|late|mid-) ?(?P<y>(?:19|20)\d{2})"),
    ("inmonth", rf"(?:in|since|during|last|early|late|mid-) ?(?P<mon>{_MONTH_ALT.replace('may|', '')})\b(?:,? (?P<y>\d{{4}}))?"),
]
_COMPILED = [(k, re.compile(rf"\b(?:{p})(?!\w)", re.IGNORECASE)) for k, p in _PATTERNS]
_PUB = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def publication_day(published: Optional[str]) -> Optional[date]:
    m = _PUB.match(published or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _month_no(name: str) -> int:
    name = name.lower().rstrip(".")
    for i, full in enumerate(MONTHS, 1):
        if full.startswith(name[:3]):
            return i
    raise ValueError(name)


def _day(y: int, m: int, d: int) -> Optional[date]:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _resolve(kind: str, m: re.Match, pub: date, future: bool) -> Optional[date]:
    text = m.group(0).lower()
    if kind == "iso":
        return _day(int(m["y"]), int(m["m"]), int(m["d"]))
    if kind in ("mdy", "dmy"):
        mon, d = _month_no(m["mon"]), int(m["d"])
        if m["y"]:
            return _day(int(m["y"]), mon, d)
        cand = _day(pub.year, mon, d)
        if cand is None:
            return None
        if future and cand < pub:
            return _day(pub.year + 1, mon, d)
        if not future and cand > pub:
            return _day(pub.year - 1, mon, d)
        return cand
    if kind == "ago":
        n = m["n"].lower()
        return pub - timedelta(days=_NUMBERS.get(n) or int(n))
    if kind == "rel":
        if text == "tomorrow":
            return pub + timedelta(days=1)
        if text == "the day before yesterday":
            return pub - timedelta(days=2)
        if text in ("yesterday", "last night"):
            return pub - timedelta(days=1)
        return pub
    if kind == "week":
        monday = pub - timedelta(days=pub.weekday())
        return monday - timedelta(days=7) if text.split()[0] in ("last", "past", "previous") else monday
    if kind == "month":
        if text.split()[0] in ("last", "past", "previous"):
            return (pub.replace(day=1) - timedelta(days=1)).replace(day=1)
        return pub.replace(day=1)
    if kind == "year":
        return date(pub.year - 1 if text.split()[0] in ("last", "past", "previous") else pub.year, 1, 1)
    if kind == "weekday":
        wd = WEEKDAYS.index(m["wd"].lower())
        if text.startswith("next") or (future and not text.startswith("last")):
            return pub + timedelta(days=(wd - pub.weekday()) % 7 or (7 if text.startswith("next") else 0))
        back = (pub.weekday() - wd) % 7
        if text.startswith("last") and back == 0:
            back = 7
        return pub - timedelta(days=back)
    if kind == "inyear":
        return date(int(m["y"]), 1, 1)
    if kind == "inmonth":
        mon = _month_no(m["mon"])
        if m["y"]:
            return date(int(m["y"]), mon, 1)
        year = pub.year
        if future and mon < pub.month:
            year += 1
        if not future and (mon > pub.month or (text.startswith("last") and mon == pub.month)):
            year -= 1
        return date(year, mon, 1)
    return None


def find_date(text: str, published: Optional[str], future: bool = False) -> Optional[tuple[str, str, int, int]]:
    """(YYYY-MM-DD, expression as written, start, end) for the first resolvable expression, else None."""
    pub = publication_day(published)
    if pub is None or not text:
        return None
    found = []
    for kind, rx in _COMPILED:
        for m in rx.finditer(text):
            try:
                d = _resolve(kind, m, pub, future)
            except (ValueError, OverflowError):
                continue
            if d is not None:
                found.append((m.start(), -m.end(), d.isoformat(), m.group(0)))
                break
    if not found:
        return None
    start, neg_end, iso, written = min(found)
    return iso, written, start, -neg_end
