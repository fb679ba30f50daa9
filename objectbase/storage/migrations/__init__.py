"""Versioned migrations of the system tables, applied in order at start-up (idempotent, locked)."""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import Connection, Engine, insert, select, text

from objectbase.storage import system_tables
from objectbase.storage.migrations import m0001_init, m0002_blobs

__all__ = ["MIGRATIONS", "migrate"]

MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "init", m0001_init.upgrade),
    (2, "blobs", m0002_blobs.upgrade),
)

# Any constant works; it only has to be the same for every worker migrating the same database.
_PG_LOCK_KEY = 0x0B1EC7BA5E


def migrate(engine: Engine) -> list[int]:
    """Apply the missing migrations; returns their versions. Safe when several workers start at once."""
    with engine.connect().execution_options(objectbase_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        system_tables.schema_migrations.create(conn, checkfirst=True)
        done = set(conn.scalars(select(system_tables.schema_migrations.c.version)))
        applied = []
        for version, name, upgrade in MIGRATIONS:
            if version in done:
                continue
            upgrade(conn)
            conn.execute(insert(system_tables.schema_migrations).values(
                version=version, name=name, applied_at=time.time()))
            applied.append(version)
        return applied
