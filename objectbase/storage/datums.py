"""Datum rows (see core/datums.py): statements kept apart from storage/records.py's hot path."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import bindparam, delete, select, update

from objectbase.core.models import Datum
from objectbase.core.schema import ClassDef
from objectbase.storage._rows import RowsBase
from objectbase.storage.prepared import insert_statement
from objectbase.storage.system_tables import datums

__all__ = ["DatumRows"]

# (record_seq, field_id, position), as core/unit_of_work.py's DatumSpot.
DatumSpot = tuple[int, int, int]
_INSERTED = ["app_id", "class_id", "record_seq", "field_id", "position"]
_COLUMNS = (datums.c.id, datums.c.field_id, datums.c.position, datums.c.record_seq, datums.c.class_id)


def _datum(row: Sequence[int]) -> Datum:
    return Datum(id=row[0], field_id=row[1], position=row[2], record_seq=row[3], class_id=row[4])


class DatumRows(RowsBase):
    def insert_datum_rows(self, app_id: int, class_id: int, spots: Sequence[DatumSpot]) -> None:
        # Every record write with values comes here: prepared once (bench/inprocess.py --profile W1).
        self.prepared.get("insert_datum_rows", lambda: insert_statement(datums, _INSERTED)).execute_later(
            self.conn, [{"app_id": app_id, "class_id": class_id, "record_seq": s, "field_id": f, "position": p}
                        for s, f, p in spots])

    def delete_datum_rows_at(self, class_id: int, spots: Sequence[DatumSpot]) -> None:
        statement = delete(datums).where(
            datums.c.class_id == bindparam("c"), datums.c.record_seq == bindparam("s"),
            datums.c.field_id == bindparam("f"), datums.c.position == bindparam("p"))
        self.conn.execute(statement, [{"c": class_id, "s": s, "f": f, "p": p} for s, f, p in spots])

    def move_datum_rows(self, moves: Sequence[tuple[int, int]]) -> None:
        statement = update(datums).where(datums.c.id == bindparam("b_id")).values(position=bindparam("b_p"))
        self.conn.execute(statement, [{"b_id": i, "b_p": p} for i, p in moves])

    def select_datum_rows(self, class_id: int, record_seq: int,
                             field_ids: Sequence[int] | None = None) -> list[Datum]:
        statement = select(*_COLUMNS).where(datums.c.class_id == class_id, datums.c.record_seq == record_seq)
        if field_ids is not None:
            statement = statement.where(datums.c.field_id.in_(field_ids))
        statement = statement.order_by(datums.c.field_id, datums.c.position, datums.c.id)
        return [_datum(tuple(row)) for row in self.conn.execute(statement)]

    def select_datum(self, app_id: int, datum_id: int) -> Datum | None:
        row = self.conn.execute(select(*_COLUMNS).where(datums.c.app_id == app_id, datums.c.id == datum_id)).first()
        return None if row is None else _datum(tuple(row))

    def delete_datum_rows(self, class_id: int, record_seqs: Sequence[int]) -> None:
        if record_seqs:
            self.conn.execute(delete(datums).where(datums.c.class_id == class_id,
                                                   datums.c.record_seq.in_(record_seqs)))

    def record_id_of_seq(self, cls: ClassDef, record_seq: int) -> str | None:
        table = self.class_tables.table(cls)
        found: str | None = self.conn.execute(select(table.c["_id"]).where(table.c["_seq"] == record_seq)).scalar()
        return found
