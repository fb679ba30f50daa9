"""One worker at a time for a periodic job (scheduled backups), whether the workers are processes of one
`serve` or servers on several machines: a PostgreSQL session advisory lock, taken with try; on SQLite
(one machine by nature) an exclusive `flock` on a file beside the data. The losers skip the round."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Iterator

from sqlalchemy import text

from objectbase.storage.errors import translate_errors
from objectbase.storage.sql_storage import SqlStorage

__all__ = ["BACKUP_LOCK", "one_worker"]

# The first half of a two-part advisory lock key (the second is the schema's hash: instances in two
# schemas of one database are two instances). Not the migrations' nor the pruning's key.
BACKUP_LOCK = 0x0B1EC7B4


@contextlib.contextmanager
def one_worker(storage: SqlStorage, job: int, lock_file: Path) -> Iterator[bool]:
    """Whether this worker holds the job's lock for the block (False: another one does; skip)."""
    if storage.dialect == "postgresql":
        with translate_errors(), storage.engine.connect() as conn:
            key = {"job": job}
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:job, hashtext(current_schema()))"),
                                    key).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:job, hashtext(current_schema()))"), key)
                    conn.commit()
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            got = True
        except BlockingIOError:
            got = False
        yield got
    finally:
        os.close(fd)  # releases the lock; so does the process's end, however it ends
