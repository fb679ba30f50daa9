"""`SqlStorage`: the `core.unit_of_work.Storage` of SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Callable, Iterator

from sqlalchemy import Connection, text

from objectbase.security.secret_box import SecretBox
from objectbase.storage.apps import AppRows
from objectbase.storage.blobs import BlobRows
from objectbase.storage.class_tables import ClassTables
from objectbase.storage.classes import ClassRows
from objectbase.storage import deferred
from objectbase.storage.datums import DatumRows
from objectbase.storage.engine import DRIVER_TRANSACTION_KEY, make_engine, sqlite_begin, sqlite_call
from objectbase.storage.errors import translate_errors
from objectbase.storage.email_codes import EmailCodeRows
from objectbase.storage.events import EventRows
from objectbase.storage.metadatums import MetadatumRows
from objectbase.storage.migrations import migrate
from objectbase.storage.prepared import PreparedCache
from objectbase.storage.operators import OperatorRows
from objectbase.storage.options import OptionRows
from objectbase.storage.records import RecordRows
from objectbase.storage.references import ReferenceRows
from objectbase.storage.refresh_tokens import RefreshTokenRows
from objectbase.storage.sessions import SessionRows
from objectbase.storage.transitions import TransitionRows
from objectbase.storage.users import UserRows

__all__ = ["SqlStorage", "SqlTransaction", "open_storage"]

log = logging.getLogger(__name__)

_NO_LOCK = contextlib.nullcontext()


class SqlTransaction(AppRows, UserRows, SessionRows, RefreshTokenRows, EmailCodeRows, ClassRows, OptionRows,
                     ReferenceRows, RecordRows, EventRows, BlobRows, TransitionRows, DatumRows, MetadatumRows,
                     OperatorRows):
    """One database transaction; the row operations come from one mixin per noun."""

    def __init__(self, conn: Connection, tables: ClassTables, prepared: PreparedCache, *, writes: bool,
                 secrets: SecretBox | None = None) -> None:
        self.conn = conn
        self.secrets = secrets
        self.prepared = prepared
        self.writes = writes
        self.dialect = conn.dialect.name
        self.class_tables = tables
        self.schema_changed = False
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT inside this transaction: an exception in the block rolls the database back to
        it, drops the after-commit callbacks registered since (their writes are undone), and then
        propagates, its driver errors translated so the core can tell the item's failure."""
        registered = len(self._after_commit)
        try:
            with translate_errors(), self.conn.begin_nested():
                queued = deferred.queued(self.conn)
                try:
                    yield
                except BaseException:
                    # Before the ROLLBACK TO, which would run them first: they are the item's.
                    deferred.drop_since(self.conn, queued)
                    raise
        except BaseException:
            del self._after_commit[registered:]
            raise


class SqlStorage:
    def __init__(self, url: str, *, sole_writer: bool = False, secrets: SecretBox | None = None) -> None:
        self.engine = make_engine(url)
        # The server key the app secrets are sealed with; without it, reading an app fails.
        self.secrets = secrets
        # This process is the database's only serving process (`serve --workers 1`): its writes
        # then never wait on another process's lock.
        self.sole_writer = sole_writer
        self.dialect = self.engine.dialect.name
        self.class_tables = ClassTables(self.dialect)
        self.prepared = PreparedCache(self.engine.dialect)
        # SQLite has one writer: serialise this process's writers here, so they queue in Python
        # instead of spinning on the database lock; BEGIN IMMEDIATE covers other processes.
        self._write_lock: contextlib.AbstractContextManager[object] = (
            threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()
        )
        # The transaction each thread has open, which nested `transaction()` calls join (and, on
        # SQLite, the thread's connection).
        self._open = threading.local()
        self._kept: list[Connection] = []
        self._kept_lock = threading.Lock()
        # SQLite: whether commits checkpoint the WAL themselves (storage/checkpoints.py turns it off).
        self._autocheckpoint = True

    def migrate(self) -> list[int]:
        with translate_errors():
            return migrate(self.engine, secrets=self.secrets)

    def check_secret_key(self) -> None:
        """Fail at start-up, not on the first signed request, when the key is not the database's."""
        with self.transaction(write=False) as tx:
            tx.check_secret_key()

    def transaction(self, *, write: bool, streaming: bool = False) -> contextlib.AbstractContextManager[SqlTransaction]:
        """A new transaction, or the one this thread already has open: a request authenticates and
        runs its operation in one transaction, and the services it calls join it. `streaming`: a read
        that streams rows through a server-side cursor (storage/table_dump.py), which PostgreSQL
        opens only inside a transaction block."""
        current: SqlTransaction | None = getattr(self._open, "tx", None)
        if current is not None:
            if write and not current.writes:
                raise RuntimeError("a write inside a read transaction: mark the operation with @writes")
            # Joining is the common case (every service a request calls): no generator for it.
            return contextlib.nullcontext(current)
        if self.dialect == "sqlite":
            return self._new_sqlite_transaction(write)
        return self._new_transaction(write, streaming)

    @contextlib.contextmanager
    def _new_sqlite_transaction(self, write: bool) -> Iterator[SqlTransaction]:
        """SQLite: BEGIN and COMMIT straight on this thread's driver connection. SQLAlchemy's
        transaction object, its events and execution options were a sixth of a read by id
        (bench/inprocess.py W2); a statement SQLAlchemy runs inside joins this transaction (its
        begin event sees one open, storage/engine.py), and its bookkeeping is closed with it."""
        with translate_errors(), self._write_lock if write else _NO_LOCK:
            conn = self._kept_connection()
            driver = conn.connection.driver_connection
            sqlite_begin(driver, write=write)  # type: ignore[arg-type]
            info = conn.info
            info[DRIVER_TRANSACTION_KEY] = True
            tx = SqlTransaction(conn, self.class_tables, self.prepared, writes=write, secrets=self.secrets)
            self._open.tx = tx
            try:
                try:
                    yield tx
                except BaseException:
                    self._open.tx = None
                    sqlite_call(driver.rollback)  # type: ignore[union-attr]
                    raise
                self._open.tx = None
                try:
                    sqlite_call(driver.commit)  # type: ignore[union-attr]
                except BaseException:
                    sqlite_call(driver.rollback)  # type: ignore[union-attr]
                    raise
            finally:
                info[DRIVER_TRANSACTION_KEY] = False
                if conn.in_transaction():
                    # The driver's transaction is over; SQLAlchemy's (begun by a statement of its
                    # own inside) is bookkeeping, closed so its next statement begins anew.
                    conn.rollback()
        self._run_after_commit(tx)

    @contextlib.contextmanager
    def _new_transaction(self, write: bool, streaming: bool = False) -> Iterator[SqlTransaction]:
        with translate_errors(), self._write_lock if write else _NO_LOCK, self.engine.connect() as conn:
            if write or streaming:
                conn = conn.execution_options(objectbase_write=write)
            else:
                # A PostgreSQL read at READ COMMITTED gives each statement its own snapshot either way,
                # so it runs in autocommit: the same answers without a BEGIN and a COMMIT round trip.
                conn = conn.execution_options(objectbase_write=False, isolation_level="AUTOCOMMIT")
            # Nothing a rolled-back transaction queued (storage/deferred.py) outlives it.
            deferred.discard(conn)
            try:
                with conn.begin():
                    tx = SqlTransaction(conn, self.class_tables, self.prepared, writes=write, secrets=self.secrets)
                    self._open.tx = tx
                    try:
                        yield tx
                        # PostgreSQL: what the write queued goes with its COMMIT.
                        deferred.run_deferred(conn, commit=True)
                    finally:
                        self._open.tx = None
            finally:
                deferred.discard(conn)
        self._run_after_commit(tx)

    @staticmethod
    def _run_after_commit(tx: SqlTransaction) -> None:
        for callback in tx._after_commit:
            try:
                callback()
            except Exception:  # an after-commit hook must not turn a committed write into an error
                log.exception("after-commit callback failed")

    def _kept_connection(self) -> Connection:
        """SQLite: this thread's own connection, kept open between transactions — checking one out
        of the pool and back (with its reset) cost more than a read by id; an SQLite connection is
        a file handle, and each transaction still starts with its own BEGIN, so it sees every other
        process's commits. (PostgreSQL takes a connection from the pool for each transaction.)"""
        kept: Connection | None = getattr(self._open, "conn", None)
        if kept is None or kept.closed or kept.invalidated:
            kept = self.engine.connect()
            self._open.conn = kept
            with self._kept_lock:
                self._kept.append(kept)
                if not self._autocheckpoint:
                    _no_autocheckpoint(kept)
        return kept

    def stop_autocheckpoints(self) -> None:
        """SQLite: this process's commits no longer checkpoint the WAL; `checkpoint()` must, from
        now on (storage/checkpoints.py). Meant for start-up, before requests are served."""
        with self._kept_lock:
            self._autocheckpoint = False
            for conn in self._kept:
                _no_autocheckpoint(conn)

    def checkpoint(self) -> None:
        """SQLite: a PASSIVE checkpoint of the WAL (copies what no reader still needs; waits for no one)."""
        # On the driver's connection: no transaction around it (SQLAlchemy would begin one, and
        # a checkpoint is not a request's read).
        connection = self.engine.raw_connection()
        try:
            with translate_errors():
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
        finally:
            connection.close()

    def answers_in_process(self, *, write: bool) -> bool:
        # SQLite in WAL mode: readers never wait; a writer waits only on another process's write.
        return self.dialect == "sqlite" and (not write or self.sole_writer)

    def ping(self) -> None:
        with translate_errors(), self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        with self._kept_lock:
            kept, self._kept = self._kept, []
        for conn in kept:
            conn.close()
        self.engine.dispose()


def _no_autocheckpoint(conn: Connection) -> None:
    conn.connection.driver_connection.execute("PRAGMA wal_autocheckpoint = 0")  # type: ignore[union-attr]


def open_storage(url: str, *, run_migrations: bool = True, sole_writer: bool = False,
                 secrets: SecretBox | None = None) -> SqlStorage:
    """The storage at `url`, migrated; with `secrets` (the server key), checked to open the stored secrets."""
    storage = SqlStorage(url, sole_writer=sole_writer, secrets=secrets)
    try:
        if run_migrations:
            storage.migrate()
            if secrets is not None:
                storage.check_secret_key()
    except BaseException:
        storage.close()
        raise
    return storage
