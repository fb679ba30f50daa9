"""What a read of the event history asks for (core/event_service.py answers it)."""

from __future__ import annotations

from dataclasses import dataclass

from objectbase.core.query import ast
from objectbase.core.schema import ClassDef

__all__ = ["MAX_EVENT_PAGE", "EventQuery", "ReadableClass"]

MAX_EVENT_PAGE = 1000

# A class whose records' events the actor may see, with the (bound) condition on its records.
ReadableClass = tuple[ClassDef, ast.Node]


@dataclass(frozen=True)
class EventQuery:
    record_id: str | None = None
    record_seq: int | None = None
    class_name: str | None = None
    kinds: tuple[str, ...] = ()
    actor_user_id: int | None = None
    # Unix times, `since` inclusive and `until` exclusive.
    since: float | None = None
    until: float | None = None
    offset: int = 0
    limit: int = 100
    event_id: int | None = None
    # What the events are about, whatever it is (a blob's uid, a user's id): see `kinds` to say what kind.
    subject_id: str | None = None
    # Pages from the latest event back (a feed), instead of oldest first.
    newest_first: bool = False
