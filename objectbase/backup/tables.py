"""Which tables a backup holds, in an order a restore can insert them in, and their id counters.

Rows travel as JSON through the tables' SQLAlchemy types, so one backend's backup loads into the
other. The counters (SQLite's `sqlite_sequence`, PostgreSQL's sequences, the records' `_seq`) are
kept too: a restored instance never reuses an id the original had already given out."""

from __future__ import annotations

import re
from sqlalchemy import Connection, Table, bindparam, func, inspect, select, text, update
from sqlalchemy.schema import MetaData

from objectbase.core.schema import ClassDef
from objectbase.storage import system_tables
from objectbase.storage.sql_storage import SqlTransaction
from objectbase.storage.system_tables import metadata

__all__ = ["CLASS_TABLE", "RECORD_SEQ", "SESSION_TABLES", "class_defs", "counted_tables", "drop_class_tables",
           "highest", "read_counters", "system_tables_in_order", "write_counters"]

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
