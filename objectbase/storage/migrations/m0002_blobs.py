"""0002: Content blobs and their tags (metadata only; the bytes live in the files backend). Frozen.

A frozen copy of the tables as first released, like 0001's; `apps` is only a stub for the foreign
key to point at (0001 created it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger, Boolean, Column, Connection, Float, ForeignKey, Index, Integer, MetaData, String, Table,
)
from sqlalchemy.types import TypeEngine

__all__ = ["upgrade"]

_BIG_ID: TypeEngine[Any] = BigInteger().with_variant(Integer, "sqlite")

_metadata = MetaData()

Table("apps", _metadata, Column("id", Integer, primary_key=True))

_blobs = Table(
    "blobs", _metadata,
    Column("id", _BIG_ID, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("uid", String(64), nullable=False, unique=True),
    Column("user_id", BigInteger, nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("public", Boolean, nullable=False),
    Column("storage_key", String(512)),
    Column("size", BigInteger),
    Column("status", String(20)),
    Column("completed_at", Float),
    Column("pending_key", String(512)),
    Column("pending_size", BigInteger),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_blobs_app_user", "app_id", "user_id"),
    sqlite_autoincrement=True,
)

_blob_tags = Table(
    "blob_tags", _metadata,
    Column("blob_id", _BIG_ID, ForeignKey("blobs.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(255), primary_key=True),
    Index("ix_blob_tags_tag", "tag"),
)


def upgrade(conn: Connection) -> None:
    _blobs.create(conn)
    _blob_tags.create(conn)
