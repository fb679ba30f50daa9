"""0001: the system tables and the record counter, as first released. Frozen: never edit.

The tables are a copy of what `system_tables.py` declared at the time, in a `MetaData` of their own,
so this migration builds the same tables whatever `system_tables.py` says today. A later schema
change is a new migration with explicit ALTERs; `tests/storage/test_migrations.py` checks that the
migrations, applied in order, build exactly what `system_tables.py` declares.
Only what reaches DDL is kept (Python-side `default=`s are not); SQLAlchemy's types render
dialect-specific DDL (SERIAL vs AUTOINCREMENT, JSONB vs JSON), which hand-written SQL would repeat.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Connection, Float, ForeignKey, Index, Integer, MetaData, String,
    Table, Text, UniqueConstraint, insert,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

__all__ = ["upgrade"]

_JSON: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
_BIG_ID: TypeEngine[int] = BigInteger().with_variant(Integer, "sqlite")

_metadata = MetaData()

_sequences = Table(
    "sequences", _metadata,
    Column("name", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

Table(
    "apps", _metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("auth_key", String(64), nullable=False, unique=True),
    Column("auth_secret", String(64), nullable=False),
    Column("account_key", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

Table(
    "api_keys", _metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

Table(
    "users", _metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("login", String(255)),
    Column("email", String(255)),
    Column("password_hash", Text, nullable=False),
    Column("full_name", String(255)),
    Column("phone", String(64)),
    Column("website", String(255)),
    Column("external_user_id", String(255)),
    Column("facebook_id", String(255)),
    Column("twitter_id", String(255)),
    Column("blob_id", BigInteger),
    Column("custom_data", Text),
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("last_request_at", Float),
    UniqueConstraint("app_id", "login", name="uq_users_app_login"),
    UniqueConstraint("app_id", "email", name="uq_users_app_email"),
    UniqueConstraint("app_id", "external_user_id", name="uq_users_app_external"),
    sqlite_autoincrement=True,
)

Table(
    "user_tags", _metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(255), primary_key=True),
    Index("ix_user_tags_tag", "tag"),
)

Table(
    "nonces", _metadata,
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("nonce", BigInteger, primary_key=True, autoincrement=False),
    Column("timestamp", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", Float, nullable=False),
    Index("ix_nonces_created_at", "created_at"),
)

Table(
    "sessions", _metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("nonce", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_sessions_expires_at", "expires_at"),
    sqlite_autoincrement=True,
)

Table(
    "classes", _metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("permissions", _JSON, nullable=False),
    Column("states", _JSON),
    Column("version", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("app_id", "name", name="uq_classes_app_name"),
    sqlite_autoincrement=True,
)

Table(
    "fields", _metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("indexed", Boolean, nullable=False),
    Column("required", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("class_id", "name", name="uq_fields_class_name"),
    sqlite_autoincrement=True,
)

Table(
    "events", _metadata,
    Column("id", _BIG_ID, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("class_id", Integer),
    Column("record_seq", BigInteger),
    Column("actor_kind", String(20), nullable=False),
    Column("actor_user_id", Integer),
    Column("old", _JSON),
    Column("new", _JSON),
    Column("at", Float, nullable=False),
    Index("ix_events_app_subject", "app_id", "subject_id"),
    sqlite_autoincrement=True,
)


def upgrade(conn: Connection) -> None:
    _metadata.create_all(conn, checkfirst=False)
    # The counter `_seq` was drawn from until 0003 (still is on SQLite).
    conn.execute(insert(_sequences).values(name="record_seq", value=0))
