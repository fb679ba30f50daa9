"""0001: the system tables and the record sequence."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from objectbase.storage import system_tables

__all__ = ["upgrade"]


def upgrade(conn: Connection) -> None:
    # The first migration creates the tables as system_tables.py declares them; from the first
    # release on, later changes are new migrations (ALTERs), and this one stays as it is.
    later = {"schema_migrations", "blobs", "blob_tags"}  # created by migrate() itself and by 0002
    tables = [t for t in system_tables.metadata.sorted_tables if t.name not in later]
    system_tables.metadata.create_all(conn, tables=tables)
    conn.execute(insert(system_tables.sequences).values(name="record_seq", value=0))
