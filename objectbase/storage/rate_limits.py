"""A `limits` counter store in SQL, for several workers without Redis: one row per key and window,
bumped with one upsert (atomic on both databases), read without a lock.

On PostgreSQL the table lives in the main database. On SQLite it lives in a file of its own next to
the database: a request's write transaction holds SQLite's one write lock while it checks a
password, and a failed attempt is counted at that moment, from another connection."""

from __future__ import annotations

import time
from pathlib import Path

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from objectbase.storage.engine import make_engine
from objectbase.storage.system_tables import rate_limit_counters as _counters

__all__ = ["SqlCounterStore", "sql_counter_store"]


def sql_counter_store(engine: Engine) -> SqlCounterStore:
    """The store for this database: its own engine for PostgreSQL's, a side file for SQLite's."""
    if engine.dialect.name != "sqlite":
        return SqlCounterStore(engine)
    side = Path(engine.url.database or "objectbase.db").with_suffix(".rate-limits.db")
    side_engine = make_engine(f"sqlite:///{side}", pool_size=4)
    _counters.create(side_engine, checkfirst=True)
    return SqlCounterStore(side_engine)


class SqlCounterStore(Storage):
    STORAGE_SCHEME = None

    def __init__(self, engine: Engine) -> None:
        super().__init__(wrap_exceptions=True)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(_counters)
        expired = _counters.c.expires_at <= now
        statement = insert.values(key=key, count=amount, expires_at=now + expiry).on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                # A window that ended starts again at `amount`; so does its expiry.
                "count": case((expired, amount), else_=_counters.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=_counters.c.expires_at),
            },
        ).returning(_counters.c.count)
        with self.engine.begin() as conn:
            conn.execute(delete(_counters).where(_counters.c.expires_at <= now - 3600))
            return int(conn.execute(statement).scalar_one())

    def _live(self, key: str) -> tuple[int, float] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_counters.c.count, _counters.c.expires_at)
                               .where(_counters.c.key == key, _counters.c.expires_at > time.time())).first()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        live = self._live(key)
        return live[0] if live else 0

    def get_expiry(self, key: str) -> float:
        live = self._live(key)
        return live[1] if live else time.time()

    def check(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(select(1))
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_counters).where(_counters.c.key == key))
