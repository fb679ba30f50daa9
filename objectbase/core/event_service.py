"""The event history as a read API: filtered, paged, oldest first, and never more than the actor
may read.

A record's events are visible to whoever may read the record now (class and record ACL), checked in
SQL against the record's table, so a count or a page never loads what it then hides. The events of
a deleted record, and every event that is not about a record (users, classes, sessions, the app,
blobs), are the administrator's only: a deleted record has no ACL left to check, and keeping an ACL
snapshot per event would put a second copy of every ACL on the write path."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from objectbase.core.actor import Actor
from objectbase.core.classes import ClassService, ClassTransaction
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.models import Event
from objectbase.core.permissions import Action, acl_filter, class_allows
from objectbase.core.query import ast
from objectbase.core.storable import check_int64, check_storable
from objectbase.core.workflow import by_id_filter
from objectbase.core.event_query import MAX_EVENT_PAGE, EventQuery, ReadableClass
from objectbase.core.unit_of_work import Storage

__all__ = ["EventPage", "EventService", "EventTransaction"]

@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    total: int


class EventTransaction(ClassTransaction, Protocol):
    """Class management's rows: the classes to check, and the events."""


def _checked(query: EventQuery) -> None:
    check_storable("record_id", query.record_id)
    check_storable("class_name", query.class_name)
    check_storable("subject_id", query.subject_id)
    if query.actor_user_id is not None:
        check_int64("actor_user_id", query.actor_user_id)
    if query.offset < 0:
        raise ValidationError.single("offset", "invalid", "offset must not be negative")
    if not 1 <= query.limit <= MAX_EVENT_PAGE:
        raise ValidationError.single("limit", "invalid", f"limit must be between 1 and {MAX_EVENT_PAGE}")
    if query.since is not None and query.until is not None and query.since > query.until:
        raise ValidationError.single("until", "invalid", "until must not be before since")


class EventService:
    def __init__(self, storage: Storage[EventTransaction], classes: ClassService) -> None:
        self.storage = storage
        self.classes = classes

    def list_events(self, actor: Actor, query: EventQuery) -> EventPage:
        _checked(query)
        with self.storage.transaction(write=False) as tx:
            class_id = None
            if query.class_name is not None:
                class_id = self.classes.get_class(actor, query.class_name, tx).id
            readable: list[ReadableClass] | None = None
            if not actor.bypasses_acl:
                # Whoever may read the record by id now: removed ones only for administrators.
                readable = [(cls, ast.conjoin(acl_filter(actor, Action.READ, cls.permissions), by_id_filter(actor)))
                            for cls in self.classes.get_classes(actor, tx)
                            if (class_id is None or cls.id == class_id) and class_allows(actor, Action.READ,
                                                                                         cls.permissions)]
                readable = [(cls, where) for cls, where in readable if where != ast.FALSE]
                if not readable:
                    return EventPage([], 0)
            events, total = tx.select_event_page(actor.app_id, query, class_id, readable)
            return EventPage(events, total)

    def get_event(self, actor: Actor, event_id: int) -> Event:
        """One event; not found as well when the actor may not see it."""
        page = self.list_events(actor, replace(EventQuery(), event_id=event_id, limit=1))
        if not page.events:
            raise NotFoundError("Event not found", code="event_not_found")
        return page.events[0]
