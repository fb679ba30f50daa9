"""Event retention: deleting events older than the window in small batches, one short transaction
per batch, so writers (which append events) never wait long. On PostgreSQL one worker at a time
prunes (a session advisory lock taken with try: the others skip the round)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Iterator

from sqlalchemy import text

from objectbase.storage.errors import translate_errors
from objectbase.storage.sql_storage import SqlStorage

__all__ = ["PRUNE_BATCH", "PRUNE_INTERVAL_SECONDS", "prune_events", "start_pruning"]

log = logging.getLogger(__name__)

PRUNE_BATCH = 500
PRUNE_INTERVAL_SECONDS = 3600
# Any constant works; the same for every worker on the database (not the migrations' key).
_PG_PRUNE_LOCK_KEY = 0x0B1EC7E7E5


@contextlib.contextmanager
def _one_pruner(storage: SqlStorage) -> Iterator[bool]:
    """Whether this worker got the right to prune (always on SQLite, whose writers queue anyway)."""
    if storage.dialect != "postgresql":
        yield True
        return
    with translate_errors(), storage.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _PG_PRUNE_LOCK_KEY}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_PRUNE_LOCK_KEY})
                conn.commit()


def prune_events(storage: SqlStorage, older_than_days: int, *, batch: int = PRUNE_BATCH,
                 now: float | None = None) -> int | None:
    """Deletes every event older than `older_than_days` days; returns how many, or None when
    another worker is pruning already."""
    before = (time.time() if now is None else now) - older_than_days * 86400
    total = 0
    with _one_pruner(storage) as got:
        if not got:
            return None
        while True:
            with storage.transaction(write=True) as tx:
                deleted = tx.delete_events_before(before, batch)
            total += deleted
            if deleted < batch:
                return total


def start_pruning(storage: SqlStorage, retention_days: int,
                  interval: float = PRUNE_INTERVAL_SECONDS) -> threading.Event:
    """Prunes now and then every `interval` seconds in a daemon thread, until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                pruned = prune_events(storage, retention_days)
                if pruned:
                    log.info("pruned %d events older than %d days", pruned, retention_days)
            except Exception:  # a failed round must not end the thread; the next one retries
                log.exception("pruning events failed")
            stop.wait(interval)

    threading.Thread(target=run, name="objectbase-event-retention", daemon=True).start()
    return stop
