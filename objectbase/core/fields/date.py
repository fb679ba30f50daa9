from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["DateType", "format_date", "parse_date"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


# Years 1 to 9999: what every dialect can write back as a calendar date.
_FIRST, _LAST = -62135596800, 253402300799


def _in_range(seconds: float) -> int:
    if not (_FIRST <= seconds <= _LAST):
        raise CastError("is out of range (years 1 to 9999)")
    return int(seconds)


def parse_date(value: Any) -> int:
    """Seconds since the epoch, from `YYYY-MM-DD HH:MM:SS` (UTC), ISO 8601, `YYYY-MM-DD` or Unix seconds."""
    if isinstance(value, bool):
        raise CastError("is not a date")
    if isinstance(value, (int, float)):
        return _in_range(value)
    if not isinstance(value, str):
        raise CastError("is not a date")
    text = value.strip()
    if _NUMBER.match(text):
        return _in_range(float(text))
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CastError("is not a date (expected YYYY-MM-DD HH:MM:SS or ISO 8601)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


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
