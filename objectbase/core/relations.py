"""Relations between records: the relations a class has (for reads that embed related records),
and the `_parent_id` cascade: deleting a record deletes its children, in every class, recursively,
in the same transaction, whatever the children's own permissions (the parent's owner decided)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Sequence

from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import Transaction

__all__ = ["MAX_CASCADE", "Relation", "RelationKind", "collect_descendants", "relations_of"]

# `children`: the target's records whose `_parent_id` is the source record. Record-reference fields
# will add `reference` (the record a field points to: one) and `referenced_by` (the records whose
# field points here: many), joined on that field instead of `_parent_id`.
RelationKind = Literal["children"]

# A cascade larger than this is refused rather than run as one huge transaction.
MAX_CASCADE = 10_000


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


def collect_descendants(tx: Transaction, classes: Sequence[ClassDef], parent_ids: Sequence[str],
                        on_too_many: Callable[[], Exception]) -> list[tuple[ClassDef, list[Record]]]:
    """Every record below `parent_ids`, grouped by class, each row locked for the deletion."""
    found: dict[int, tuple[ClassDef, list[Record]]] = {}
    seen = set(parent_ids)
    frontier = list(parent_ids)
    total = 0
    while frontier:
        next_frontier: list[str] = []
        for cls in classes:
            children = tx.select_records(cls, ast.Query(where=ast.In("_parent_id", tuple(frontier))),
                                         for_update=True)
            fresh = [c for c in children if c.id not in seen]
            if not fresh:
                continue
            seen.update(c.id for c in fresh)
            found.setdefault(cls.id, (cls, []))[1].extend(fresh)
            next_frontier.extend(c.id for c in fresh)
            total += len(fresh)
            if total > MAX_CASCADE:
                raise on_too_many()
        frontier = next_frontier
    return list(found.values())
