"""Members of Tracy request bodies that every record-side endpoint reads the same way: references
(`{"id": n}`, contract §1.4: only the id is read), lists, and metadatums."""

from __future__ import annotations

import math
from typing import Any

from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.record_edits import MetadatumValue

__all__ = ["metadatum_value", "metadatum_values", "optional_list", "reference_id"]


def _invalid(path: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({path: [FieldError(code, message)]}, message.rstrip("."))


def reference_id(body: dict[str, Any], member: str, *, required: bool = False, path: str | None = None) -> int | None:
    """The id of a reference member; None when absent or null (400 if `required`)."""
    where = path or member
    value = body.get(member)
    if value is None:
        if required:
            raise _invalid(where, f"The member {where} is required.", "required")
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), int) or isinstance(value["id"], bool):
        raise _invalid(where, f"The member {where} must be an object with an integer id.")
    return int(value["id"])


def optional_list(body: dict[str, Any], member: str) -> list[Any]:
    value = body.get(member)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid(member, f"The member {member} must be a list.")
    return value


def _at(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def metadatum_value(entry: Any, path: str, *, representation_required: bool = True) -> MetadatumValue:
    """`path`: where the metadatum is in the body ("" for the body itself)."""
    if not isinstance(entry, dict):
        raise _invalid(path or "$", "A metadatum must be an object.")
    representation = reference_id(entry, "representation", required=representation_required,
                                  path=_at(path, "representation"))
    decimal = entry.get("decimalValue")
    if decimal is not None and (isinstance(decimal, bool) or not isinstance(decimal, (int, float))
                                or not math.isfinite(decimal)):
        raise _invalid(_at(path, "decimalValue"), "The value must be a finite number.")
    linked = reference_id(entry, "recordValue", path=_at(path, "recordValue"))
    return MetadatumValue(representation or 0, None if decimal is None else float(decimal), linked)


def metadatum_values(body: dict[str, Any]) -> list[MetadatumValue]:
    return [metadatum_value(entry, f"metadatums[{i}]") for i, entry in enumerate(optional_list(body, "metadatums"))]
