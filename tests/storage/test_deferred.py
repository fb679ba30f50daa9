"""Statements queued for the next round trip (storage/deferred.py): PostgreSQL sends a write's events
and datum rows with its next statement or its COMMIT; every backend must give the same answers as
if they had run at once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from objectbase.core.errors import MalformedInputError
from objectbase.core.models import Event
from objectbase.storage import SqlStorage
from objectbase.storage import deferred
from objectbase.storage.system_tables import events
from tests.conftest import QB


def _event(app_id: int, subject: str) -> Event:
    return Event(app_id=app_id, kind="test.deferred", subject_id=subject, actor_kind="admin", actor_user_id=None,
                 at=time.time(), new={"n": 1})


def _subjects(storage: SqlStorage, app_id: int) -> list[str]:
    with storage.transaction(write=False) as tx:
        return [e.subject_id for e in tx.select_events(app_id) if e.kind == "test.deferred"]


def test_events_are_queued_on_postgresql_and_run_at_once_on_sqlite(qb: QB, storage: SqlStorage,
                                                                   backend: str) -> None:
    with storage.transaction(write=True) as tx:
        tx.insert_events([_event(qb.app_id, "a")])
        assert deferred.queued(tx.conn) == (1 if backend == "postgresql" else 0)
    assert _subjects(storage, qb.app_id) == ["a"]


def test_a_read_in_the_same_transaction_sees_the_queued_rows(qb: QB, storage: SqlStorage) -> None:
    with storage.transaction(write=True) as tx:
        tx.insert_events([_event(qb.app_id, "first")])
        # SQLAlchemy's own statement: the queue runs before it.
        assert [e.subject_id for e in tx.select_events(qb.app_id) if e.kind == "test.deferred"] == ["first"]
        tx.insert_events([_event(qb.app_id, "second")])
        assert tx.conn.execute(select(func.count()).select_from(events).where(
            events.c.app_id == qb.app_id, events.c.kind == "test.deferred")).scalar_one() == 2
        assert deferred.queued(tx.conn) == 0


def test_a_failed_savepoint_drops_what_it_queued_and_keeps_the_rest(qb: QB, storage: SqlStorage) -> None:
    with storage.transaction(write=True) as tx:
        tx.insert_events([_event(qb.app_id, "kept")])
        with pytest.raises(RuntimeError), tx.savepoint():
            # A row PostgreSQL would refuse: run before the ROLLBACK TO, it would fail it.
            tx.insert_events([_event(qb.app_id, "dropped\x00")])
            raise RuntimeError("the item failed")
        tx.insert_events([_event(qb.app_id, "after")])
    assert _subjects(storage, qb.app_id) == ["kept", "after"]


def test_a_queued_statement_that_fails_fails_the_transaction_and_writes_nothing(qb: QB, storage: SqlStorage) -> None:
    with pytest.raises(MalformedInputError):
        with storage.transaction(write=True) as tx:
            tx.insert_events([_event(qb.app_id, "before")])
            # NUL is refused by PostgreSQL's text (and taken by SQLite): the net at the boundary.
            tx.insert_events([_event(qb.app_id, "bad\x00")])
            if tx.dialect == "sqlite":
                raise MalformedInputError("as PostgreSQL refuses it", code="unstorable_value")
    assert _subjects(storage, qb.app_id) == []
    # The connection is usable again: the next transaction commits normally.
    with storage.transaction(write=True) as tx:
        tx.insert_events([_event(qb.app_id, "next")])
    assert _subjects(storage, qb.app_id) == ["next"]


def test_a_rolled_back_transaction_leaves_nothing_queued_on_its_connection(qb: QB, storage: SqlStorage) -> None:
    with pytest.raises(RuntimeError):
        with storage.transaction(write=True) as tx:
            info = tx.conn.info  # the driver connection's, which the pool hands to later transactions
            tx.insert_events([_event(qb.app_id, "rolled back")])
            raise RuntimeError("the operation failed")
    assert deferred.DEFERRED_KEY not in info
    assert _subjects(storage, qb.app_id) == []
