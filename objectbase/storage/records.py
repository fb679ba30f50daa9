from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import ColumnElement, Row, Table, func, insert, select

from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.models import Record
from objectbase.core.permissions import RECORD_ACTIONS, Access, Permission
from objectbase.core.query import ast
from objectbase.core.schema import SYSTEM_FIELDS, ClassDef
from objectbase.storage._rows import RowsBase
from objectbase.storage.class_tables import acl_access_column, acl_members_column, field_column_name
from objectbase.storage.compile import Compiler

__all__ = ["RecordRows"]


def _record_to_row(cls: ClassDef, record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {
        "_id": record.id, "_seq": record.seq, "user_id": record.user_id, "_parent_id": record.parent_id,
        "created_at": record.created_at, "updated_at": record.updated_at,
    }
    for action in RECORD_ACTIONS:
        permission = record.acl[action]
        row[acl_access_column(action.value)] = permission.access.value
        row[acl_members_column(action.value)] = list(permission.members) if permission.members else None
    for name, field in cls.fields.items():
        row[field_column_name(field)] = record.values.get(name)
    return row


def _row_to_record(cls: ClassDef, row: Row[Any]) -> Record:
    data = row._mapping
    return Record(
        id=data["_id"], seq=data["_seq"], class_id=cls.id, user_id=data["user_id"],
        parent_id=data["_parent_id"], created_at=data["created_at"], updated_at=data["updated_at"],
        values={name: data[field_column_name(field)] for name, field in cls.fields.items()},
        acl={action: Permission(Access(data[acl_access_column(action.value)]),
                                tuple(data[acl_members_column(action.value)] or ()))
             for action in RECORD_ACTIONS},
    )


class RecordRows(RowsBase):
    def _records_compiler(self, cls: ClassDef, table: Table) -> Compiler:
        def resolve(ref: ast.FieldRef) -> tuple[ColumnElement[Any], bool]:
            if isinstance(ref, ast.AclAccess):
                return table.c[acl_access_column(ref.action)], False
            if isinstance(ref, ast.AclMembers):
                return table.c[acl_members_column(ref.action)], True
            if ref in SYSTEM_FIELDS:
                return table.c[ref], False
            field = cls.fields.get(ref)
            if field is None:
                raise UnsupportedQueryError(f"{ref} is not a field of {cls.name}", code="unknown_field")
            return table.c[field_column_name(field)], field.type.is_array
        return Compiler(self.dialect, resolve)

    def _sort_column(self, cls: ClassDef, table: Table, name: str) -> ColumnElement[Any]:
        if name in SYSTEM_FIELDS:
            return table.c[name]
        field = cls.fields.get(name)
        if field is None:
            raise UnsupportedQueryError(f"{name} is not a field of {cls.name}", code="unknown_field")
        return table.c[field_column_name(field)]

    def insert_records(self, cls: ClassDef, records: Sequence[Record]) -> None:
        if not records:
            return
        first = self.next_sequence("record_seq", len(records))
        for offset, record in enumerate(records):
            record.seq = first + offset
        table = self.class_tables.table(cls)
        self.conn.execute(insert(table), [_record_to_row(cls, r) for r in records])

    def select_records(self, cls: ClassDef, query: ast.Query) -> list[Record]:
        table = self.class_tables.table(cls)
        statement = select(table).where(self._records_compiler(cls, table).where(query.where))
        order = []
        for key in query.sort:
            column = self._sort_column(cls, table, key.field)
            order.append(column.desc() if key.descending else column.asc())
        # _id breaks ties (and is creation order), so paging is stable.
        statement = statement.order_by(*order, table.c["_id"]).offset(query.skip)
        if query.limit is not None:
            statement = statement.limit(query.limit)
        return [_row_to_record(cls, row) for row in self.conn.execute(statement)]

    def count_records(self, cls: ClassDef, where: ast.Node) -> int:
        table = self.class_tables.table(cls)
        count: int = self.conn.execute(
            select(func.count()).select_from(table).where(self._records_compiler(cls, table).where(where))
        ).scalar_one()
        return count
