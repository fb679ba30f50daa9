"""Comma-joined lists (`a,b`), as one string, a JSON list, or a list of comma-joined strings."""

from __future__ import annotations

from typing import Any

__all__ = ["comma_list"]


def comma_list(raw: Any) -> tuple[str, ...] | None:
    """The items, stripped, blanks dropped, deduplicated in order; None if an item is not text or a number."""
    if raw is None or raw == "":
        return ()
    items = raw if isinstance(raw, list) else [raw]
    parts: list[str] = []
    for item in items:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            return None
        parts.extend(part.strip() for part in str(item).split(",") if part.strip())
    return tuple(dict.fromkeys(parts))
