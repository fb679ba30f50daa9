"""Event retention: older events are deleted in batches, newer ones kept; the CLI runs it once."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner
from sqlalchemy import func, select, update

from objectbase.cli import main
from objectbase.core.event_query import EventQuery
from objectbase.storage import SqlStorage
from objectbase.storage.retention import prune_events
from objectbase.storage.system_tables import events
from tests.conftest import QB

DAY = 86400


def _age(storage: SqlStorage, app_id: int, ids: list[int], days: float) -> None:
    with storage.transaction(write=True) as tx:
        tx.conn.execute(update(events).where(events.c.app_id == app_id, events.c.id.in_(ids))
                        .values(at=time.time() - days * DAY))


def _app_event_ids(qb: QB) -> list[int]:
    return [e.id for e in qb.services.events.list_events(qb.admin, EventQuery(limit=1000)).events if e.id]


def test_events_older_than_the_window_are_deleted_in_batches_newer_kept(qb: QB, storage: SqlStorage) -> None:
    qb.apply_class({"name": "Note", "fields": {"n": "Integer"}})
    for n in range(7):
        qb.make_user(f"u{n}")
    ids = _app_event_ids(qb)
    old, recent = ids[:5], ids[5:]
    _age(storage, qb.app_id, old, 40)
    _age(storage, qb.app_id, recent[:1], 20)
    # Batches of 2: 5 old events take three transactions; other tests' events are all recent.
    assert prune_events(storage, 30, batch=2) == 5
    assert _app_event_ids(qb) == recent
    assert prune_events(storage, 30, batch=2) == 0
    assert prune_events(storage, 10) == 1
    assert _app_event_ids(qb) == recent[1:]


def test_the_cli_prunes_once(qb: QB, storage: SqlStorage, database_url: str) -> None:
    qb.make_user("someone")
    ids = _app_event_ids(qb)
    _age(storage, qb.app_id, ids[:1], 100)
    result = CliRunner().invoke(main, ["events", "prune", "--older-than-days", "90", "--json",
                                       "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"deleted": 1, "older_than_days": 90}
    assert _app_event_ids(qb) == ids[1:]
    with storage.transaction(write=False) as tx:
        assert tx.conn.execute(select(func.count()).select_from(events)
                               .where(events.c.id == ids[0])).scalar_one() == 0
    refused = CliRunner().invoke(main, ["events", "prune", "--database-url", database_url],
                                 env={"OBJECTBASE_EVENT_RETENTION_DAYS": ""})
    assert refused.exit_code != 0 and "--older-than-days" in refused.output
    by_env = CliRunner().invoke(main, ["events", "prune", "--database-url", database_url],
                                env={"OBJECTBASE_EVENT_RETENTION_DAYS": "90"})
    assert by_env.exit_code == 0 and "deleted 0 events older than 90 days" in by_env.output
