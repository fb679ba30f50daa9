"""What every value from a request must be before it reaches storage, on either database.

PostgreSQL refuses text holding NUL (in `text` and `jsonb` alike) and integers outside a signed 64
bits; SQLite keeps the first and cannot bind the second; neither can encode a lone surrogate (which
JSON's `\\ud800` escapes produce). So the core refuses all three itself, naming the field, the same
on both databases, instead of letting the driver fail with a 500 on one of them.
"""

from __future__ import annotations

from typing import Any

from objectbase.core.errors import ValidationError

__all__ = ["INT64_MAX", "INT64_MIN", "check_int64", "check_storable", "is_storable_text", "unstorable"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Deeper than any value a field, profile or query holds; deeper input is refused, not walked.
_MAX_DEPTH = 32


def is_storable_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why `value` (a JSON-like value: text, numbers, lists, dicts) cannot be stored, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "must not contain NUL characters"
        return None if is_storable_text(value) else "must be valid Unicode text"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return None
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else "is out of range for a 64-bit integer"
    if isinstance(value, (list, tuple, dict)):
        if depth >= _MAX_DEPTH:
            return "is nested too deeply"
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        return next((why for why in (unstorable(item, depth + 1) for item in items) if why), None)
    return None


def check_storable(name: str, value: Any) -> Any:
    """`value`, or a ValidationError on `name` if it holds what no database stores."""
    why = unstorable(value)
    if why is not None:
        raise ValidationError.single(name, "invalid", f"{name} {why}")
    return value


def check_int64(name: str, value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValidationError.single(name, "invalid", f"{name} is out of range for a 64-bit integer")
    return value
