"""Words the QuickBlox grammar gives a meaning to: a field so named could not be queried or updated."""

from __future__ import annotations

__all__ = ["RESERVED_FIELD_NAMES"]

RESERVED_FIELD_NAMES = frozenset({
    "inc", "pull", "pull_all", "pop", "push", "add_to_set", "permissions", "search_criteria", "record",
    "skip", "limit", "sort_asc", "sort_desc", "count", "output", "group_by", "near", "token", "id",
    "class_name", "field_name",
})
