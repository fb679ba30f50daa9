"""0003: on PostgreSQL, records' `_seq` comes from the database sequence `record_seq`.

Until now every insert took `_seq` from one row of `sequences` (UPDATE … RETURNING), locked until
its transaction committed, so all inserts of all apps queued on that row. A sequence hands out
values without a transaction lock. It starts after the counter's value, so no `_seq` is handed out
twice, and the counter row is deleted: a worker still running older code then fails loudly instead
of drawing values the sequence also draws.

SQLite keeps the counter: its one writer already serialises every write transaction (BEGIN
IMMEDIATE), so the row adds no waiting, and it has no sequences."""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["upgrade"]


def upgrade(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    # FOR UPDATE: an older worker's insert that has drawn from the counter commits (or rolls back)
    # before we read it; one that comes later finds the row gone.
    last = conn.execute(text("SELECT value FROM sequences WHERE name = 'record_seq' FOR UPDATE")).scalar_one()
    # START WITH takes no bound parameter; `last` is the integer just read.
    conn.execute(text(f"CREATE SEQUENCE record_seq AS BIGINT START WITH {int(last) + 1}"))
    conn.execute(text("DELETE FROM sequences WHERE name = 'record_seq'"))
