"""0002: Content blobs and their tags (metadata only; the bytes live in the files backend)."""

from __future__ import annotations

from sqlalchemy import Connection

from objectbase.storage import system_tables

__all__ = ["upgrade"]


def upgrade(conn: Connection) -> None:
    system_tables.blobs.create(conn)
    system_tables.blob_tags.create(conn)
