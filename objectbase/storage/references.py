"""What reference fields look up: users of an app by id, records of a class by `_seq`."""

from __future__ import annotations

from typing import Collection

from sqlalchemy import select

from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef
from objectbase.storage._rows import RowsBase
from objectbase.storage.compile import Compiler
from objectbase.storage.records import RecordRows, record_reader
from objectbase.storage.system_tables import users

__all__ = ["ReferenceRows"]


class ReferenceRows(RecordRows, RowsBase):
    def select_user_ids(self, app_id: int, ids: Collection[int]) -> set[int]:
        if not ids:
            return set()
        statement = select(users.c.id).where(users.c.app_id == app_id, users.c.id.in_(list(ids)))
        return set(self.conn.scalars(statement))

    def select_records_by_seq(self, cls: ClassDef, seqs: Collection[int], where: ast.Node) -> list[Record]:
        """The class's records with those `_seq`s that match the bound `where` (e.g. a read ACL)."""
        if not seqs:
            return []
        table = self.class_tables.table(cls)
        compiler: Compiler = self._records_compiler(cls, table)
        statement = select(table).where(table.c["_seq"].in_(list(seqs)), compiler.where(where))
        read = record_reader(cls, self.class_tables.value_columns(cls))
        return [read(row._mapping) for row in self.conn.execute(statement.order_by(table.c["_seq"]))]
