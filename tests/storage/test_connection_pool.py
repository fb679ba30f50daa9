"""PostgreSQL connections: a pooled connection the server closed while it sat idle is replaced
before use (pinged only after an idle spell), and reads run without BEGIN/COMMIT round trips."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from objectbase.storage import engine as engine_module
from objectbase.storage import open_storage
from tests.conftest import TEST_SECRETS


@pytest.fixture
def pg_storage(backend: str, make_database_url: Any) -> Any:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's connection pool")
    storage = open_storage(make_database_url(backend), secrets=TEST_SECRETS)
    yield storage
    storage.close()


def _backend_pid(storage: Any, *, write: bool) -> int:
    with storage.transaction(write=write) as tx:
        return int(tx.conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_closed_while_idle_is_replaced(pg_storage: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _backend_pid(pg_storage, write=False)
    # From another engine: the pool would hand back the very connection to be killed.
    killer = create_engine(pg_storage.engine.url)
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
    killer.dispose()
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    # The killed connection is found out by the ping at checkout and a fresh one is used instead.
    assert _backend_pid(pg_storage, write=False) != pid


def test_reads_run_in_autocommit_and_writes_in_a_transaction(pg_storage: Any) -> None:
    with pg_storage.transaction(write=False) as tx:
        assert tx.conn.execute(text("SELECT now() = statement_timestamp()")).scalar_one() is True
    with pg_storage.transaction(write=True) as tx:
        # Inside a transaction, now() is the transaction's start, not this statement's.
        tx.conn.execute(text("SELECT pg_sleep(0.01)"))
        assert tx.conn.execute(text("SELECT now() = statement_timestamp()")).scalar_one() is False
