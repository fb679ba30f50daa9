"""What every row mixin of `SqlTransaction` may use."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Connection, Table, update

from objectbase.storage import system_tables
from objectbase.storage.class_tables import ClassTables

__all__ = ["RowsBase"]


class RowsBase:
    conn: Connection
    dialect: str
    class_tables: ClassTables

    def after_commit(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError  # provided by SqlTransaction

    def next_sequence(self, name: str, count: int = 1) -> int:
        """Reserve `count` values of a named counter; returns the first. Held until commit."""
        table = system_tables.sequences
        last: int = self.conn.execute(
            update(table).where(table.c.name == name).values(value=table.c.value + count)
            .returning(table.c.value)
        ).scalar_one()
        return last - count + 1

    def insert_returning_id(self, table: Table, values: dict[str, Any]) -> int:
        new_id: int = self.conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()
        return new_id
