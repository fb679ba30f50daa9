"""A request costs one transaction (authentication and the operation together), and a read stays a
read. On PostgreSQL it costs one thread-pool hop; on SQLite none (the call runs on the event loop),
except for a write when other processes may hold SQLite's write lock (`serve --workers` above 1)
and for a scan (a count, an aggregate), which goes to the scans' own thread."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import event

from objectbase.api.common import core_calls
from objectbase.storage import engine as engine_module, sql_storage
from tests.conftest import QB


class Cost:
    def __init__(self) -> None:
        self.hops = 0
        self.scan_hops = 0  # of `hops`, those to the scans' own thread
        self.transactions: list[bool] = []  # True: a write transaction

    def reset(self) -> None:
        self.hops = self.scan_hops = 0
        self.transactions = []


@pytest.fixture
def cost(qb: QB, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cost]:
    measured = Cost()
    hop = core_calls._hop  # every thread hop goes through it, to whichever pool

    async def counting(executor: ThreadPoolExecutor, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        measured.hops += 1
        measured.scan_hops += executor is core_calls._SCANS
        return await hop(executor, function, *args, **kwargs)

    monkeypatch.setattr(core_calls, "_hop", counting)
    engine = qb.services.storage.engine  # type: ignore[attr-defined]
    if engine.dialect.name == "sqlite":
        # SQLite transactions begin on the driver's connection, not through SQLAlchemy's.
        begin = engine_module.sqlite_begin

        def counting_begin(driver: Any, *, write: bool) -> None:
            measured.transactions.append(write)
            begin(driver, write=write)

        monkeypatch.setattr(sql_storage, "sqlite_begin", counting_begin)  # the name sql_storage calls
        yield measured
        return

    def on_begin(connection: Any) -> None:
        measured.transactions.append(bool(connection.get_execution_options().get("objectbase_write")))

    event.listen(engine, "begin", on_begin)
    yield measured
    event.remove(engine, "begin", on_begin)


def _record(qb: QB, headers: dict[str, str]) -> str:
    response = qb.client.post("/data/ScoreTable.json", json={"score_value": 5}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["_id"])


@pytest.mark.parametrize("sole_writer", [True, False])
@pytest.mark.parametrize("request_kind", ["get", "search", "count", "aggregate", "update", "create"])
def test_hops_and_one_transaction(qb: QB, cost: Cost, request_kind: str, sole_writer: bool,
                                  backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qb.services.storage, "sole_writer", sole_writer)
    qb.apply_class()
    qb.make_user("ann")
    headers = qb.headers("ann")
    record_id = _record(qb, headers)
    cost.reset()
    if request_kind == "get":
        response = qb.client.get(f"/data/ScoreTable/{record_id}.json", headers=headers)
    elif request_kind == "search":
        response = qb.client.get("/data/ScoreTable.json?score_value[gt]=1&sort_desc=score_value", headers=headers)
    elif request_kind == "count":
        response = qb.client.get("/data/ScoreTable.json?count=1", headers=headers)
    elif request_kind == "aggregate":
        response = qb.client.get("/data/ScoreTable.json?group_by=game_mode_name&score_value[calc]=sum", headers=headers)
    elif request_kind == "update":
        response = qb.client.put(f"/data/ScoreTable/{record_id}.json", json={"score_value": 6}, headers=headers)
    else:
        response = qb.client.post("/data/ScoreTable.json", json={"score_value": 7}, headers=headers)
    assert response.status_code in (200, 201), response.text
    writes = request_kind in ("update", "create")
    # A count or an aggregate scans every match: on SQLite on the scans' own thread (api/common/core_calls.py).
    scan = request_kind in ("count", "aggregate")
    inline = backend == "sqlite" and (sole_writer or not writes)
    assert cost.hops == (0 if inline and not scan else 1)
    assert cost.scan_hops == (1 if inline and scan else 0)
    assert cost.transactions == [writes]


def test_a_stale_session_refreshes_after_a_read_commits(qb: QB, cost: Cost, backend: str) -> None:
    qb.apply_class()
    qb.make_user("bob")
    token = qb.token("bob")
    _actor, session = qb.services.sessions.authenticate_token(token)
    long_ago = time.time() - 600
    with qb.services.storage.transaction(write=True) as tx:
        tx.update_session(session.id, expires_at=long_ago + 7200, now=long_ago)
    cost.reset()
    response = qb.client.get("/data/ScoreTable.json", headers={"QB-Token": token})
    assert response.status_code == 200, response.text
    # The read, then the refresh of the session's expiry in a short write of its own.
    assert cost.transactions == [False, True]
    assert cost.hops == (0 if backend == "sqlite" else 1)
    _actor, refreshed = qb.services.sessions.authenticate_token(token)
    assert refreshed.expires_at > long_ago + 7200 + 500
