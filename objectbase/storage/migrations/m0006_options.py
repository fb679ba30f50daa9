"""0006: reference fields. The `options` table of Option fields, and `fields.target_class_id` for
Record fields. Frozen; `fields` is only a stub for the foreign key to point at (0001 created it)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Column, Connection, ForeignKey, Integer, MetaData, String, Table, UniqueConstraint, text,
)

__all__ = ["upgrade"]

_metadata = MetaData()

Table("fields", _metadata, Column("id", Integer, primary_key=True))

_options = Table(
    "options", _metadata,
    Column("id", Integer, primary_key=True),
    Column("field_id", Integer, ForeignKey("fields.id", ondelete="CASCADE"), nullable=False),
    Column("text", String(255), nullable=False),
    Column("color", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("field_id", "text", name="uq_options_field_text"),
    sqlite_autoincrement=True,
)


def upgrade(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE fields ADD COLUMN target_class_id INTEGER"))
    _options.create(conn)
