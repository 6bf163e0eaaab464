"""Cell values for CSV: one rule for every CSV newsledger writes (CLI exports and API downloads)."""

from __future__ import annotations

import json
from typing import Any

# A spreadsheet treats these leading characters as a formula; article text is untrusted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def flat(value: Any) -> Any:
    """Nested values become JSON text so every export row is flat."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def csv_cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: formula-like text gets a leading apostrophe."""
    value = flat(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, bool):
        return int(value)
    return value
