"""PostgreSQL: statements a write appends and never reads back in the same breath (its events and
datum rows) wait for the transaction's next statement or its COMMIT, and go with it in one round
trip (psycopg's pipeline mode).

With the database on the same core as the server, every round trip is two context switches and a
protocol message for PostgreSQL to parse: a record create was seven (BEGIN, the session, the
sequence, the record, its datum row, its event, COMMIT), of which these save two. Order and
visibility are kept: the queue is run before any other statement of the transaction (ours on the
driver's cursor, and SQLAlchemy's through `before_cursor_execute`), so a read in the same transaction
sees the rows; a failure raises as any statement's would (translated at the storage boundary), and
the transaction rolls back; a savepoint's failure drops what it queued. SQLite runs them at once
(no round trips to save)."""

from __future__ import annotations

import contextlib
from typing import Any, Sequence

from sqlalchemy import Connection, Engine, event, exc

__all__ = ["DEFERRED_KEY", "defer", "discard", "drop_since", "install", "queued", "run_deferred"]

# A pipeline from this many messages (statements, and the COMMIT): one that saves a single round trip
# was no faster (bench W5: its event and COMMIT, 538/554 against 528/574 req/s without).
_PIPELINE_FROM = 3

# On the connection's `info`: [(sql, [parameters, ...]), ...] in the order they were queued.
DEFERRED_KEY = "objectbase.deferred"


def defer(conn: Connection, sql: str, parameters: Sequence[Any]) -> None:
    conn.info.setdefault(DEFERRED_KEY, []).append((sql, parameters))


def queued(conn: Connection) -> int:
    return len(conn.info.get(DEFERRED_KEY, ()))


def drop_since(conn: Connection, count: int) -> None:
    """Forget what was queued after the first `count` (a savepoint rolled back)."""
    del conn.info.get(DEFERRED_KEY, [])[count:]


def discard(conn: Connection) -> None:
    """Forget the queue (a transaction rolled back). A connection already invalidated (a broken
    connection, an interrupt mid-statement) takes its queue with it: its `info` goes with the
    driver connection, and asking for it now would raise over the error being handled."""
    if not conn.invalidated:
        with contextlib.suppress(exc.SQLAlchemyError):
            conn.info.pop(DEFERRED_KEY, None)


def run_deferred(conn: Connection, *, commit: bool = False) -> None:
    """Sends the queued statements (and, with `commit`, the COMMIT), in one pipeline sync when that
    saves more than one round trip; otherwise the COMMIT is left to the caller's transaction."""
    deferred: list[tuple[str, Sequence[Any]]] | None = conn.info.pop(DEFERRED_KEY, None)
    if not deferred:
        return
    driver: Any = conn.connection.driver_connection
    dbapi_error: type[Exception] = conn.dialect.loaded_dbapi.Error
    sql, parameters = deferred[0]
    piped = sum(len(rows) for _sql, rows in deferred) + commit >= _PIPELINE_FROM
    try:
        with driver.pipeline() if piped else contextlib.nullcontext(), driver.cursor() as cursor:
            for sql, parameters in deferred:
                for bound in parameters:
                    cursor.execute(sql, bound)
            if piped and commit:
                # Queued with the statements; the transaction's own COMMIT then finds nothing to do.
                driver.commit()
    except dbapi_error as error:
        # As SQLAlchemy would raise it, so storage/errors.py translates it like any other.
        raise exc.DBAPIError.instance(sql, parameters, error, dbapi_error) from error


def install(engine: Engine) -> None:
    """Every statement SQLAlchemy runs first runs what is queued before it (SAVEPOINTs included)."""
    @event.listens_for(engine, "before_cursor_execute")
    def _run_queued_first(conn: Connection, *_args: Any) -> None:
        if DEFERRED_KEY in conn.info:
            run_deferred(conn)
