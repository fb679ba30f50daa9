"""One record event as elementary changes of single values: what a dialect renders as "datum
added / changed / removed", one per scalar value or array element. Neutral: no wire names here.

`record.updated` events carry the whole record before and after (`record_snapshot`), array operators
included, so every change is recovered from the event alone; elements are paired the way datum rows
are (`pair_elements`), so a change here is the change that datum rows saw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from objectbase.core.elements import pair_elements
from objectbase.core.models import Event
from objectbase.core.schema import ClassDef, FieldDef

__all__ = ["ElementaryChange", "elementary_changes"]

ChangeKind = Literal["added", "changed", "removed"]


@dataclass(frozen=True)
class ElementaryChange:
    kind: ChangeKind
    field_id: int
    field: str
    old_value: Any = None
    new_value: Any = None
    # The element's index in the array before / after (0 for a scalar); None on the side it is absent.
    old_position: int | None = None
    new_position: int | None = None
    # Events do not record datum ids; a dialect that has the rows may fill it in.
    datum_id: int | None = None


def _field_changes(field_def: FieldDef, before: Any, after: Any) -> list[ElementaryChange]:
    if before == after:
        return []
    if not field_def.type.is_array:
        if before is None:
            return [ElementaryChange("added", field_def.id, field_def.name, None, after, None, 0)]
        if after is None:
            return [ElementaryChange("removed", field_def.id, field_def.name, before, None, 0, None)]
        return [ElementaryChange("changed", field_def.id, field_def.name, before, after, 0, 0)]
    old, new = list(before or []), list(after or [])
    changes = []
    for i, j in pair_elements(old, new):
        old_value = None if i is None else old[i]
        new_value = None if j is None else new[j]
        if i is None:
            changes.append(ElementaryChange("added", field_def.id, field_def.name, None, new_value, None, j))
        elif j is None:
            changes.append(ElementaryChange("removed", field_def.id, field_def.name, old_value, None, i, None))
        elif old_value != new_value:
            changes.append(ElementaryChange("changed", field_def.id, field_def.name, old_value, new_value, i, j))
    return changes


def elementary_changes(cls: ClassDef, event: Event) -> list[ElementaryChange]:
    """The value changes of a record event, in the class's field order (none for other kinds, and
    none for fields the class no longer has)."""
    if event.class_id != cls.id or not event.kind.startswith("record."):
        return []
    old, new = event.old or {}, event.new or {}
    changes: list[ElementaryChange] = []
    for field_def in cls.fields.values():
        changes += _field_changes(field_def, old.get(field_def.name), new.get(field_def.name))
    return changes
