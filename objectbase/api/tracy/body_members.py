"""Members of Tracy request bodies that the record-side endpoints read: lists and metadatums
(references: `members.reference_id`)."""

from __future__ import annotations

import math
from typing import Any

from objectbase.api.tracy.members import invalid, reference_id
from objectbase.core.record_edits import MetadatumValue

__all__ = ["metadatum_value", "metadatum_values", "optional_list"]


def optional_list(body: dict[str, Any], member: str) -> list[Any]:
    value = body.get(member)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(member, f"The member {member} must be a list.")
    return value


def _at(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def metadatum_value(entry: Any, path: str, *, representation_required: bool = True) -> MetadatumValue:
    """`path`: where the metadatum is in the body ("" for the body itself)."""
    if not isinstance(entry, dict):
        raise invalid(path or "$", "A metadatum must be an object.")
    representation = reference_id(entry, "representation", required=representation_required,
                                  path=_at(path, "representation"))
    decimal = entry.get("decimalValue")
    if decimal is not None and (isinstance(decimal, bool) or not isinstance(decimal, (int, float))
                                or not math.isfinite(decimal)):
        raise invalid(_at(path, "decimalValue"), "The value must be a finite number.")
    linked = reference_id(entry, "recordValue", path=_at(path, "recordValue"), bits=64)
    return MetadatumValue(representation or 0, None if decimal is None else float(decimal), linked)


def metadatum_values(body: dict[str, Any]) -> list[MetadatumValue]:
    return [metadatum_value(entry, f"metadatums[{i}]") for i, entry in enumerate(optional_list(body, "metadatums"))]
