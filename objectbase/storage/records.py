from __future__ import annotations

import functools
import operator
from dataclasses import replace
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import (
    BigInteger, ColumnElement, Select, Table, bindparam, case, delete, func, insert, literal, null, select, update,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.models import Record
from objectbase.core.permissions import ACCESS_VALUES, RECORD_ACTIONS, Access, Permission, RecordPermissions
from objectbase.core.query import ast
from objectbase.core.schema import SYSTEM_FIELDS, ClassDef
from objectbase.storage import system_tables
from objectbase.storage._rows import RowsBase
from objectbase.storage.class_tables import acl_access_column, acl_members_column, field_column_name
from objectbase.storage.compile import Compiler
from objectbase.storage.prepared import insert_statement, tuple_getter
from objectbase.storage.shapes import split

__all__ = ["RecordRows", "by_access_level", "record_reader"]


_ACL_COLUMNS = tuple((action, acl_access_column(action.value), acl_members_column(action.value))
                     for action in RECORD_ACTIONS)
def _record_to_row(cls: ClassDef, record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {
        "_id": record.id, "_seq": record.seq, "user_id": record.user_id, "_parent_id": record.parent_id,
        "created_at": record.created_at, "updated_at": record.updated_at,
        "_state_id": record.state_id, "_archived_at": record.archived_at, "_removed_at": record.removed_at,
    }
    for action, access_column, members_column in _ACL_COLUMNS:
        permission = record.acl[action]
        row[access_column] = ACCESS_VALUES[permission.access]
        row[members_column] = list(permission.members) if permission.members else None
    for name, field in cls.fields.items():
        row[field_column_name(field)] = record.values.get(name)
    return row


def _access_level(branch: ast.Node) -> tuple[str, Any] | None:
    """(action, access level) that a branch of the permission filter pins, if it pins one."""
    for part in branch.items if isinstance(branch, ast.And) else (branch,):
        if isinstance(part, ast.Compare) and isinstance(part.field, ast.AclAccess) and part.op == "eq":
            return part.field.action, part.value
    return None


def by_access_level(where: ast.Node) -> list[ast.Node] | None:
    """`where` as disjoint parts, one per access level, when it holds an OR of branches that each pin
    the same access column to another value (core/permissions.py's read filter): no record matches
    two parts, so the count of `where` is the sum of theirs, and each part's count is a range of the
    field's access-level index (storage/class_tables.py) instead of a permission check per row."""
    items = where.items if isinstance(where, ast.And) else (where,)
    for index, item in enumerate(items):
        if not isinstance(item, ast.Or):
            continue
        levels = [_access_level(branch) for branch in item.items]
        if (None not in levels and len(set(levels)) == len(levels) > 1
                and len({level[0] for level in levels if level is not None}) == 1):
            rest = items[:index] + items[index + 1:]
            return [ast.conjoin(*rest, branch) for branch in item.items]
    return None


# More rows than any table holds, and within a signed 64-bit integer (offsets and limits are bound).
_MOST_ROWS = 2**62

# Permissions repeat across rows (most records keep the defaults): one object per distinct value.
_PERMISSIONS: dict[tuple[str, tuple[Any, ...]], Permission] = {}


def _permission(access: str, members: Sequence[Any] | None) -> Permission:
    key = (access, tuple(members) if members else ())
    permission = _PERMISSIONS.get(key)
    if permission is None:
        permission = Permission(Access(access), key[1])
        if len(_PERMISSIONS) < 4096:
            _PERMISSIONS[key] = permission
    return permission


# Whole ACLs of records with no member lists (most records), shared like the permissions: one
# lookup per row instead of a permission per action.
_PLAIN_ACLS: dict[tuple[Any, ...], RecordPermissions] = {}
# Spelled out for the three record actions (read, update, delete): this runs for every row read.
(_READ_ACCESS, _READ_MEMBERS), (_UPDATE_ACCESS, _UPDATE_MEMBERS), (_DELETE_ACCESS, _DELETE_MEMBERS) = (
    (access, members) for _action, access, members in _ACL_COLUMNS)


def _acl(data: Any, at: Sequence[Any]) -> RecordPermissions:
    """`at`: where the read, update and delete access and members columns are in `data`."""
    read_access, read_members, update_access, update_members, delete_access, delete_members = at
    if data[read_members] is None and data[update_members] is None and data[delete_members] is None:
        key = (data[read_access], data[update_access], data[delete_access])
        acl = _PLAIN_ACLS.get(key)
        if acl is None:
            acl = {action: _permission(access, None) for (action, _a, _m), access in zip(_ACL_COLUMNS, key)}
            if len(_PLAIN_ACLS) < 1024:
                _PLAIN_ACLS[key] = acl
        return acl
    return {action: _permission(data[at[2 * n]], data[at[2 * n + 1]]) for n, (action, _a, _m) in enumerate(_ACL_COLUMNS)}


RecordReader = Callable[[Any], Record]


class _ByName(dict[str, str]):
    """Where a column is in a row mapping: under its own name."""

    def __missing__(self, key: str) -> str:
        return key


def record_reader(cls: ClassDef, columns: Sequence[tuple[str, str]], at: Mapping[str, Any] = _ByName()) -> RecordReader:
    """Rows of the class table -> records. `columns`: (field name, column name) of each field
    (`ClassTables.value_columns`); `at`: each column's place in a row — its index in a tuple from
    a prepared statement (one lookup per value instead of a dict built per row and read by name:
    a search's hundred rows, bench/inprocess.py W3), or by default its name in a mapping."""
    i_id, i_seq, i_user, i_parent, i_created, i_updated, i_state, i_archived, i_removed = (
        at[name] for name in ("_id", "_seq", "user_id", "_parent_id", "created_at", "updated_at", "_state_id",
                              "_archived_at", "_removed_at"))
    names = tuple(name for name, _column in columns)
    # The values of a row in `names` order, in one C call (a dict comprehension was a tenth of a read).
    values_of = tuple_getter([at[column] for _name, column in columns])
    acl_at = tuple(at[column] for _action, access, members in _ACL_COLUMNS for column in (access, members))
    class_id = cls.id

    def read(row: Any) -> Record:
        # Positionally, in `Record`'s field order: keyword arguments cost a third of the call.
        return Record(row[i_id], class_id, row[i_user], row[i_parent], row[i_created], row[i_updated],
                      dict(zip(names, values_of(row))), _acl(row, acl_at), row[i_seq], row[i_state],
                      row[i_archived], row[i_removed])
    return read


def _ordered(column: ColumnElement[Any], key: ast.SortKey, dialect: str) -> Any:
    """By default NULL sorts as the smallest value on both databases. That is SQLite's own order, so
    SQLite gets a NULLS clause only when the key asks for the other one (a clause would keep it from
    reading an index); PostgreSQL's default is the opposite, so it always gets one, and its indexes
    are built NULLS FIRST (class_tables.py) to serve the default both ways."""
    ordered = column.desc() if key.descending else column.asc()
    nulls_first = key.nulls_first()
    if dialect != "postgresql" and nulls_first == (not key.descending):
        return ordered
    return ordered.nulls_first() if nulls_first else ordered.nulls_last()


def _plain_number(value: Any, how: str) -> Any:
    """PostgreSQL answers sum/avg as NUMERIC (Decimal): averages are floats, sums of integers integers."""
    if isinstance(value, Decimal):
        return int(value) if how == "sum" and value == value.to_integral_value() else float(value)
    if how == "avg" and isinstance(value, int):
        return float(value)
    return value


class RecordRows(RowsBase):
    def _records_compiler(self, cls: ClassDef, table: Table, *, by_access_level: bool = False) -> Compiler:
        """`by_access_level`: the query is one part of a count split by access level (`by_access_level`
        below), whose index leads with the access column. Elsewhere SQLite must not use that index:
        without statistics its planner takes the access level's equality for a selective one and
        reads a list through it (an OR of index ranges, then a sort: 186 ms for W3 instead of 2),
        so there the access column is compared through SQLite's no-op `+`, which no index serves."""
        def resolve(ref: ast.FieldRef) -> tuple[ColumnElement[Any], bool]:
            if isinstance(ref, ast.AclAccess):
                access = table.c[acl_access_column(ref.action)]
                if by_access_level or self.dialect != "sqlite":
                    return access, False
                return UnaryExpression(access, operator=operators.custom_op("+"), type_=access.type), False
            if isinstance(ref, ast.AclMembers):
                return table.c[acl_members_column(ref.action)], True
            if isinstance(ref, ast.RecordMark):
                return table.c[f"_{ref.name}"], False
            if ref in SYSTEM_FIELDS:
                return table.c[ref], False
            field = cls.fields.get(ref)
            if field is None:
                raise UnsupportedQueryError(f"{ref} is not a field of {cls.name}", code="unknown_field")
            return table.c[field_column_name(field)], field.type.is_array
        return Compiler(self.dialect, resolve)

    def _sort_column(self, cls: ClassDef, table: Table, name: str) -> ColumnElement[Any]:
        if name == ast.STATE_POSITION:
            # The positions are the class's (its version keys the prepared statements), bound as values.
            positions = {s.id: s.position for s in cls.states}
            if not positions:
                return table.c["_state_id"]  # NULL on every record (a constant is no ORDER BY key)
            return case(positions, value=table.c["_state_id"], else_=null())
        if name in SYSTEM_FIELDS or name == ast.SEQ:
            return table.c[name]
        field = cls.fields.get(name)
        if field is None:
            raise UnsupportedQueryError(f"{name} is not a field of {cls.name}", code="unknown_field")
        return table.c[field_column_name(field)]

    def insert_records(self, cls: ClassDef, records: Sequence[Record]) -> None:
        if not records:
            return
        table = self.class_tables.table(cls)
        if self.dialect == "postgresql" and len(records) == 1:
            # A request's one record draws its `_seq` in its own INSERT (RETURNING it): a round trip
            # fewer than drawing it first (PostgreSQL W1: 5 -> 4 round trips per create).
            (record,) = records
            row = _record_to_row(cls, record)
            del row["_seq"]
            record.seq = self.prepared.get(
                ("insert_drawing_seq", cls.id, cls.version),
                lambda: insert_statement(table, list(row)).values(_seq=system_tables.record_seq.next_value())
                .returning(table.c["_seq"])).rows(self.conn, row)[0][0]
            return
        for record, seq in zip(records, self.next_record_seqs(len(records)), strict=True):
            record.seq = seq
        rows = [_record_to_row(cls, r) for r in records]
        self.prepared.get(("insert", cls.id, cls.version), lambda: insert_statement(table, list(rows[0]))).execute_many(
            self.conn, rows)

    def select_records(self, cls: ClassDef, query: ast.Query, *, for_update: bool = False) -> list[Record]:
        if query.skip > _MOST_ROWS:
            return []  # past any table: the page is empty (and the number would overflow a bigint)
        if query.limit is not None and query.limit > _MOST_ROWS:
            query = replace(query, limit=_MOST_ROWS)
        table = self.class_tables.table(cls)
        columns = self.class_tables.value_columns(cls)
        shaped = split(query.where)
        if shaped is None:
            statement = self._select(cls, table, query.where, query.sort, for_update, query.skip, query.limit)
            read = record_reader(cls, columns)
            return [read(row._mapping) for row in self.conn.execute(statement)]
        # Prepared once per query shape: a read by another id or threshold reuses the statement.
        shape, values, key = shaped
        params: dict[str, Any] = {f"s{i}": value for i, value in enumerate(values)}
        params.update(_skip=query.skip, _limit=query.limit)
        paged = query.limit is not None
        prepared = self.prepared.get(
            ("select", cls.id, cls.version, key, query.sort, for_update, paged),
            lambda: self._select(cls, table, shape, query.sort, for_update, bindparam("_skip", type_=BigInteger),
                                 bindparam("_limit", type_=BigInteger) if paged else None))
        # The statement's key holds the class's version: its columns, and so its reader, are fixed.
        reader: RecordReader | None = prepared.derived.get("reader")
        if reader is None:
            reader = prepared.derived["reader"] = record_reader(
                cls, columns, {name: index for index, name in enumerate(prepared.columns)})
        return [reader(row) for row in prepared.rows(self.conn, params)]

    def _select(self, cls: ClassDef, table: Table, where: ast.Node, sort: Sequence[ast.SortKey], for_update: bool,
                skip: Any, limit: Any) -> Select[Any]:
        statement = select(table).where(self._records_compiler(cls, table).where(where))
        if for_update and self.dialect == "postgresql":
            # Row locks until commit: concurrent updates of the same record queue instead of racing.
            # (SQLite's BEGIN IMMEDIATE already serialises every writer.)
            statement = statement.with_for_update()
        # _id breaks ties (and is creation order), so paging is stable.
        statement = statement.order_by(*self._order(cls, table, sort)).offset(skip)
        if limit is not None:
            statement = statement.limit(limit)
        return statement

    def _order(self, cls: ClassDef, table: Table, sort: Sequence[ast.SortKey]) -> list[Any]:
        return [*(_ordered(self._sort_column(cls, table, key.field), key, self.dialect) for key in sort),
                table.c["_id"]]

    def select_record_groups(self, cls: ClassDef, query: ast.Query, group_by: str) -> list[Record]:
        """One statement for every group: rows numbered within their group in the query's order
        (a window function, on both databases), of which the first `query.limit` are kept."""
        table = self.class_tables.table(cls)
        rank = func.row_number().over(partition_by=self._sort_column(cls, table, group_by),
                                      order_by=self._order(cls, table, query.sort)).label("_rank")
        ranked = select(table, rank).where(self._records_compiler(cls, table).where(query.where)).subquery()
        statement = select(ranked)
        if query.limit is not None:
            statement = statement.where(ranked.c["_rank"] <= query.limit)
        statement = statement.order_by(ranked.c[self._sort_column(cls, table, group_by).name], ranked.c["_rank"])
        columns = self.class_tables.value_columns(cls)
        read = record_reader(cls, columns)
        return [read(row._mapping) for row in self.conn.execute(statement)]

    def update_records(self, cls: ClassDef, records: Sequence[Record], old: Sequence[Record] | None = None) -> None:
        """With `old`, only the columns whose values changed are SET (an unchanged record is not
        written): SQLite rewrites the entries of every index on a SET column, changed or not, which
        made a one-field update cost twice what it needs to (182 µs → 84 µs a commit, 9 indexes)."""
        table = self.class_tables.table(cls)
        # Rows by the columns they SET, each set its own prepared statement.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for index, record in enumerate(records):
            row = _record_to_row(cls, record)
            del row["_seq"]
            if old is not None:
                before = _record_to_row(cls, old[index])
                row = {name: value for name, value in row.items() if name == "_id" or value != before[name]}
                if len(row) == 1:
                    continue
            # Bound names must differ from column names in an UPDATE … SET, hence the prefix.
            groups.setdefault(tuple(row), []).append({f"b{name}": value for name, value in row.items()})
        for names, rows in groups.items():
            def statement(names: tuple[str, ...] = names) -> Any:
                columns = {name: bindparam(f"b{name}", type_=table.c[name].type) for name in names if name != "_id"}
                return update(table).where(table.c["_id"] == bindparam("b_id")).values(columns)
            self.prepared.get(("update", cls.id, cls.version, names), statement).execute_many(self.conn, rows)

    def delete_records(self, cls: ClassDef, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        table = self.class_tables.table(cls)
        deleted: int = self.conn.execute(delete(table).where(table.c["_id"].in_(ids))).rowcount
        return deleted

    def aggregate_records(self, cls: ClassDef, where: ast.Node, group_by: str,
                          calculations: Sequence[tuple[str, str]], sort: Sequence[ast.SortKey],
                          skip: int, limit: int) -> list[dict[str, Any]]:
        """One row per value of `group_by`, with `(field, avg|min|max|sum|count)` calculated per group."""
        table = self.class_tables.table(cls)
        group = self._sort_column(cls, table, group_by)
        functions: dict[str, Any] = {"avg": func.avg, "min": func.min, "max": func.max, "sum": func.sum, "count": func.count}
        selected = [group.label("group")] + [
            functions[how](self._sort_column(cls, table, name)).label(f"calc_{i}")
            for i, (name, how) in enumerate(calculations)
        ]
        labels = {group_by: selected[0]} | {name: selected[i + 1] for i, (name, _) in enumerate(calculations)}
        order = []
        for key in sort:
            column = labels.get(key.field)
            if column is None:
                raise UnsupportedQueryError(f"{key.field} is neither the group nor a calculated field",
                                            code="bad_sort")
            order.append(_ordered(column, key, self.dialect))
        statement = (select(*selected).where(self._records_compiler(cls, table).where(where)).group_by(group)
                     .order_by(*order, group).offset(skip).limit(limit))
        results = []
        for row in self.conn.execute(statement):
            item = {group_by: row[0]}
            for i, (name, how) in enumerate(calculations):
                item[name] = _plain_number(row[i + 1], how)
            results.append(item)
        return results

    def count_records(self, cls: ClassDef, where: ast.Node) -> int:
        table = self.class_tables.table(cls)
        # Decided on the real values (a shape's slots are always distinct); the shape keys it too.
        by_level = by_access_level(where) is not None

        def counted(node: ast.Node) -> Select[Any]:
            return select(func.count()).select_from(table).where(
                self._records_compiler(cls, table, by_access_level=by_level).where(node))

        def statement(node: ast.Node) -> Select[Any]:
            parts = by_access_level(node) if by_level else None
            if parts is None:
                return counted(node)
            return select(functools.reduce(operator.add, [counted(part).scalar_subquery() for part in parts]))
        shaped = split(where)
        if shaped is None:
            count: int = self.conn.execute(statement(where)).scalar_one()
            return count
        shape, values, key = shaped
        prepared = self.prepared.get(("count", cls.id, cls.version, key, by_level), lambda: statement(shape))
        return int(prepared.rows(self.conn, {f"s{i}": value for i, value in enumerate(values)})[0][0])

    def estimate_records(self, cls: ClassDef, where: ast.Node) -> int | None:
        """The planner's estimate of how many records match, from the table's statistics; None
        where the database has no planner estimate (SQLite) or the query no reusable shape."""
        shaped = split(where) if self.dialect == "postgresql" else None
        if shaped is None:
            return None
        shape, values, key = shaped
        table = self.class_tables.table(cls)
        prepared = self.prepared.get(
            ("matching", cls.id, cls.version, key),
            lambda: select(literal(1)).select_from(table).where(self._records_compiler(cls, table).where(shape)))
        return prepared.planned_rows(self.conn, {f"s{i}": value for i, value in enumerate(values)})
