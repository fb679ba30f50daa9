"""0008: refresh tokens and e-mail sign-in codes of the Tracy dialect. Frozen.

`apps` and `users` are only stubs for the foreign keys to point at (0001 created them)."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Float, ForeignKey, Integer, MetaData, String, Table

__all__ = ["upgrade"]

_metadata = MetaData()

Table("apps", _metadata, Column("id", Integer, primary_key=True))
Table("users", _metadata, Column("id", Integer, primary_key=True))

_refresh_tokens = Table(
    "refresh_tokens", _metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("used_at", Float),
    Column("revoked_at", Float),
    sqlite_autoincrement=True,
)

_email_codes = Table(
    "email_codes", _metadata,
    Column("id", String(36), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(255), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("tries", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("confirmed_at", Float),
    Column("used_at", Float),
)


def upgrade(conn: Connection) -> None:
    _refresh_tokens.create(conn)
    _email_codes.create(conn)
