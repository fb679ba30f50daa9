"""Records' `_seq`: drawn by the database inside the write transaction, distinct under concurrency,
and on PostgreSQL without a lock that makes one app's inserts wait for another's commit."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

import pytest
from sqlalchemy import text

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.ids import new_object_id
from objectbase.core.models import Record
from objectbase.core.permissions import DEFAULT_RECORD_PERMISSIONS
from objectbase.core.schema import ClassDef
from objectbase.core.services import Services
from objectbase.storage import SqlStorage, open_storage
from objectbase.storage.sql_storage import SqlTransaction
from tests.conftest import BACKENDS, TEST_SECRETS


def make_class(services: Services) -> ClassDef:
    """A class in a new app. The one place that calls the core's class API (its signature may change)."""
    app_id = services.apps.create_app(f"seq-{uuid.uuid4().hex[:8]}").app_id
    [cls] = services.classes.apply_classes(Actor.admin(app_id), read_class_file({"name": "Item", "fields": {"n": "Integer"}}))
    return cls


def new_records(cls: ClassDef, count: int) -> list[Record]:
    now = int(time.time())
    return [Record(id=new_object_id(now), class_id=cls.id, user_id=1, parent_id=None, created_at=now,
                   updated_at=now, values={"n": i}, acl=dict(DEFAULT_RECORD_PERMISSIONS))
            for i in range(count)]


def stored_seqs(tx: SqlTransaction, cls: ClassDef) -> list[int]:
    table = tx.class_tables.table(cls)
    return sorted(tx.conn.execute(text(f"SELECT _seq FROM {table.name}")).scalars())


def test_a_batch_gets_increasing_seqs_in_record_order(storage: SqlStorage, services: Services) -> None:
    cls = make_class(services)
    records = new_records(cls, 5)
    with storage.transaction(write=True) as tx:
        tx.insert_records(cls, records)
    seqs = [r.seq for r in records if r.seq is not None]
    assert len(set(seqs)) == 5 and seqs == sorted(seqs)
    with storage.transaction(write=False) as tx:
        assert stored_seqs(tx, cls) == seqs


@pytest.mark.parametrize("size", [1, 4], ids=["one record (PostgreSQL: drawn by its INSERT)", "batches"])
def test_concurrent_inserts_get_distinct_seqs(storage: SqlStorage, services: Services, size: int) -> None:
    classes = [make_class(services), make_class(services)]
    threads, batches = 6, 5
    start = threading.Barrier(threads)

    def insert(worker: int) -> list[int]:
        cls = classes[worker % len(classes)]
        start.wait(10)
        seqs = []
        for _ in range(batches):
            records = new_records(cls, size)
            with storage.transaction(write=True) as tx:
                tx.insert_records(cls, records)
            seqs += [r.seq for r in records if r.seq is not None]
        return seqs

    with ThreadPoolExecutor(threads) as pool:
        handed_out = [s for seqs in pool.map(insert, range(threads)) for s in seqs]
    assert len(handed_out) == len(set(handed_out)) == threads * batches * size
    with storage.transaction(write=False) as tx:
        stored = sorted(stored_seqs(tx, classes[0]) + stored_seqs(tx, classes[1]))
    assert stored == sorted(handed_out)


@pytest.fixture
def pg_storage(make_database_url: Callable[[str], str]) -> Iterator[SqlStorage]:
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among OBJECTBASE_TEST_BACKENDS")
    storage = open_storage(make_database_url("postgresql"), secrets=TEST_SECRETS)
    yield storage
    storage.close()


def test_postgresql_inserts_of_two_apps_do_not_wait_for_each_other(pg_storage: SqlStorage) -> None:
    """With `_seq` from a counter row, the second insert would wait for the first one's commit."""
    services = Services.build(pg_storage)
    first_cls, second_cls = make_class(services), make_class(services)

    def insert_meanwhile() -> int | None:
        [record] = new_records(second_cls, 1)
        with pg_storage.transaction(write=True) as tx:
            tx.conn.execute(text("SET LOCAL lock_timeout = '300ms'"))
            tx.insert_records(second_cls, [record])
        return record.seq

    [first] = new_records(first_cls, 1)
    with pg_storage.transaction(write=True) as tx, ThreadPoolExecutor(1) as pool:
        tx.insert_records(first_cls, [first])
        # The first transaction stays open (uncommitted) while the second one runs to commit.
        second_seq = pool.submit(insert_meanwhile).result(timeout=10)
    assert second_seq is not None and first.seq is not None and second_seq != first.seq
    with pg_storage.transaction(write=False) as tx:
        assert stored_seqs(tx, first_cls) == [first.seq] and stored_seqs(tx, second_cls) == [second_seq]
        assert tx.conn.execute(text("SELECT count(*) FROM sequences")).scalar_one() == 0
