"""Versioned migrations of the system tables, applied in order at start-up (idempotent, locked).

Each migration is frozen DDL that never reads `system_tables.py`: a schema change is a new
migration (explicit ALTERs), and `tests/storage/test_migrations.py` checks that the migrations
build what `system_tables.py` declares."""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import Column, Connection, Engine, Float, Integer, MetaData, String, Table, insert, select, text

from objectbase.security.secret_box import SecretBox
from objectbase.storage.migrations import (
    m0001_init, m0002_blobs, m0003_record_sequence, m0004_neutral_access, m0005_workflow, m0006_options,
    m0007_history, m0008_tracy_tokens, m0009_catalogue, m0010_rate_limits, m0012_sealed_secrets, m0013_dashboard,
    m0014_datum_keys, m0015_access_level_indexes, m0016_sparse_system_indexes,
)

__all__ = ["MIGRATIONS", "migrate"]

MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "init", m0001_init.upgrade),
    (2, "blobs", m0002_blobs.upgrade),
    (3, "record_sequence", m0003_record_sequence.upgrade),
    (4, "neutral_access", m0004_neutral_access.upgrade),
    (5, "workflow", m0005_workflow.upgrade),
    (6, "options", m0006_options.upgrade),
    (7, "history", m0007_history.upgrade),
    (8, "tracy_tokens", m0008_tracy_tokens.upgrade),
    (9, "catalogue", m0009_catalogue.upgrade),
    (10, "rate_limits", m0010_rate_limits.upgrade),
    # 11 was never used (a branch that did not land); versions only have to be increasing.
    (12, "sealed_secrets", m0012_sealed_secrets.upgrade),
    (13, "dashboard", m0013_dashboard.upgrade),
    (14, "datum_keys", m0014_datum_keys.upgrade),
    (15, "access_level_indexes", m0015_access_level_indexes.upgrade),
    (16, "sparse_system_indexes", m0016_sparse_system_indexes.upgrade),
)

# The ledger of applied migrations, frozen like the migrations (it exists before any of them runs).
_ledger = Table(
    "schema_migrations", MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", Float, nullable=False),
)

# Any constant works; it only has to be the same for every worker migrating the same database.
_PG_LOCK_KEY = 0x0B1EC7BA5E


def migrate(engine: Engine, *, upto: int | None = None, secrets: SecretBox | None = None) -> list[int]:
    """Apply the missing migrations (up to version `upto`, for tests of an upgrade); returns their
    versions. Safe when several workers start at once. `secrets` seals the app secrets (0012)."""
    with engine.connect().execution_options(objectbase_write=True) as conn, conn.begin():
        conn.info["objectbase_secrets"] = secrets
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        _ledger.create(conn, checkfirst=True)
        done = set(conn.scalars(select(_ledger.c.version)))
        applied = []
        for version, name, upgrade in MIGRATIONS:
            if version in done or (upto is not None and version > upto):
                continue
            upgrade(conn)
            conn.execute(insert(_ledger).values(version=version, name=name, applied_at=time.time()))
            applied.append(version)
        # conn.info outlives this connection in the pool: leave no key behind.
        conn.info.pop("objectbase_secrets")
        return applied
