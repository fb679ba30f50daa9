"""0013: dashboard operators and dashboard sessions (digests only). Frozen."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Float, ForeignKey, Integer, MetaData, String, Table, Text

__all__ = ["upgrade"]

_metadata = MetaData()
# Stand-ins so the foreign keys resolve; they are not created here.
Table("apps", _metadata, Column("id", Integer, primary_key=True))
Table("users", _metadata, Column("id", Integer, primary_key=True))

_operators = Table(
    "operators", _metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

_dashboard_sessions = Table(
    "dashboard_sessions", _metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("operator_id", Integer, ForeignKey("operators.id", ondelete="CASCADE")),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE")),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    sqlite_autoincrement=True,
)


def upgrade(conn: Connection) -> None:
    _operators.create(conn)
    _dashboard_sessions.create(conn)
