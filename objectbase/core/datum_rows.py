"""Datum rows: one stable, database-drawn integer id per value of a record's field (a scalar's value
at position 0, each array element at its index), kept in step by every record write.

Writes compare a record before and after (`pair_elements` for arrays): a scalar changing value keeps
its row untouched; setting it null removes it; array elements that remain keep their rows (moved if
their index changed), new ones get new rows, removed ones lose theirs. All of a write's new rows go in
one executemany insert."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from objectbase.core.elements import pair_elements
from objectbase.core.models import Datum, Record
from objectbase.core.schema import ClassDef, FieldDef
from objectbase.core.unit_of_work import DatumRows, DatumSpot

__all__ = ["DatumPlan", "DatumSpot", "datum_values", "plan_created", "plan_updated",
           "write_datum_plan"]

@dataclass
class DatumPlan:
    inserts: list[DatumSpot] = field(default_factory=list)
    deletes: list[DatumSpot] = field(default_factory=list)
    # (record_seq, field_id) -> [(old position, new position)]: rows whose index changed.
    moves: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict)


def _elements(field_def: FieldDef, value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if field_def.type.is_array else [value]


def plan_created(cls: ClassDef, records: Sequence[Record], plan: DatumPlan | None = None) -> DatumPlan:
    plan = plan or DatumPlan()
    for record in records:
        assert record.seq is not None
        for field_def in cls.fields.values():
            count = len(_elements(field_def, record.values.get(field_def.name)))
            plan.inserts.extend((record.seq, field_def.id, p) for p in range(count))
    return plan


def plan_updated(cls: ClassDef, pairs: Sequence[tuple[Record, Record]], plan: DatumPlan | None = None) -> DatumPlan:
    plan = plan or DatumPlan()
    for old, new in pairs:
        seq = old.seq
        assert seq is not None
        for field_def in cls.fields.values():
            before, after = old.values.get(field_def.name), new.values.get(field_def.name)
            if before == after:
                continue
            if not field_def.type.is_array:
                if before is None:
                    plan.inserts.append((seq, field_def.id, 0))
                elif after is None:
                    plan.deletes.append((seq, field_def.id, 0))
                continue  # value -> value: the same datum
            moved: list[tuple[int, int]] = []
            for i, j in pair_elements(_elements(field_def, before), _elements(field_def, after)):
                if j is None:
                    plan.deletes.append((seq, field_def.id, i))  # type: ignore[arg-type]
                elif i is None:
                    plan.inserts.append((seq, field_def.id, j))
                elif i != j:
                    moved.append((i, j))
            if moved:
                plan.moves[(seq, field_def.id)] = moved
    return plan


def write_datum_plan(tx: DatumRows, app_id: int, class_id: int, plan: DatumPlan) -> None:
    """Moves are made by id (read first, before the deletes), since positions repeat mid-way."""
    moves: list[tuple[int, int]] = []
    for (seq, field_id), moved in plan.moves.items():
        ids = {d.position: d.id for d in tx.select_datum_rows(class_id, seq, [field_id])}
        moves.extend((ids[i], j) for i, j in moved if i in ids)
    if plan.deletes:
        tx.delete_datum_rows_at(class_id, plan.deletes)
    if moves:
        tx.move_datum_rows(moves)
    if plan.inserts:
        tx.insert_datum_rows(app_id, class_id, plan.inserts)


def datum_values(cls: ClassDef, record: Record, rows: Sequence[Datum]) -> list[tuple[FieldDef, Datum]]:
    """The rows with their values from the record, in the class's field order then position."""
    by_id = {f.id: f for f in cls.fields.values()}
    order = {f.id: n for n, f in enumerate(cls.fields.values())}
    found: list[tuple[FieldDef, Datum]] = []
    for row in sorted((r for r in rows if r.field_id in by_id), key=lambda r: (order[r.field_id], r.position)):
        field_def = by_id[row.field_id]
        elements = _elements(field_def, record.values.get(field_def.name))
        if row.position < len(elements):
            found.append((field_def, Datum(row.id, row.field_id, row.position, elements[row.position],
                                           row.record_seq, row.class_id)))
    return found
