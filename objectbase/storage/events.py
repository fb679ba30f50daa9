from __future__ import annotations

from dataclasses import fields
from typing import Any, Sequence

from sqlalchemy import ColumnElement, Table, and_, delete, false, func, or_, select

from objectbase.core.event_query import EventQuery, ReadableClass
from objectbase.core.models import Event
from objectbase.core.schema import ClassDef
from objectbase.storage._rows import RowsBase
from objectbase.storage.prepared import insert_statement
from objectbase.storage.compile import Compiler
from objectbase.storage.system_tables import events

__all__ = ["EventRows"]

_EVENT_FIELDS = [f.name for f in fields(Event)]
_COLUMNS = [events.c[name] for name in _EVENT_FIELDS]
# The database assigns the id.
_INSERTED = [name for name in _EVENT_FIELDS if name != "id"]


def _event(row: Any) -> Event:
    return Event(**dict(row._mapping))


class EventRows(RowsBase):
    def _records_compiler(self, cls: ClassDef, table: Table) -> Compiler:
        raise NotImplementedError  # provided by RecordRows

    def insert_events(self, new_events: Sequence[Event]) -> None:
        # Every write appends events: the statement is prepared once, the rows read field by field
        # (dataclasses.asdict deep-copies every value).
        if new_events:
            self.prepared.get("insert_events", lambda: insert_statement(events, _INSERTED)).execute_later(
                self.conn, [{name: getattr(e, name) for name in _INSERTED} for e in new_events])

    def select_events(self, app_id: int, subject_id: str | None = None) -> list[Event]:
        statement = select(*_COLUMNS).where(events.c.app_id == app_id)
        if subject_id is not None:
            statement = statement.where(events.c.subject_id == subject_id)
        return [_event(row) for row in self.conn.execute(statement.order_by(events.c.id))]

    def _readable(self, readable: Sequence[ReadableClass]) -> ColumnElement[bool]:
        """Per class: its events whose record is still there and meets the condition (a semi-join
        on the record table's unique `_seq`)."""
        branches = []
        for cls, where in readable:
            table = self.class_tables.table(cls)
            seqs = select(table.c["_seq"]).where(self._records_compiler(cls, table).where(where))
            branches.append(and_(events.c.class_id == cls.id, events.c.record_seq.in_(seqs)))
        return or_(*branches) if branches else false()

    def select_event_page(self, app_id: int, query: EventQuery, class_id: int | None,
                          readable: Sequence[ReadableClass] | None) -> tuple[list[Event], int]:
        conditions: list[ColumnElement[bool]] = [events.c.app_id == app_id]
        if query.event_id is not None:
            conditions.append(events.c.id == query.event_id)
        if query.record_id is not None:
            conditions += [events.c.subject_id == query.record_id, events.c.record_seq.is_not(None)]
        if query.subject_id is not None:
            conditions.append(events.c.subject_id == query.subject_id)
        if query.record_seq is not None:
            conditions.append(events.c.record_seq == query.record_seq)
        if class_id is not None:
            conditions.append(events.c.class_id == class_id)
        if query.kinds:
            conditions.append(events.c.kind.in_(query.kinds))
        if query.actor_user_id is not None:
            conditions.append(events.c.actor_user_id == query.actor_user_id)
        if query.since is not None:
            conditions.append(events.c.at >= query.since)
        if query.until is not None:
            conditions.append(events.c.at < query.until)
        if readable is not None:
            conditions.append(self._readable(readable))
        where = and_(*conditions)
        order = events.c.id.desc() if query.newest_first else events.c.id
        page = select(*_COLUMNS).where(where).order_by(order).offset(query.offset).limit(query.limit)
        found = [_event(row) for row in self.conn.execute(page)]
        total: int = self.conn.execute(select(func.count()).select_from(events).where(where)).scalar_one()
        return found, total

    def delete_events_before(self, at: float, batch: int) -> int:
        """Deletes up to `batch` of the oldest events older than `at` (any app); returns how many."""
        oldest = select(events.c.id).where(events.c.at < at).order_by(events.c.id).limit(batch)
        deleted: int = self.conn.execute(delete(events).where(events.c.id.in_(oldest))).rowcount
        return deleted
