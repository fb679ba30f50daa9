"""QuickBlox update bodies (contract §4.6) -> core `RecordChange`s."""

from __future__ import annotations

from typing import Any, Mapping

from objectbase.api.quickblox.permissions import parse_record_permissions
from objectbase.core.errors import ValidationError
from objectbase.core.records import RecordChange
from objectbase.core.updates import FieldChange

__all__ = ["parent_ref", "parse_change"]

_OPERATORS = ("inc", "push", "add_to_set", "pull", "pull_all", "pop")
# Keys a client may send back from a fetched record; they are the server's to set.
_IGNORED = frozenset({"_id", "id", "user_id", "created_at", "updated_at", "class_name", "search_criteria",
                      "token", "permissions", "_parent_id"})


def parent_ref(value: Any) -> str | None:
    """`_parent_id` as sent; a number or structure becomes text the core refuses as not a record id."""
    return value if value is None or isinstance(value, str) else str(value)


def _operator_changes(op: str, raw: Any) -> list[FieldChange]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(op, "invalid", f"{op} takes field names, e.g. {op}[field]=value")
    changes: list[FieldChange] = []
    for field, value in raw.items():
        if op == "pull" and isinstance(value, Mapping):
            # pull[ratings][lt]=3: remove the elements matching a filter operator.
            changes.extend(FieldChange(str(field), "pull_where", v, argument=str(k)) for k, v in value.items())
        else:
            changes.append(FieldChange(str(field), op, value))  # type: ignore[arg-type]
    return changes


def parse_change(data: Mapping[str, Any], record_id: str = "") -> RecordChange:
    changes: list[FieldChange] = []
    for key, value in data.items():
        if key in _OPERATORS:
            changes.extend(_operator_changes(key, value))
        elif key in _IGNORED:
            continue
        elif isinstance(value, Mapping) and value and all(str(k).isdigit() for k in value):
            # tags[2]=6: set one element of an array by its position.
            changes.extend(FieldChange(key, "set_index", v, argument=str(k)) for k, v in value.items())
        else:
            changes.append(FieldChange(key, "set", value))
    return RecordChange(id=record_id, changes=changes, permissions=parse_record_permissions(data.get("permissions")),
                        parent_id=parent_ref(data.get("_parent_id")), set_parent="_parent_id" in data)
