"""Shared set-up of the workflow tests: a class with states and required fields, users, and reads."""

from __future__ import annotations

from typing import Any

from objectbase.core.actor import Actor
from objectbase.core.models import Event, Record
from objectbase.core.records import NewRecord
from objectbase.core.users import NewUser
from tests.conftest import QB

TASK: dict[str, Any] = {
    "name": "Task",
    "fields": {"title": "String", "estimate": "Integer", "done_by": "String"},
    "states": [{"name": "New", "transitions": ["Doing"]},
               {"name": "Doing", "color": 0xFF00FF00},
               {"name": "Done", "transitions": ["New"]}],
}


# Records need every required field on create (QuickBlox's rule), so tests make `done_by` required
# after creating records without it, as an admin tightening a class would.
TASK_REQUIRING_DONE_BY: dict[str, Any] = {**TASK, "required": ["done_by"]}


def actor_of(qb: QB, login: str, *, admin: bool = False) -> Actor:
    qb.services.users.create_user(qb.admin, NewUser({"login": login}, "password1", (), is_admin=admin))
    return signed_in(qb, login)


def signed_in(qb: QB, login: str) -> Actor:
    """A new session's actor: it sees the classes as they are now (as each request does)."""
    actor, _ = qb.services.sessions.authenticate_token(qb.token(login))
    return actor


def state_ids(qb: QB, class_name: str = "Task") -> dict[str, int]:
    return {s.name: s.id for s in qb.services.classes.get_class(qb.admin, class_name).states}


def create(qb: QB, actor: Actor, values: dict[str, Any] | None = None, class_name: str = "Task",
           **options: Any) -> Record:
    return qb.services.records.create_records(actor, class_name, [NewRecord(values or {}, **options)]).records[0]


def stored(qb: QB, record_id: str, class_name: str = "Task") -> Record | None:
    """The record as the admin reads it by id (removed ones included)."""
    found = qb.services.records.get_records(qb.admin, class_name, [record_id]).records
    return found[0] if found else None


def kinds(qb: QB, record_id: str) -> list[str]:
    return [e.kind for e in qb.events(record_id)]


def last_event(qb: QB, record_id: str) -> Event:
    event: Event = qb.events(record_id)[-1]
    return event
