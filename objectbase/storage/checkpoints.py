"""SQLite WAL checkpoints on a thread of their own, for a serving process.

By default SQLite checkpoints inside the COMMIT that takes the write-ahead log past 1,000 pages:
that request copies the pages into the database file and waits for its fsync. Measured on W5
(`bench/inprocess.py --backend sqlite --workloads W1,W5`), that was a third of a write's cost
(W5 1.37 ms → 0.84 ms a request without it). Here requests' connections never checkpoint; a
daemon thread runs a PASSIVE checkpoint (it never blocks readers or the writer) every
`interval` seconds, so requests do not wait for the disk, and a page written by many commits
between two rounds is copied once. Several workers each run one; SQLite lets one at a time work.
When the process stops, closing the last connection checkpoints what is left."""

from __future__ import annotations

import logging
import threading

from objectbase.storage.sql_storage import SqlStorage

__all__ = ["CHECKPOINT_INTERVAL_SECONDS", "start_checkpoints"]

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_SECONDS = 0.2


def start_checkpoints(storage: SqlStorage, interval: float = CHECKPOINT_INTERVAL_SECONDS) -> threading.Event:
    """Checkpoints every `interval` seconds in a daemon thread until the returned event is set."""
    stop = threading.Event()
    storage.stop_autocheckpoints()

    def run() -> None:
        while not stop.wait(interval):
            try:
                storage.checkpoint()
            except Exception:  # a failed round must not end the thread; the next one retries
                log.exception("WAL checkpoint failed")

    threading.Thread(target=run, name="objectbase-wal-checkpoints", daemon=True).start()
    return stop
