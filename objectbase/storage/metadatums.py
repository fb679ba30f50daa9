"""Metadatum rows (see core/metadatums.py)."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import delete, select, update

from objectbase.core.models import Metadatum
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import metadatums

__all__ = ["MetadatumRows"]

_COLUMNS = (metadatums.c.id, metadatums.c.class_id, metadatums.c.record_seq, metadatums.c.representation,
            metadatums.c.decimal_value, metadatums.c.record_value)


def _metadatum(row: Sequence[Any]) -> Metadatum:
    return Metadatum(*row)


class MetadatumRows(RowsBase):
    def insert_metadatum(self, app_id: int, class_id: int, record_seq: int, representation: int,
                         decimal_value: float | None, record_value: int | None) -> Metadatum:
        new_id = self.insert_returning_id(metadatums, {
            "app_id": app_id, "class_id": class_id, "record_seq": record_seq, "representation": representation,
            "decimal_value": decimal_value, "record_value": record_value})
        return Metadatum(new_id, class_id, record_seq, representation, decimal_value, record_value)

    def update_metadatum(self, metadatum_id: int, decimal_value: float | None, record_value: int | None) -> None:
        self.conn.execute(update(metadatums).where(metadatums.c.id == metadatum_id)
                          .values(decimal_value=decimal_value, record_value=record_value))

    def delete_metadatum(self, metadatum_id: int) -> None:
        self.conn.execute(delete(metadatums).where(metadatums.c.id == metadatum_id))

    def select_metadatum(self, app_id: int, metadatum_id: int) -> Metadatum | None:
        row = self.conn.execute(select(*_COLUMNS).where(metadatums.c.app_id == app_id,
                                                        metadatums.c.id == metadatum_id)).first()
        return None if row is None else _metadatum(tuple(row))

    def select_metadatum_rows(self, class_id: int, record_seq: int) -> list[Metadatum]:
        statement = (select(*_COLUMNS).where(metadatums.c.class_id == class_id, metadatums.c.record_seq == record_seq)
                     .order_by(metadatums.c.id))
        return [_metadatum(tuple(row)) for row in self.conn.execute(statement)]

    def delete_metadatum_rows(self, class_id: int, record_seqs: Sequence[int]) -> None:
        if record_seqs:
            self.conn.execute(delete(metadatums).where(metadatums.c.class_id == class_id,
                                                       metadatums.c.record_seq.in_(record_seqs)))
