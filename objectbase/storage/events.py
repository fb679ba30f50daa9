from __future__ import annotations

from dataclasses import fields
from typing import Sequence

from sqlalchemy import select

from objectbase.core.models import Event
from objectbase.storage._rows import RowsBase
from objectbase.storage.prepared import insert_statement
from objectbase.storage.system_tables import events

__all__ = ["EventRows"]

_EVENT_FIELDS = [f.name for f in fields(Event)]


class EventRows(RowsBase):
    def insert_events(self, new_events: Sequence[Event]) -> None:
        # Every write appends events: the statement is prepared once, the rows read field by field
        # (dataclasses.asdict deep-copies every value).
        if new_events:
            self.prepared.get("insert_events", lambda: insert_statement(events, _EVENT_FIELDS)).execute_many(
                self.conn, [{name: getattr(e, name) for name in _EVENT_FIELDS} for e in new_events])

    def select_events(self, app_id: int, subject_id: str | None = None) -> list[Event]:
        statement = select(*(events.c[name] for name in _EVENT_FIELDS)).where(events.c.app_id == app_id)
        if subject_id is not None:
            statement = statement.where(events.c.subject_id == subject_id)
        return [Event(**dict(row._mapping)) for row in self.conn.execute(statement.order_by(events.c.id))]
