"""SQLite WAL checkpoints of a serving process run on their own thread (storage/checkpoints.py):
commits stop checkpointing, and the thread copies the log into the database file soon after."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import event

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.records import NewRecord
from objectbase.core.services import Services
from objectbase.storage import open_storage
from objectbase.storage.checkpoints import start_checkpoints
from objectbase.storage.sql_storage import SqlStorage
from tests.conftest import TEST_SECRETS


def _write_records(storage: SqlStorage) -> None:
    services = Services.build(storage)
    admin = Actor.admin(services.apps.create_app("checkpoints").app_id)
    services.classes.apply_classes(admin, read_class_file({"name": "C", "fields": {"text": "String"}}))
    for _ in range(20):  # one transaction each, as requests write
        services.records.create_records(admin, "C", [NewRecord({"text": "x" * 2000}) for _ in range(25)])


def _grows_within(database: Path, size: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if database.stat().st_size > size:
            return True
        time.sleep(0.02)
    return False


def test_commits_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    database = tmp_path / "objectbase.db"
    storage = open_storage(f"sqlite:///{database}", secrets=TEST_SECRETS)
    stop = start_checkpoints(storage, interval=0.05)
    try:
        with storage.transaction(write=False) as tx:
            assert tx.conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        size = database.stat().st_size
        _write_records(storage)  # a megabyte of values: past SQLite's own 1,000-page checkpoint
        assert _grows_within(database, size + 500_000, 5.0), "the thread did not checkpoint the WAL"
    finally:
        stop.set()
        storage.close()


def test_without_the_thread_nothing_reaches_the_database_file_until_close(tmp_path: Path) -> None:
    """The control: with commits not checkpointing and no thread, the log keeps every page."""
    database = tmp_path / "objectbase.db"
    storage = open_storage(f"sqlite:///{database}", secrets=TEST_SECRETS)
    try:
        storage.stop_autocheckpoints()
        size = database.stat().st_size
        _write_records(storage)
        assert not _grows_within(database, size + 500_000, 0.5)
    finally:
        storage.close()
    assert database.stat().st_size > size + 500_000  # the last connection's close checkpointed


def test_a_checkpoint_is_no_transaction(tmp_path: Path) -> None:
    """Requests count their transactions (tests/api/quickblox/test_request_cost.py); the thread's
    checkpoints run on the driver's connection and begin none."""
    storage = open_storage(f"sqlite:///{tmp_path / 'objectbase.db'}", secrets=TEST_SECRETS)
    begun: list[object] = []

    def on_begin(connection: object) -> None:
        begun.append(connection)
    event.listen(storage.engine, "begin", on_begin)
    stop = start_checkpoints(storage, interval=0.005)
    try:
        time.sleep(0.3)
    finally:
        stop.set()
        event.remove(storage.engine, "begin", on_begin)
        storage.close()
    assert begun == []
