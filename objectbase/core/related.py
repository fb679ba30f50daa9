"""The relations records of a class have, for reads that embed related records.

Kinds: `children`, the target's records whose `_parent_id` is the source record. Record-reference
fields will add `reference` (the record a field points to: one) and `referenced_by` (the records
whose field points here: many), joined on that field instead of `_parent_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from objectbase.core.schema import ClassDef

__all__ = ["Relation", "RelationKind", "relations_of"]

RelationKind = Literal["children"]


@dataclass(frozen=True)
class Relation:
    """How records of class `target` relate to a record of class `source`, through `field`."""

    kind: RelationKind
    source: str
    target: str
    # The field that joins them (on the target for `children`).
    field: str
    # Many related records per source record (an array), or at most one (an object or null).
    many: bool


def relations_of(cls: ClassDef, classes: Sequence[ClassDef]) -> list[Relation]:
    """Every relation of `cls`, by target name. `_parent_id` is untyped, so records of any class
    (this one included) may be children of its records."""
    return [Relation("children", cls.name, child.name, "_parent_id", many=True)
            for child in sorted(classes, key=lambda c: c.name)]
