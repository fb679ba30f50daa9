"""Records, datums, metadatums, events and transitions → Tracy JSON (contract §3.2, §7, §12), shallow
as §1.4 says: inside a record, back-references (`datum.record`, `event.record`, …) are null.

Event ids: the core writes one history entry per write, Tracy shows one event per elementary change
(a QuickBlox update of three fields is three `datumChanged`). A Tracy event id is the entry's id
times EVENT_ID_SPAN plus the change's index within it, so every worker derives the same ids."""

from __future__ import annotations

from typing import Any, Mapping

from objectbase.api.tracy.properties import Property, properties_of
from objectbase.api.tracy.record_values import SLOTS, record_reference, value_slots
from objectbase.api.tracy.render import render_dataset, render_property, render_state, render_user
from objectbase.api.tracy.timestamps import timestamp
from objectbase.core.datum_service import FieldDatum
from objectbase.core.elementary import elementary_changes
from objectbase.core.models import Event, Metadatum, Transition, User
from objectbase.core.record_views import RecordList, RecordView
from objectbase.core.schema import ClassDef

__all__ = ["EVENT_ID_SPAN", "RECORD_INCLUDES", "render_datum", "render_events", "render_metadatum", "render_record",
           "render_field_datum", "render_records"]

EVENT_ID_SPAN = 4096
RECORD_INCLUDES = frozenset({"datums", "metadatums", "events", "transitions", "dataset", "dataset.states",
                             "dataset.properties", "dataset.properties.options"})
_SIMPLE_KINDS = {"record.created": "recordCreated", "record.duplicated": "recordDuplicated",
                 "record.state_changed": "stateChanged", "record.archived": "recordArchived",
                 "record.unarchived": "recordUnarchived", "record.removed": "recordRemoved",
                 "record.restored": "recordRestored", "record.deleted": "recordDeleted"}
_DATUM_KINDS = {"added": "datumAdded", "changed": "datumChanged", "removed": "datumRemoved"}
# The automatic properties' values, in `properties_of` order.
_AUTOMATIC_VALUES = ("user_id", "created_at", "updated_at")


def _dataset(cls: ClassDef, include: frozenset[str]) -> dict[str, Any]:
    """The record's dataset, with what `dataset.…` paths include."""
    return render_dataset(cls, include=frozenset(p.removeprefix("dataset.") for p in include
                                                 if p.startswith("dataset.")))


def _state(cls: ClassDef, state_id: Any) -> dict[str, Any] | None:
    state = cls.state(state_id) if isinstance(state_id, int) else None
    return None if state is None else render_state(state, None)


def _seconds(moment: Any) -> str:
    return timestamp(float(moment))


def render_datum(prop: Property, datum_id: int, value: Any, users: Mapping[int, User],
                 record: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": datum_id, "record": record, "property": render_property(prop, None),
            **value_slots(prop, value, users)}


def _datums(view: RecordView, users: Mapping[int, User]) -> list[dict[str, Any]]:
    props = properties_of(view.cls)
    by_field = {p.field.id: p for p in props if p.field is not None}
    rendered = [render_datum(by_field[d.field.id], d.datum.id, d.datum.value, users)
                for d in view.data if d.field.id in by_field]
    record = view.record
    assert record.seq is not None
    # Automatic values have no datum row: their ids are derived from the record's, negative.
    for index, prop in enumerate(p for p in props if p.field is None):
        value = getattr(record, _AUTOMATIC_VALUES[index])
        if value or index:
            rendered.append(render_datum(prop, -(3 * record.seq + index), value, users))
    return rendered


def _representation(representation: int) -> dict[str, Any]:
    return {"id": representation, "dashboard": None, "dataset": None, "representationType": None, "name": None,
            "parameters": None, "position": 0}


def render_metadatum(metadatum: Metadatum, record: dict[str, Any] | None = None) -> dict[str, Any]:
    linked = None if metadatum.record_value is None else record_reference(metadatum.record_value)
    return {"id": metadatum.id, "record": record, "representation": _representation(metadatum.representation),
            "recordValue": linked, "decimalValue": metadatum.decimal_value}


def _transition(cls: ClassDef, transition: Transition) -> dict[str, Any]:
    return {"id": transition.id, "record": None, "oldState": _state(cls, transition.old_state_id),
            "timestamp": _seconds(transition.at)}


def _event(event: Event, index: int, kind: str, users: Mapping[int, User],
           record: dict[str, Any] | None) -> dict[str, Any]:
    assert event.id is not None
    user = users.get(event.actor_user_id) if event.actor_user_id is not None else None
    return {"id": event.id * EVENT_ID_SPAN + index, "record": record,
            "user": None if user is None else render_user(user), "eventType": {"id": kind},
            "created": _seconds(event.at), "oldState": None, "newState": None, "property": None,
            **{_side("old", slot): None for slot in SLOTS}, **{_side("new", slot): None for slot in SLOTS}}


def _side(side: str, slot: str) -> str:
    """An event's member for a datum slot: ("old", "stringValue") -> "oldStringValue"."""
    return side + slot[0].upper() + slot[1:]


def render_events(cls: ClassDef | None, event: Event, users: Mapping[int, User],
                  record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The Tracy events of one history entry (none for kinds Tracy has no word for)."""
    if event.kind in _SIMPLE_KINDS:
        rendered = _event(event, 0, _SIMPLE_KINDS[event.kind], users, record)
        old, new = event.old or {}, event.new or {}
        if cls is not None:
            if event.kind == "record.state_changed":
                rendered.update(oldState=_state(cls, old.get("state")), newState=_state(cls, new.get("state")))
            elif event.kind in ("record.created", "record.duplicated"):
                rendered["newState"] = _state(cls, new.get("_state_id"))
        if event.kind == "record.duplicated" and isinstance(new.get("original_seq"), int):
            rendered["newRecordValue"] = record_reference(new["original_seq"])
        return [rendered]
    if cls is None or event.kind != "record.updated":
        return []
    by_field = {p.field.id: p for p in properties_of(cls) if p.field is not None}
    events = []
    for index, change in enumerate(elementary_changes(cls, event)[:EVENT_ID_SPAN]):
        prop = by_field[change.field_id]
        rendered = _event(event, index, _DATUM_KINDS[change.kind], users, record)
        rendered["property"] = render_property(prop, None)
        rendered.update(value_slots(prop, change.old_value, users, lambda s: _side("old", s)))
        rendered.update(value_slots(prop, change.new_value, users, lambda s: _side("new", s)))
        events.append(rendered)
    return events


def render_record(view: RecordView, listed: RecordList, include: frozenset[str]) -> dict[str, Any]:
    record, cls, users = view.record, view.cls, listed.users
    assert record.seq is not None
    dataset = _dataset(cls, include)
    events = None
    if "events" in include and view.events is not None:
        events = [e for event in view.events for e in render_events(cls, event, users, None)]
    return {
        "id": record.seq, "dataset": dataset, "state": _state(cls, record.state_id),
        "archived": None if record.archived_at is None else _seconds(record.archived_at),
        "removed": None if record.removed_at is None else _seconds(record.removed_at),
        "datums": _datums(view, users) if "datums" in include else None,
        "metadatums": ([render_metadatum(m) for m in view.metadata]
                       if "metadatums" in include and view.metadata is not None else None),
        "events": events,
        "transitions": ([_transition(cls, t) for t in view.transitions]
                        if "transitions" in include and view.transitions is not None else None),
    }


def render_records(listed: RecordList, include: frozenset[str]) -> list[dict[str, Any]]:
    return [render_record(view, listed, include) for view in listed.views]


def render_field_datum(view: RecordView, found: FieldDatum, users: Mapping[int, User]) -> dict[str, Any]:
    """A datum on its own (V1–V4): its record as a reference."""
    prop = next(p for p in properties_of(view.cls) if p.field is not None and p.field.id == found.field.id)
    assert view.record.seq is not None
    return render_datum(prop, found.datum.id, found.datum.value, users, record_reference(view.record.seq))
