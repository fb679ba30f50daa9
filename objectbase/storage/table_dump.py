"""Table dump and load for backup, restore and migrate: which tables an instance holds, in an order
they can be inserted in, their rows in primary-key order, and their id counters. Storage is the only
layer with SQL, so the commands above it copy tables only through these functions.

Rows travel as JSON through the tables' SQLAlchemy types, so one backend's backup loads into the
other. The counters (SQLite's `sqlite_sequence`, PostgreSQL's sequences, the records' `_seq`) are
kept too: a restored instance never reuses an id the original had already given out."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, inspect, select, text, tuple_, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.schema import MetaData

from objectbase.core.schema import ClassDef
from objectbase.storage import system_tables
from objectbase.storage.prepared import copy_statement
from objectbase.storage.sql_storage import SqlStorage, SqlTransaction
from objectbase.storage.system_tables import blobs, metadata, schema_migrations

__all__ = ["CLASS_TABLE", "RECORD_SEQ", "SESSION_TABLES", "DumpTable", "RowsDoNotFit", "applied_migrations",
           "class_defs", "class_table", "counted_tables", "drop_class_tables", "dump_tables", "empty_tables",
           "count_rows", "engine_migrations", "has_objectbase_schema", "highest", "insert_rows", "is_blobs", "loaded_counters", "missing_rows", "table_count", "non_empty_tables", "read_counters",
           "rows_of", "snapshot", "system_table", "system_tables_in_order", "write_counters"]

_READ_BATCH = 1000
_WRITE_BATCH = 500

# The ledger is written by the target's own migrations; `sequences` travels as the `record_seq` counter.
_NOT_COPIED = {"schema_migrations", "sequences"}
# What `restore --drop-sessions` leaves out: QuickBlox sessions and Tracy refresh tokens (which also
# end the access tokens issued with them).
SESSION_TABLES = ("sessions", "refresh_tokens")
RECORD_SEQ = "record_seq"
CLASS_TABLE = re.compile(r"^obj_[0-9]+$")


def system_tables_in_order() -> list[Table]:
    """Every copied system table, each after the tables its foreign keys name."""
    return [t for t in metadata.sorted_tables if t.name not in _NOT_COPIED]


def counted_tables() -> list[Table]:
    """The system tables whose integer `id` the database draws (SERIAL / AUTOINCREMENT)."""
    return [t for t in system_tables_in_order()
            if "id" in t.c and t.autoincrement_column is not None and t.autoincrement_column.name == "id"]


def class_defs(tx: SqlTransaction) -> list[ClassDef]:
    app_ids = tx.conn.scalars(select(system_tables.apps.c.id).order_by(system_tables.apps.c.id)).all()
    return [cls for app_id in app_ids for cls in tx.select_classes(app_id)]


def read_counters(conn: Connection) -> dict[str, int]:
    """The last id each counted table gave out, and the last records' `_seq` (0: none yet)."""
    counters: dict[str, int] = {}
    if conn.dialect.name == "postgresql":
        last = text("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:t, 'id') AS regclass))")
        for table in counted_tables():
            counters[str(table.name)] = int(conn.execute(last, {"t": table.name}).scalar() or 0)
        counters[RECORD_SEQ] = int(conn.execute(text("SELECT pg_sequence_last_value('record_seq')")).scalar() or 0)
        return counters
    known: dict[str, int] = {name: seq for name, seq in conn.execute(text("SELECT name, seq FROM sqlite_sequence"))}
    for table in counted_tables():
        counters[str(table.name)] = int(known.get(table.name) or 0)
    seq = system_tables.sequences
    counters[RECORD_SEQ] = int(conn.execute(select(seq.c.value).where(seq.c.name == RECORD_SEQ)).scalar() or 0)
    return counters


def write_counters(conn: Connection, counters: dict[str, int]) -> None:
    """Sets the target's counters to the given values (each already at least the highest id loaded)."""
    if conn.dialect.name == "postgresql":
        for table in counted_tables():
            value = counters.get(table.name, 0)
            # setval(…, 1, false): the next id is 1, as in a table that never had a row.
            conn.execute(text("SELECT setval(CAST(pg_get_serial_sequence(:t, 'id') AS regclass), :v, :called)"),
                         {"t": table.name, "v": max(value, 1), "called": value > 0})
        value = counters.get(RECORD_SEQ, 0)
        conn.execute(text("SELECT setval('record_seq', :v, :called)"), {"v": max(value, 1), "called": value > 0})
        return
    for table in counted_tables():
        conn.execute(text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table.name})
        conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"),
                     {"t": table.name, "v": counters.get(table.name, 0)})
    seq = system_tables.sequences
    conn.execute(update(seq).where(seq.c.name == RECORD_SEQ).values(value=bindparam("v")),
                 {"v": counters.get(RECORD_SEQ, 0)})


def highest(conn: Connection, table: Table, column: str) -> int:
    return int(conn.execute(select(func.max(table.c[column]))).scalar() or 0)


def drop_class_tables(conn: Connection) -> None:
    """DROP every `obj_N` table (`restore --force`); names are checked against the generated pattern."""
    for name in inspect(conn).get_table_names():
        if CLASS_TABLE.match(name):
            Table(name, MetaData()).drop(conn)


@dataclass(frozen=True)
class DumpTable:
    """One table to copy: its name, its SQLAlchemy table, and its class id (None: a system table)."""
    name: str
    table: Table
    class_id: int | None


class RowsDoNotFit(ValueError):
    """Rows that do not fit their table: a column it lacks, a duplicate key, a value of the wrong type."""


@contextlib.contextmanager
def snapshot(storage: SqlStorage) -> Iterator[SqlTransaction]:
    """One consistent read of every table. SQLite: one read transaction (in WAL mode writers go on
    meanwhile); PostgreSQL: REPEATABLE READ READ ONLY, which takes no lock a writer waits for."""
    with storage.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield SqlTransaction(conn, storage.class_tables, storage.prepared, writes=False)


def has_objectbase_schema(conn: Connection) -> bool:
    return bool(conn.dialect.has_table(conn, "schema_migrations"))


def applied_migrations(conn: Connection) -> list[int]:
    """The schema migrations applied to the database (none: not an Objectbase database yet)."""
    if not has_objectbase_schema(conn):
        return []
    return sorted(int(v) for v in conn.scalars(select(schema_migrations.c.version)).all())


def engine_migrations(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return applied_migrations(conn)


def dump_tables(tx: SqlTransaction, classes: list[ClassDef]) -> list[DumpTable]:
    """Every table to copy: system tables first in insert order, then each class's table."""
    found = [DumpTable(str(t.name), t, None) for t in system_tables_in_order()]
    for cls in classes:
        table = tx.class_tables.table(cls)
        found.append(DumpTable(str(table.name), table, cls.id))
    return found


def count_rows(tx: SqlTransaction, tables: list[DumpTable]) -> int:
    return sum(int(tx.conn.execute(select(func.count()).select_from(t.table)).scalar_one()) for t in tables)


def rows_of(tx: SqlTransaction, dump: DumpTable) -> Iterator[dict[str, Any]]:
    """The table's rows, class rows by `_seq` and system rows by primary key, streamed in batches."""
    table = dump.table
    order = table.c["_seq"] if dump.class_id is not None else list(table.primary_key.columns)[0]
    # Plain `str` names: SQLAlchemy's are a str subclass that orjson refuses as keys.
    names = [str(column.name) for column in table.c]
    result = tx.conn.execution_options(yield_per=_READ_BATCH).execute(select(table).order_by(order))
    for row in result:
        yield dict(zip(names, row, strict=True))


def is_blobs(dump: DumpTable) -> bool:
    return dump.table is blobs


def system_table(name: str) -> DumpTable | None:
    table = {str(t.name): t for t in system_tables_in_order()}.get(name)
    return DumpTable(name, table, None) if table is not None else None


def class_table(tx: SqlTransaction, cls: ClassDef) -> DumpTable:
    """The class's table, created in the target if missing (built from the class definition, never
    from a name read elsewhere)."""
    table = tx.class_tables.table(cls)
    # checkfirst: a resumed migrate finds the table made by the run it continues.
    table.create(tx.conn, checkfirst=True)
    return DumpTable(str(table.name), table, cls.id)


def non_empty_tables(tx: SqlTransaction) -> list[str]:
    return [str(t.name) for t in system_tables_in_order()
            if tx.conn.execute(select(func.count()).select_from(t)).scalar_one()]


def empty_tables(tx: SqlTransaction) -> None:
    """`restore --force`: every class table dropped, every copied system table emptied."""
    drop_class_tables(tx.conn)
    for table in reversed(system_tables_in_order()):
        tx.conn.execute(delete(table))


def _check_columns(columns: set[str], row: dict[str, Any]) -> None:
    if not columns.issuperset(row):
        # SQLAlchemy would drop a key the table lacks without a word.
        raise RowsDoNotFit(f"columns {sorted(set(row) - columns)} are not in the table")


def _insert_batches(tx: SqlTransaction, table: Table, rows: Iterator[dict[str, Any]],
                    advance: Callable[[int], None]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    columns = {str(column.name) for column in table.c}
    for row in rows:
        _check_columns(columns, row)
        batch.append(row)
        if len(batch) >= _WRITE_BATCH:
            tx.conn.execute(insert(table), batch)
            count += len(batch)
            advance(len(batch))
            batch = []
    if batch:
        tx.conn.execute(insert(table), batch)
        count += len(batch)
        advance(len(batch))
    return count


def _copy_rows(tx: SqlTransaction, table: Table, rows: Iterator[dict[str, Any]],
               advance: Callable[[int], None]) -> int:
    """PostgreSQL: the rows through `COPY … FROM STDIN` in the transaction's own connection, each value
    first through its column type's bind processing (as an INSERT would send it). One statement for
    every run of rows with the same columns, instead of one INSERT per row."""
    dialect = tx.conn.dialect
    by_name = {str(column.name): column for column in table.c}
    processors = {name: column.type.dialect_impl(dialect).bind_processor(dialect) for name, column in by_name.items()}
    raw = tx.conn.connection.driver_connection
    assert raw is not None
    count = 0
    pending = 0
    rows = iter(rows)
    row = next(rows, None)
    with raw.cursor() as cursor:
        while row is not None:
            _check_columns(set(by_name), row)
            names = [name for name in by_name if name in row]  # the table's order
            statement = copy_statement(str(table.name), names)
            keys = set(names)
            with cursor.copy(statement) as copy:
                while row is not None and row.keys() == keys:
                    copy.write_row([value if (process := processors[name]) is None else process(value)
                                    for name, value in ((name, row[name]) for name in names)])
                    count += 1
                    pending += 1
                    if pending >= _WRITE_BATCH:
                        advance(pending)
                        pending = 0
                    row = next(rows, None)
                    if row is not None:
                        _check_columns(set(by_name), row)
    if pending:
        advance(pending)
    return count


def insert_rows(tx: SqlTransaction, dump: DumpTable, rows: Iterator[dict[str, Any]],
                advance: Callable[[int], None], *, durable: bool = True) -> int:
    """Inserts the rows (on PostgreSQL by COPY, else in executemany batches); returns how many. Rows
    that do not fit raise RowsDoNotFit; a lost connection raises the driver's error unchanged.
    `durable=False`: on PostgreSQL the transaction's commit does not wait for its WAL flush, for a copy
    that can redo what a server crash loses (a resumed migrate looks up what the target holds); the next
    durable commit flushes it with its own."""
    if tx.conn.dialect.name != "postgresql":
        try:
            return _insert_batches(tx, dump.table, rows, advance)
        except (sa_exc.OperationalError, sa_exc.InterfaceError, RowsDoNotFit):
            raise
        except (sa_exc.StatementError, sa_exc.CompileError, ValueError, TypeError) as error:
            raise RowsDoNotFit(str(error).splitlines()[0]) from error
    import psycopg

    try:
        if not durable:
            tx.conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        return _copy_rows(tx, dump.table, rows, advance)
    except (psycopg.OperationalError, psycopg.InterfaceError) as error:
        # As SQLAlchemy raises it for an INSERT, so callers handle one kind of lost connection.
        raise sa_exc.OperationalError(f"COPY {dump.name}", None, error) from error
    except RowsDoNotFit:
        raise
    except (psycopg.Error, sa_exc.StatementError, ValueError, TypeError) as error:
        raise RowsDoNotFit(str(error).splitlines()[0]) from error


def loaded_counters(tx: SqlTransaction, dump: DumpTable, counters: dict[str, int]) -> None:
    """Raises `counters` to at least the highest id and `_seq` the table now holds."""
    if dump.name in {str(t.name) for t in counted_tables()}:
        counters[dump.name] = max(counters.get(dump.name, 0), highest(tx.conn, dump.table, "id"))
    if dump.class_id is not None:
        counters[RECORD_SEQ] = max(counters.get(RECORD_SEQ, 0), highest(tx.conn, dump.table, "_seq"))


def missing_rows(tx: SqlTransaction, dump: DumpTable, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those of `rows` whose primary key the table does not hold yet: what a resumed copy still inserts."""
    key = list(dump.table.primary_key.columns)
    names = [str(column.name) for column in key]
    wanted = [tuple(row[name] for name in names) for row in rows]
    if not wanted:
        return []
    found = {tuple(found_row) for found_row in tx.conn.execute(select(*key).where(tuple_(*key).in_(wanted)))}
    return [row for row, pk in zip(rows, wanted, strict=True) if pk not in found]


def table_count(tx: SqlTransaction, dump: DumpTable) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(dump.table)).scalar_one())
