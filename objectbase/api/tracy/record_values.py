"""Datum value slots (contract §3.4, §5.2): which of a Datum's seven value members a property type
uses, reading a client's datums into field values for the core, and rendering values back.

Exactly one slot, the property type's, may be non-null in a request; automatic properties and
files (set only by uploading) cannot be written; only plural types take several datums."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from objectbase.api.tracy.properties import Property, properties_of
from objectbase.api.tracy.render import render_option, render_user
from objectbase.api.tracy.timestamps import timestamp
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.fields.date import parse_date
from objectbase.core.models import User
from objectbase.core.schema import ClassDef, FieldDef, element_type

__all__ = ["MAX_DATUMS", "SLOTS", "ValueSlots", "read_new_value", "read_value", "read_values", "record_reference",
           "slot_of",
           "value_slots"]

SLOTS = ("optionValue", "userValue", "recordValue", "integerValue", "decimalValue", "stringValue", "dateTimeValue")
# Most datums in one request, and per property of one record (contract §11).
MAX_DATUMS = 1000
_MAX_PER_PROPERTY = 100
_SLOT_OF_TYPE = {"String": "stringValue", "Integer": "integerValue", "Float": "decimalValue", "Date": "dateTimeValue",
                 "Boolean": "integerValue", "Location": "stringValue", "File": "stringValue",
                 "Option": "optionValue", "User": "userValue", "Record": "recordValue"}
_AUTOMATIC_SLOTS = {"author": "userValue", "createdAt": "dateTimeValue", "updatedAt": "dateTimeValue"}

ValueSlots = dict[str, Any]


def slot_of(prop: Property) -> str:
    if prop.field is None:
        return _AUTOMATIC_SLOTS[prop.type.id]
    return _SLOT_OF_TYPE[element_type(prop.field.type).name]


def _invalid(path: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({path: [FieldError(code, message)]}, message.rstrip("."))


def record_reference(seq: int) -> dict[str, Any]:
    """A record named, not loaded: its id, every other member null."""
    return {"id": seq, "dataset": None, "state": None, "archived": None, "removed": None, "datums": None,
            "metadatums": None, "events": None, "transitions": None}


# -- reading -------------------------------------------------------------------------------------
def _reference_id(value: Any, path: str) -> int:
    if not isinstance(value, dict) or not isinstance(value.get("id"), int) or isinstance(value["id"], bool):
        raise _invalid(path, "The value must be an object with an integer id.")
    return int(value["id"])


def _read_slot(field: FieldDef, slot: str, value: Any, path: str) -> Any:
    kind = element_type(field.type).name
    if slot in ("optionValue", "userValue", "recordValue"):
        return _reference_id(value, path)
    if slot == "integerValue":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _invalid(path, "The value must be an integer.")
        if kind == "Boolean":
            if value not in (0, 1):
                raise _invalid(path, "A boolean property takes 0 or 1.")
            return bool(value)
        return value
    if slot == "decimalValue":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _invalid(path, "The value must be a number.")
        return value
    if not isinstance(value, str):
        raise _invalid(path, "The value must be a string.")
    if field.type.is_array and "," in value:
        # Plural text values are stored as one list whose elements cannot hold a comma.
        raise _invalid(path, "A value of a plural text property cannot contain a comma.")
    return value


def _at(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _property(cls: ClassDef, entry: Any, path: str) -> Property:
    if not isinstance(entry, dict):
        raise _invalid(path or "$", "A datum must be an object.")
    prop_id = _reference_id(entry.get("property"), _at(path, "property"))
    prop = next((p for p in properties_of(cls) if p.id == prop_id), None)
    if prop is None:
        raise _invalid(_at(path, "property"), f"Property {prop_id} is not a property of dataset {cls.id}.")
    if prop.field is None or prop.field.type.read_only:
        raise _invalid(_at(path, "property"), f"Property {prop_id} ({prop.name}) is set by the server, not by clients.",
                       "read_only")
    return prop


def _slot_value(prop: Property, entry: dict[str, Any], path: str) -> Any:
    """The value in the property's slot (None when null); any other slot filled is refused."""
    assert prop.field is not None
    expected = slot_of(prop)
    for slot in SLOTS:
        if slot != expected and entry.get(slot) is not None:
            raise _invalid(_at(path, slot), f"Datum for property {prop.id} must use {expected}, not {slot}.")
    raw = entry.get(expected)
    return None if raw is None else _read_slot(prop.field, expected, raw, _at(path, expected))


def _entry_value(cls: ClassDef, entry: Any, path: str) -> tuple[Property, FieldDef, Any]:
    """(property, field, value or None when every slot is null)."""
    prop = _property(cls, entry, path)
    assert prop.field is not None
    return prop, prop.field, _slot_value(prop, entry, path)


def read_values(cls: ClassDef, entries: Sequence[Any], path: str = "datums") -> dict[str, Any]:
    """The datums as field values: each property named gets the listed values (a list for plural
    types); an entry with every slot null leaves its property without value."""
    if len(entries) > MAX_DATUMS:
        raise _invalid(path, f"At most {MAX_DATUMS} datums per request.", "too_many")
    grouped: dict[str, tuple[Property, FieldDef, list[Any]]] = {}
    for index, entry in enumerate(entries):
        where = f"{path}[{index}]"
        prop, field, value = _entry_value(cls, entry, where)
        _p, _f, values = grouped.setdefault(field.name, (prop, field, []))
        if value is not None:
            values.append(value)
        if len(values) > 1 and not prop.type.is_plural:
            raise _invalid(where, f"Property {prop.id} ({prop.name}) takes one datum; {prop.type.id} is not plural.",
                           "not_plural")
        if len(values) > _MAX_PER_PROPERTY:
            raise _invalid(where, f"At most {_MAX_PER_PROPERTY} datums per property.", "too_many")
    return {name: (values if field.type.is_array else values[0]) if values else None
            for name, (_prop, field, values) in grouped.items()}


def _required(prop: Property, value: Any, path: str) -> Any:
    if value is None:
        raise _invalid(_at(path, slot_of(prop)), "A datum needs a value in its property's slot.", "blank")
    return value


def read_value(cls: ClassDef, entry: Any, path: str = "") -> tuple[FieldDef, Any]:
    """A new datum's field and (non-null) value (V1)."""
    prop, field, value = _entry_value(cls, entry, path)
    return field, _required(prop, value, path)


def read_new_value(cls: ClassDef, field: FieldDef, entry: dict[str, Any]) -> Any:
    """A datum's new (non-null) value (V2); `property`, if given, must be the datum's."""
    prop = next(p for p in properties_of(cls) if p.field is not None and p.field.id == field.id)
    named = entry.get("property")
    if named is not None and _reference_id(named, "property") != prop.id:
        raise _invalid("property", "A datum stays with its property.")
    return _required(prop, _slot_value(prop, entry, ""), "")


# -- rendering -----------------------------------------------------------------------------------
def _seconds(value: Any) -> float:
    """A Date as stored (Unix seconds) or as the history keeps it (ISO text)."""
    return float(value) if isinstance(value, (int, float)) else float(parse_date(value))


def _location(value: Any) -> str:
    lon, lat = value
    return f"{lon},{lat}"


def _rendered(field: FieldDef | None, slot: str, value: Any, users: Mapping[int, User]) -> Any:
    if slot == "optionValue":
        assert field is not None
        option = next((o for o in field.options if o.id == value), None)
        return None if option is None else render_option(option, None)
    if slot == "userValue":
        user = users.get(value)
        return None if user is None else render_user(user)
    if slot == "recordValue":
        return record_reference(int(value))
    if slot == "dateTimeValue":
        return timestamp(_seconds(value))
    if field is None:
        return value
    kind = element_type(field.type).name
    if kind == "Boolean":
        return int(bool(value))
    if kind == "Location":
        return _location(value)
    if kind == "File":
        return value.get("file_id") if isinstance(value, dict) else value
    if kind == "Float":
        return float(value)
    return value


def value_slots(prop: Property, value: Any, users: Mapping[int, User],
                name: Callable[[str], str] = lambda slot: slot) -> ValueSlots:
    """The seven slots (named through `name`, e.g. "newStringValue"), the property's one filled."""
    slots: ValueSlots = {name(slot): None for slot in SLOTS}
    if value is not None:
        slot = slot_of(prop)
        slots[name(slot)] = _rendered(prop.field, slot, value, users)
    return slots
