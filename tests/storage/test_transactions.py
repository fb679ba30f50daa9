"""One transaction per `storage.transaction()`, whichever way its statements run: prepared on the
driver's cursor or through SQLAlchemy (on SQLite the transaction is begun on the driver itself,
storage/sql_storage.py, and SQLAlchemy's statements must join it)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, insert, select

from objectbase.storage import SqlStorage
from objectbase.storage.sql_storage import SqlTransaction
from objectbase.storage.system_tables import events
from tests.conftest import QB
from tests.storage.test_deferred import _event, _subjects


def _sa_insert(tx: SqlTransaction, app_id: int, subject: str) -> None:
    tx.conn.execute(insert(events).values(
        app_id=app_id, kind="test.deferred", subject_id=subject, actor_kind="admin", at=time.time()))


def test_statements_of_both_kinds_commit_together_and_see_each_other(qb: QB, storage: SqlStorage) -> None:
    with storage.transaction(write=True) as tx:
        _sa_insert(tx, qb.app_id, "through sqlalchemy")
        tx.insert_events([_event(qb.app_id, "prepared")])
        assert [e.subject_id for e in tx.select_events(qb.app_id) if e.kind == "test.deferred"] == [
            "through sqlalchemy", "prepared"]
    assert _subjects(storage, qb.app_id) == ["through sqlalchemy", "prepared"]


def test_a_failed_write_rolls_back_statements_of_both_kinds(qb: QB, storage: SqlStorage) -> None:
    with pytest.raises(RuntimeError):
        with storage.transaction(write=True) as tx:
            tx.insert_events([_event(qb.app_id, "prepared")])
            _sa_insert(tx, qb.app_id, "through sqlalchemy")
            raise RuntimeError("the operation failed")
    assert _subjects(storage, qb.app_id) == []
    # The connection is left with no transaction open, on the driver or in SQLAlchemy's books.
    with storage.transaction(write=True) as tx:
        _sa_insert(tx, qb.app_id, "next")
        conn = tx.conn
    assert not conn.in_transaction()
    assert _subjects(storage, qb.app_id) == ["next"]


def test_a_savepoint_inside_rolls_back_only_its_own(qb: QB, storage: SqlStorage) -> None:
    with storage.transaction(write=True) as tx:
        tx.insert_events([_event(qb.app_id, "kept")])
        with pytest.raises(RuntimeError), tx.savepoint():
            _sa_insert(tx, qb.app_id, "dropped")
            raise RuntimeError("the item failed")
    assert _subjects(storage, qb.app_id) == ["kept"]


def test_a_read_transaction_reads_one_snapshot(qb: QB, storage: SqlStorage, backend: str) -> None:
    """SQLite: a read sees the database as at its first statement, through either kind of statement."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL reads run at READ COMMITTED in autocommit (storage/sql_storage.py)")
    with storage.transaction(write=False) as tx:
        before = len(tx.select_events(qb.app_id))
        # Another thread commits a write meanwhile.
        def write() -> None:
            with storage.transaction(write=True) as other:
                other.insert_events([_event(qb.app_id, "meanwhile")])
        thread = threading.Thread(target=write)
        thread.start()
        thread.join()
        assert tx.conn.execute(select(func.count()).select_from(events).where(
            events.c.app_id == qb.app_id)).scalar_one() == before
    assert _subjects(storage, qb.app_id) == ["meanwhile"]
