"""E1–E2: the event history, read-only (contract §4, §7): oldest first, one Tracy event per
elementary change, only events of records the caller may read now."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.params import int_param
from objectbase.api.tracy.record_params import long_param, long_path_id, page_of
from objectbase.api.tracy.record_values import record_reference
from objectbase.api.tracy.render_records import EVENT_ID_SPAN, render_events
from objectbase.core.errors import FieldError, NotFoundError, ValidationError
from objectbase.core.event_query import EventQuery
from objectbase.core.record_views import EventHistory

__all__ = ["get_event", "list_events"]

# Tracy event type -> the core history entries it comes from.
_KINDS = {"recordCreated": "record.created", "recordDuplicated": "record.duplicated",
          "stateChanged": "record.state_changed", "datumAdded": "record.updated", "datumChanged": "record.updated",
          "datumRemoved": "record.updated", "recordArchived": "record.archived",
          "recordUnarchived": "record.unarchived", "recordRemoved": "record.removed",
          "recordRestored": "record.restored", "recordDeleted": "record.deleted"}


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError({name: [FieldError("invalid", message)]}, f"The parameter {name} is not valid")


def _instant(request: Request, name: str) -> float | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _bad(name, "The value must be an ISO 8601 date and time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _expanded(history: EventHistory) -> list[dict[str, Any]]:
    classes = {c.id: c for c in history.classes}
    rendered: list[dict[str, Any]] = []
    for event in history.events:
        record = None if event.record_seq is None else record_reference(event.record_seq)
        rendered += render_events(classes.get(event.class_id or 0), event, history.users, record)
    return rendered


async def list_events(request: Request) -> Response:
    kind = request.query_params.get("eventTypeId")
    if kind is not None and kind not in _KINDS:
        raise _bad("eventTypeId", f"The value must be one of {', '.join(_KINDS)}.")
    created_from, created_to = _instant(request, "createdFrom"), _instant(request, "createdTo")
    offset, limit = page_of(request)
    query = EventQuery(record_seq=long_param(request, "recordId"), kinds=(_KINDS[kind],) if kind else (),
                       actor_user_id=int_param(request, "userId"), since=created_from,
                       # createdTo is inclusive; the core's bound is not.
                       until=None if created_to is None else created_to + 0.001)
    history = await perform(request, services(request).record_views.event_history, query,
                            int_param(request, "datasetId"))
    events = [e for e in _expanded(history) if kind is None or e["eventType"]["id"] == kind]
    return json_response(events[offset:offset + limit], headers={"X-Total-Count": str(len(events))})


async def get_event(request: Request) -> Response:
    event_id = long_path_id(request)
    history = await perform(request, services(request).record_views.event_history,
                            EventQuery(event_id=event_id // EVENT_ID_SPAN))
    found = next((e for e in _expanded(history) if e["id"] == event_id), None)
    if found is None:
        raise NotFoundError("Event not found", code="event_not_found")
    return json_response(found)
