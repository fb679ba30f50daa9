"""Connection set-up: SQLite pragmas and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from objectbase.storage import open_storage


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    storage = open_storage(f"sqlite:///{tmp_path / 'ob.db'}")
    try:
        with storage.transaction(write=False) as tx:
            assert tx.conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert tx.conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
            assert tx.conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        storage.close()


def test_a_sqlite_write_holds_the_write_lock_from_begin(tmp_path: Path) -> None:
    path = tmp_path / "ob.db"
    storage = open_storage(f"sqlite:///{path}")
    entered, release = threading.Event(), threading.Event()

    def writer() -> None:
        with storage.transaction(write=True):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert entered.wait(5)
        # Another process's writer (a CLI command, say) cannot start while ours is open, even
        # though ours has not written anything yet: that is BEGIN IMMEDIATE.
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        started = time.monotonic()
        try:
            other.execute("BEGIN IMMEDIATE")
            locked = False
        except sqlite3.OperationalError as error:
            locked = "locked" in str(error)
        other.close()
        assert locked and time.monotonic() - started >= 0.15
    finally:
        release.set()
        thread.join()
        storage.close()
