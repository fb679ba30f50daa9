"""One table per class. Table and column names are generated from integer ids, never from
class or field names, so a name a client chose cannot reach SQL (nor clash with a keyword)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Index, MetaData, String, Table, TextClause, text
from sqlalchemy.schema import CreateIndex, DropIndex

from objectbase.core.permissions import RECORD_ACTIONS
from objectbase.core.schema import ClassDef, FieldDef
from objectbase.storage.column_types import JSON_TYPE, column_type

__all__ = ["ACL_INDEX_SUFFIX", "ClassTables", "acl_access_column", "acl_members_column", "field_column_name"]


def field_column_name(field: FieldDef) -> str:
    return f"f_{field.id}"


def acl_access_column(action: str) -> str:
    return f"_{action}_access"


def acl_members_column(action: str) -> str:
    return f"_{action}_members"


def _field_column(field: FieldDef) -> Column[object]:
    return Column(field_column_name(field), column_type(field.type.storage), nullable=True)


def _indexed(column: Column[Any], dialect: str) -> Any:
    # PostgreSQL sorts NULL last by default; we sort it first (storage/records.py). An index built
    # NULLS FIRST serves ORDER BY … ASC NULLS FIRST and, read backwards, DESC NULLS LAST. SQLite
    # already sorts NULL first (and has no NULLS clause in CREATE INDEX).
    return column.asc().nulls_first() if dialect == "postgresql" else column


def _read_acl_columns(table: Table, dialect: str) -> list[Column[Any]]:
    """On SQLite an indexed field's index also holds what the read-permission filter reads, so a
    filtered count or list never visits the table to check permissions (13 ms -> 1.4 ms for a count
    over 100,000 records). Not on PostgreSQL: a btree entry is size-limited, and a record's member
    list is not, so a long ACL could make an insert fail; the gain there was also smaller."""
    if dialect != "sqlite":
        return []
    # Lists also hide archived and removed records (core/workflow.py), so the index holds those marks too.
    return [table.c[acl_access_column("read")], table.c["user_id"], table.c[acl_members_column("read")],
            table.c["_archived_at"], table.c["_removed_at"]]


# System columns that most records leave NULL (no parent, no workflow state) and that are only ever
# looked up by value (`= ?`, `IN (…)`, which both databases know imply IS NOT NULL): their indexes
# hold only the rows that set them, so a create writes two B-trees fewer (migration 0016 has the figures).
SPARSE_INDEXED_COLUMNS = ("_parent_id", "_state_id")


def _where_set(column: Column[Any]) -> dict[str, Any]:
    return {"sqlite_where": column.is_not(None), "postgresql_where": column.is_not(None)}


def _build_table(cls: ClassDef, dialect: str) -> Table:
    metadata = MetaData()
    name = f"obj_{cls.id}"
    columns: list[Column[object]] = [
        Column("_id", String(24), primary_key=True),
        Column("_seq", BigInteger, nullable=False, unique=True),
        Column("user_id", BigInteger, nullable=False),
        Column("_parent_id", String(24)),
        Column("created_at", BigInteger, nullable=False),
        Column("updated_at", BigInteger, nullable=False),
        # Workflow and lifecycle (core/workflow.py): on every class table, so a class gaining
        # states needs no DDL; NULL = no state / not archived / not in the trash.
        Column("_state_id", BigInteger),
        Column("_archived_at", BigInteger),
        Column("_removed_at", BigInteger),
    ]
    for action in RECORD_ACTIONS:
        columns.append(Column(acl_access_column(action.value), String(24), nullable=False))
        columns.append(Column(acl_members_column(action.value), JSON_TYPE))
    columns.extend(_field_column(f) for f in cls.fields.values())
    table = Table(name, metadata, *columns)
    for column in ("user_id", "created_at", "updated_at"):
        Index(f"ix_{name}_{column.strip('_')}", _indexed(table.c[column], dialect))
    for column in SPARSE_INDEXED_COLUMNS:
        Index(f"ix_{name}_{column.strip('_')}", _indexed(table.c[column], dialect), **_where_set(table.c[column]))
    for field in cls.fields.values():
        if field.indexed:
            column = field_column_name(field)
            Index(f"ix_{name}_{column}", _indexed(table.c[column], dialect), *_read_acl_columns(table, dialect))
            Index(f"ix_{name}_{column}_{ACL_INDEX_SUFFIX}", *_acl_prefix(table), table.c[column])
    return table


# The second index of an indexed field (migration 0015 adds it to older tables).
ACL_INDEX_SUFFIX = "acl"


def _acl_prefix(table: Table) -> list[Column[Any]]:
    """What an indexed field's second index starts with: the read access and the lifecycle marks,
    which a permission-filtered count pins to one value each (storage/records.py splits its OR of
    access levels into one count per level), so each count is a range of this index and no row's
    permission is read one by one: a count over half of 100,000 records went from 9.0 ms to 4.7 ms on
    SQLite (1.4 ms without any permission term is the floor), and from a bitmap heap scan to an
    index-only scan on PostgreSQL (W4 in-process 26 ms → 20 ms, `bench/inprocess.py --explain`)."""
    return [table.c[acl_access_column("read")], table.c["_archived_at"], table.c["_removed_at"]]


def _add_column_ddl(conn: Connection, table: Table, column: Column[object]) -> TextClause:
    # SQLAlchemy has no ADD COLUMN construct; both names here are generated (obj_N, f_N) and
    # still quoted by the dialect's preparer.
    preparer = conn.dialect.identifier_preparer
    column_type = column.type.compile(dialect=conn.dialect)
    return text(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {preparer.format_column(column)} {column_type}")


def _drop_column_ddl(conn: Connection, table: Table, column: Column[Any]) -> TextClause:
    # Nor DROP COLUMN (SQLite has it since 3.35); the names are generated, as above.
    preparer = conn.dialect.identifier_preparer
    return text(f"ALTER TABLE {preparer.format_table(table)} DROP COLUMN {preparer.format_column(column)}")


class ClassTables:
    """Builds and caches the SQLAlchemy `Table` of each class version; runs the DDL."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._cache: dict[tuple[int, int], Table] = {}
        self._value_columns: dict[tuple[int, int], tuple[tuple[str, str], ...]] = {}

    def table(self, cls: ClassDef) -> Table:
        key = (cls.id, cls.version)
        table = self._cache.get(key)
        if table is None:
            table = self._cache[key] = _build_table(cls, self.dialect)
        return table

    def value_columns(self, cls: ClassDef) -> tuple[tuple[str, str], ...]:
        """(field name, column name) of each field of the class version, in field order."""
        key = (cls.id, cls.version)
        columns = self._value_columns.get(key)
        if columns is None:
            columns = self._value_columns[key] = tuple(
                (name, field_column_name(field)) for name, field in cls.fields.items())
        return columns

    def create(self, conn: Connection, cls: ClassDef) -> None:
        self.table(cls).create(conn)

    def drop(self, conn: Connection, cls: ClassDef) -> None:
        """DROP TABLE by the generated name (its indexes go with it)."""
        self.table(cls).drop(conn)
        for key in [k for k in self._cache if k[0] == cls.id]:
            del self._cache[key]
            self._value_columns.pop(key, None)

    def add_fields(self, conn: Connection, old: ClassDef, new: ClassDef) -> None:
        """ALTER TABLE ADD COLUMN for each new field (never a rewrite), and indexes newly asked for."""
        table = self.table(new)
        old_table = self.table(old)
        for field in new.fields.values():
            column_name = field_column_name(field)
            if column_name not in old_table.c:
                conn.execute(_add_column_ddl(conn, table, table.c[column_name]))
        self.sync_indexes(conn, old, new)

    def sync_indexes(self, conn: Connection, old: ClassDef, new: ClassDef) -> None:
        """CREATE INDEX for each index `new` asks for that `old` lacks; DROP INDEX for each it no longer asks for."""
        old_indexes = {ix.name: ix for ix in self.table(old).indexes}
        new_indexes = {ix.name: ix for ix in self.table(new).indexes}
        for name, index in old_indexes.items():
            if name not in new_indexes:
                conn.execute(DropIndex(index))
        for name, index in new_indexes.items():
            if name not in old_indexes:
                conn.execute(CreateIndex(index))

    def drop_field(self, conn: Connection, cls: ClassDef, field: FieldDef) -> None:
        """DROP COLUMN of the field, after the indexes on it (SQLite refuses to drop an indexed column)."""
        table = self.table(cls)
        column = table.c[field_column_name(field)]
        for index in table.indexes:
            if any(c is column for c in index.columns):
                conn.execute(DropIndex(index))
        conn.execute(_drop_column_ddl(conn, table, column))
