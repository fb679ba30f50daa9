"""0010: counters of failed sign-in attempts, shared by the workers of one server. Frozen."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Float, Integer, MetaData, String, Table

__all__ = ["upgrade"]

_rate_limit_counters = Table(
    "rate_limit_counters", MetaData(),
    Column("key", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)


def upgrade(conn: Connection) -> None:
    _rate_limit_counters.create(conn)
