"""Datasets' properties as Tracy sees them: the class's fields, then the automatic properties
`author`, `createdAt`, `updatedAt` (contract §3.4).

Automatic properties are not stored; their ids are derived from the class id as negative numbers
(`-(3 * class id + k)`), which no field id (positive, from the database) can take, and which every
worker computes alike."""

from __future__ import annotations

from dataclasses import dataclass

from objectbase.api.tracy.property_types import AUTOMATIC, PropertyType, property_type_of
from objectbase.core.schema import ClassDef, FieldDef

__all__ = ["Property", "properties_of"]


@dataclass(frozen=True)
class Property:
    id: int
    name: str
    type: PropertyType
    required: bool
    position: int
    # None for an automatic property.
    field: FieldDef | None


def _automatic_id(class_id: int, index: int) -> int:
    return -(3 * class_id + index)


def properties_of(cls: ClassDef) -> list[Property]:
    fields = [Property(f.id, f.name, property_type_of(f.type.name), f.required, position, f)
              for position, f in enumerate(cls.fields.values())]
    automatic = [Property(_automatic_id(cls.id, index), kind.id, kind, False, len(fields) + index, None)
                 for index, kind in enumerate(AUTOMATIC)]
    return fields + automatic
