"""`_parent_id` relations: deleting a record deletes its children, in every class, recursively,
in the same transaction, whatever the children's own permissions (the parent's owner decided)."""

from __future__ import annotations

from typing import Callable, Sequence

from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import Transaction

__all__ = ["MAX_CASCADE", "collect_descendants"]

# A cascade larger than this is refused rather than run as one huge transaction.
MAX_CASCADE = 10_000


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
