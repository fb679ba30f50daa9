from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["DateType", "format_date", "parse_date"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# Longer numbers are far out of range (and Python refuses to read very long ones).
_MOST_DIGITS = 40
_FIRST = int(datetime(1, 1, 1, tzinfo=timezone.utc).timestamp())
_LAST = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp())


def parse_date(value: Any) -> int:
    """Seconds since the epoch, from `YYYY-MM-DD HH:MM:SS` (UTC), ISO 8601, `YYYY-MM-DD` or Unix seconds."""
    if isinstance(value, bool):
        raise CastError("is not a date")
    if isinstance(value, (int, float)):
        return _seconds(value)
    if not isinstance(value, str):
        raise CastError("is not a date")
    text = value.strip()
    if _NUMBER.match(text) and len(text) <= _MOST_DIGITS:
        return _seconds(float(text) if "." in text else int(text))
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CastError("is not a date (expected YYYY-MM-DD HH:MM:SS or ISO 8601)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return _seconds(parsed.timestamp())


def _seconds(number: int | float) -> int:
    # Within years 1 to 9999, which every dialect can render (and far within a 64-bit column).
    if isinstance(number, float) and not math.isfinite(number):
        raise CastError("is not a date")
    seconds = int(number)
    if not _FIRST <= seconds <= _LAST:
        raise CastError("is out of range (years 1 to 9999)")
    return seconds


def format_date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class DateType(FieldType):
    """Kept as Unix seconds so that ordering and range filters are plain integer comparisons."""

    name = "Date"
    storage = "integer"

    def cast_value(self, value: Any) -> int:
        return parse_date(value)

    def to_json(self, stored: Any) -> Any:
        return None if stored is None else format_date(int(stored))
