"""What every row mixin of `SqlTransaction` may use."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Connection, Integer, Table, bindparam, func, select, update

from objectbase.storage import system_tables
from objectbase.storage.class_tables import ClassTables
from objectbase.storage.prepared import PreparedCache

__all__ = ["RowsBase"]


class RowsBase:
    conn: Connection
    dialect: str
    class_tables: ClassTables
    prepared: PreparedCache

    def after_commit(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError  # provided by SqlTransaction

    def next_record_seqs(self, count: int) -> list[int]:
        """`count` new, increasing record `_seq` values, drawn by the database in one round trip.

        PostgreSQL draws from the sequence `record_seq`, which holds no lock until commit (values of a
        rolled-back transaction are skipped, and concurrent batches may interleave). SQLite bumps the
        counter row in `sequences`: its one writer already holds the database until commit."""
        if self.dialect == "postgresql":
            drawn = self.prepared.get("next_record_seqs", lambda: (
                select(system_tables.record_seq.next_value())
                .select_from(func.generate_series(1, bindparam("count", type_=Integer))))
            ).rows(self.conn, {"count": count})
            return sorted(row[0] for row in drawn)
        table = system_tables.sequences
        last: int = self.prepared.get("next_record_seqs", lambda: (
            update(table).where(table.c.name == "record_seq").values(value=table.c.value + bindparam("count"))
            .returning(table.c.value))
        ).rows(self.conn, {"count": count})[0][0]
        return list(range(last - count + 1, last + 1))

    def touch_class(self, class_id: int) -> None:
        """Bump the class's version: derived caches (its Table, prepared statements, the per-worker
        class cache) key on it."""
        classes = system_tables.classes
        self.conn.execute(update(classes).where(classes.c.id == class_id).values(version=classes.c.version + 1))

    def insert_returning_id(self, table: Table, values: dict[str, Any]) -> int:
        new_id: int = self.conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()
        return new_id
