"""Datasets' properties as Tracy sees them: the class's fields, then the automatic properties
`author`, `createdAt`, `updatedAt` (contract §3.4).

Automatic properties are not stored; their ids are derived from the class id as negative numbers
(`-(3 * class id + k)`), which no field id (positive, from the database) can take, and which every
worker computes alike."""

from __future__ import annotations

import json
from dataclasses import dataclass

from objectbase.api.tracy.property_types import AUTOMATIC, PropertyType, property_type_of
from objectbase.core.errors import NotFoundError
from objectbase.core.schema import ClassDef, FieldDef

__all__ = ["Property", "properties_of", "property_not_found", "property_of"]


@dataclass(frozen=True)
class Property:
    id: int
    name: str
    type: PropertyType
    required: bool
    position: int
    # None for an automatic property.
    field: FieldDef | None
    title: bool = False
    # A JSON object as text (contract §3.3), or None.
    parameters: str | None = None


def _automatic_id(class_id: int, index: int) -> int:
    return -(3 * class_id + index)


def _parameters(field: FieldDef) -> str | None:
    """The stored parameters; a record link's target dataset when it has none (a class-file field)."""
    if field.parameters is None and field.target_class_id is not None:
        return json.dumps({"datasetId": field.target_class_id})
    return field.parameters


def properties_of(cls: ClassDef) -> list[Property]:
    fields = [Property(f.id, f.name, property_type_of(f.type.name), f.required, position, f, f.title, _parameters(f))
              for position, f in enumerate(cls.fields.values())]
    automatic = [Property(_automatic_id(cls.id, index), kind.id, kind, False, len(fields) + index, None)
                 for index, kind in enumerate(AUTOMATIC)]
    return fields + automatic


def property_of(cls: ClassDef, field: FieldDef) -> Property:
    """The property of one of the class's fields."""
    return next(p for p in properties_of(cls) if p.field is not None and p.field.id == field.id)


def property_not_found() -> NotFoundError:
    return NotFoundError("No property of this id exists", code="property_not_found")
