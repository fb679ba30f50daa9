"""Engines per URL. Every SQLite pragma and the PostgreSQL settings live here, in one place."""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

import orjson
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from objectbase.storage import deferred

__all__ = ["DRIVER_TRANSACTION_KEY", "make_engine", "sqlite_begin", "sqlite_call"]


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, pool_size: int = 32) -> Engine:
    """`pool_size` connections stay open: at least the requests served at once (the thread pool's
    size), or the pool would open and close a connection on every request under load."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, json_serializer=_json_dumps, json_deserializer=orjson.loads,
                               connect_args={"check_same_thread": False}, pool_size=pool_size,
                               # Every thread keeps its own connection (storage/sql_storage.py), so
                               # the pool must never make one more thread wait for a connection.
                               max_overflow=-1)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, json_serializer=_json_dumps, json_deserializer=orjson.loads,
                               pool_size=pool_size, max_overflow=8)
        _ping_idle_connections(engine)
        deferred.install(engine)
        return engine
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}; use sqlite:/// or postgresql://")


# A pooled connection unused for this long is pinged before use (a database restart or a proxy's
# idle timeout may have closed it). One used moments ago is not: `pool_pre_ping` pinged every checkout,
# a round trip as dear as the request's own query (bench/inprocess.py --backend postgresql --profile W2).
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["objectbase_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("objectbase_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:
            # The pool then discards this connection and checks out (or opens) another.
            raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so that writes can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # busy_timeout before WAL: switching the journal mode itself may have to wait for a lock.
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # `near` (storage/compile.py) needs sin and cos, which SQLite has only when built with
        # SQLITE_ENABLE_MATH_FUNCTIONS; elsewhere use Python's, which call the same C library.
        try:
            cursor.execute("SELECT sin(0), cos(0)")
        except sqlite3.OperationalError:
            for name, function in (("sin", math.sin), ("cos", math.cos)):
                # NULL in, NULL out, as SQLite's built-in functions behave.
                dbapi_connection.create_function(
                    name, 1, lambda x, f=function: None if x is None else f(x), deterministic=True,
                )
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Inside a transaction the storage began on the driver (storage/sql_storage.py), SQLAlchemy's
        # statements join it. Anywhere else a BEGIN is sent, and fails loudly if the driver is
        # somehow still in a transaction (a silent join would read an old snapshot).
        if not connection.info.get(DRIVER_TRANSACTION_KEY):
            sqlite_begin(connection.connection.driver_connection,
                         write=connection.get_execution_options().get("objectbase_write", False))


# On a connection's `info` while the storage's own transaction is open on its driver.
DRIVER_TRANSACTION_KEY = "objectbase.driver_transaction"


def sqlite_begin(driver: sqlite3.Connection, *, write: bool) -> None:
    """BEGIN on the driver's connection. IMMEDIATE takes the write lock at BEGIN, so a write never
    fails half-way on a busy database. Straight on the driver: SQLAlchemy's statement machinery
    for a fixed text was a tenth of a cached read's cost."""
    sqlite_call(driver.execute, "BEGIN IMMEDIATE" if write else "BEGIN")


def sqlite_call(method: Callable[..., Any], *args: Any) -> None:
    """A call on the driver's connection, its errors raised as SQLAlchemy's (as `exec_driver_sql`
    would), so the storage's error translation sees them like any other."""
    try:
        method(*args)
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(" ".join(map(str, args)) or method.__name__, (), error, sqlite3.Error) from error
