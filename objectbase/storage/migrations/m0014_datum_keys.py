"""0014: datum rows lose their foreign keys (app, class, field). Frozen.

Every record write inserts a datum row per value, and PostgreSQL checked three foreign keys on each
(a trigger per key and row): 40,000 rows took 1.4 s with them and 0.3 s without. The rows of a
dropped field, class or app are deleted by those operations themselves (storage/classes.py,
storage/apps.py). SQLite cannot drop a foreign key: the table is rebuilt, its AUTOINCREMENT
counter carried over so no datum id is ever reused."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, Index, Integer, MetaData, Table, text

__all__ = ["upgrade"]

_metadata = MetaData()
_datums = Table(
    "datums", _metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("app_id", Integer, nullable=False),
    Column("class_id", Integer, nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("field_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_datums_record", "class_id", "record_seq", "field_id", "position"),
    sqlite_autoincrement=True,
)
_COLUMNS = "id, app_id, class_id, record_seq, field_id, position"


def upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for column in ("app_id", "class_id", "field_id"):
            conn.execute(text(f"ALTER TABLE datums DROP CONSTRAINT IF EXISTS datums_{column}_fkey"))
        return
    counter = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'datums'")).scalar()
    conn.execute(text("ALTER TABLE datums RENAME TO datums_0013"))
    conn.execute(text("DROP INDEX ix_datums_record"))
    _datums.create(conn)
    conn.execute(text(f"INSERT INTO datums ({_COLUMNS}) SELECT {_COLUMNS} FROM datums_0013"))
    conn.execute(text("DROP TABLE datums_0013"))
    if counter is not None:
        conn.execute(text("UPDATE sqlite_sequence SET seq = max(seq, :counter) WHERE name = 'datums'"),
                     {"counter": counter})
