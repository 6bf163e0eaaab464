"""Health of a followed source, from what its polls recorded.

Status, worst first:
- ``blocked``: the last poll was refused for good reasons of the site's own
  (robots.txt, HTTP 401/403, a paywall or a captcha page); polling harder will not help.
- ``failing``: polls keep failing (errors, 429/5xx, timeouts, a private address)
  and the last success, if any, is older than two intervals.
- ``silent``: polls succeed but nothing new has come for much longer than the
  source's own rhythm (or ever, a day after it was added).
- ``slow``: polls succeed but the source took longer than ``slow_after`` seconds to answer the last one.
- ``ok``.
- ``pending``: not polled yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from statistics import quantiles
from typing import Any, Optional

BLOCKING = ("robots", "403", "paywall", "captcha")
SLOW_AFTER = 10.0  # seconds a poll may take before the source counts as slow
HISTORY_DAYS = 30  # days of per-day item counts kept
SILENT_MIN = 6 * 3600  # never call a source silent before this long without news
SILENT_MAX = 14 * 86400
STATUS_ORDER = {"silent": 0, "failing": 1, "blocked": 2, "slow": 3, "ok": 4, "pending": 5}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def epoch(text: Optional[str]) -> Optional[float]:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).date().isoformat()


def add_items(daily: dict[str, int], ts: float, n: int) -> dict[str, int]:
    """Per-day counts with ``n`` more items on ``ts``'s day; older days pruned."""
    out = dict(daily or {})
    key = day(ts)
    out[key] = int(out.get(key, 0)) + n
    oldest = day(ts - HISTORY_DAYS * 86400)
    return {k: v for k, v in out.items() if k > oldest}


def _days_followed(src: dict[str, Any], now: float) -> list[str]:
    """Whole UTC days since the source was added, before today (newest last, at most HISTORY_DAYS)."""
    added = epoch(src.get("added")) or now
    first = max(datetime.fromtimestamp(added, timezone.utc).date() + timedelta(days=1),
                datetime.fromtimestamp(now, timezone.utc).date() - timedelta(days=HISTORY_DAYS))
    today = datetime.fromtimestamp(now, timezone.utc).date()
    days, d = [], first
    while d < today:
        days.append(d.isoformat())
        d += timedelta(days=1)
    return days


def usual(src: dict[str, Any], now: float) -> tuple[Optional[float], Optional[list[int]]]:
    """(items per day on average, [low, high] usual range: the 25th and 75th percentile
    of whole days followed); (None, None) before the first whole day."""
    days = _days_followed(src, now)
    if not days:
        return None, None
    counts = [int((src.get("daily") or {}).get(d, 0)) for d in days]
    mean = sum(counts) / len(counts)
    if len(counts) == 1:
        return mean, [counts[0], counts[0]]
    q = quantiles(counts, n=4, method="inclusive")
    return mean, [int(q[0]), int(round(q[2]))]


def health(src: dict[str, Any], now: float, *, slow_after: float = SLOW_AFTER) -> dict[str, Any]:
    """The source's health record (what ``sources health --json`` prints)."""
    per_day, range_ = usual(src, now)
    last_new = epoch(src.get("last_new_item"))
    last_ok = epoch(src.get("last_success"))
    added = epoch(src.get("added")) or now
    every = int(src.get("every_s") or 900)
    fails = int(src.get("consecutive_failures") or 0)
    kind = src.get("last_error_kind")
    since_new = now - last_new if last_new else None

    status, reason = "ok", None
    if not src.get("polls"):
        status = "pending"
    elif fails and kind in BLOCKING:
        status, reason = "blocked", kind
    elif fails and (last_ok is None or now - last_ok > 2 * every):
        status, reason = "failing", kind or "error"
    else:
        # Silent: far longer without news than this source's own rhythm.
        gap = 86400 / per_day if per_day else None
        silent_after = min(SILENT_MAX, max(SILENT_MIN, 3 * every, 4 * gap if gap else 86400))
        quiet_since = last_new or added
        if now - quiet_since > silent_after:
            status, reason = "silent", f"no new item for {_span(now - quiet_since)}"
        elif src.get("last_duration") and float(src["last_duration"]) > slow_after:
            status, reason = "slow", f"source took {float(src['last_duration']):.1f} s"
    return {
        "id": src.get("id"),
        "url": src.get("url"),
        "name": src.get("name"),
        "collection": src.get("collection"),
        "outlet": src.get("outlet"),
        "status": status,
        "reason": reason,
        "last_attempt": src.get("last_attempt"),
        "last_success": src.get("last_success"),
        "last_error": src.get("last_error"),
        "last_error_kind": kind,
        "consecutive_failures": fails,
        "items_total": int(src.get("items_total") or 0),
        "items_per_day": round(per_day, 2) if per_day is not None else None,
        "usual_range": range_,
        "since_last_new_item_s": int(since_new) if since_new is not None else None,
        "last_new_item": src.get("last_new_item"),
        "next_poll": iso(src["next_due"]) if src.get("next_due") else None,
        "every_s": every,
    }


def report(sources: list[dict[str, Any]], now: float, **kw: Any) -> list[dict[str, Any]]:
    """Health of every source, silent and failing ones first."""
    rows = [health(s, now, **kw) for s in sources]
    return sorted(rows, key=lambda h: (STATUS_ORDER.get(h["status"], 9), h["id"] or 0))


def _span(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{int(seconds // 60)} min"
