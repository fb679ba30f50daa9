"""The relations records of a class have, for reads that embed related records.

Kinds: `children`, the target's records whose `_parent_id` is the source record; `reference`, the
record a Record field of the source points to (one; for Record[] the records, in the array's order).
A `referenced_by` kind (the records whose field points here) is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from objectbase.core.schema import ClassDef

__all__ = ["Relation", "RelationKind", "relations_of"]

RelationKind = Literal["children", "reference"]


@dataclass(frozen=True)
class Relation:
    """How records of class `target` relate to a record of class `source`, through `field`."""

    kind: RelationKind
    source: str
    target: str
    # The field that joins them (on the target for `children`, on the source for `reference`).
    field: str
    # Many related records per source record (an array), or at most one (an object or null).
    many: bool


def relations_of(cls: ClassDef, classes: Sequence[ClassDef]) -> list[Relation]:
    """Every relation of `cls`: its Record fields' references, in field order, then its children by
    target name. `_parent_id` is untyped, so records of any class (this one included) may be
    children of its records."""
    by_id = {c.id: c for c in classes}
    references = [Relation("reference", cls.name, by_id[f.target_class_id].name, f.name, many=f.type.is_array)
                  for f in cls.fields.values() if f.target_class_id in by_id]
    return references + [Relation("children", cls.name, child.name, "_parent_id", many=True)
                         for child in sorted(classes, key=lambda c: c.name)]
