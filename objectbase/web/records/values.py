"""A record's values in the dashboard's three forms: as a form's inputs hold them (text), as the core
takes them (client input the core casts), and as a table cell shows them.

Casting and validation stay the core's: text goes to the core as a client would send it, so every
error the page shows is the core's own message. Dates are shown and entered in UTC."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from starlette.datastructures import FormData

from objectbase.core.fields.arrays import ArrayType
from objectbase.core.schema import ClassDef, FieldDef, element_type

__all__ = ["Raw", "core_values", "date_text", "display", "empty_raw", "form_raw", "input_kind", "is_multiple", "record_raw"]

# What a form holds for one field: text, or for a location (longitude, latitude), or for a
# multiple choice the chosen values.
Raw = str | tuple[str, ...]

# Input kinds by type (arrays of references are multiple choices; other arrays one text input).
_KINDS = {"Integer": "integer", "Float": "float", "String": "text", "Boolean": "checkbox", "Date": "date",
          "Location": "location", "File": "file", "Option": "choice", "User": "user", "Record": "record"}


def input_kind(field: FieldDef) -> str:
    """How the form asks for the field: integer, float, text, checkbox, date, location, file, list
    (an array of scalars, comma-separated), choice / user / record (one of, or with `many`, several)."""
    if isinstance(field.type, ArrayType) and element_type(field.type).name not in ("Option", "User", "Record"):
        return "list"
    return _KINDS[element_type(field.type).name]


def is_multiple(field: FieldDef) -> bool:
    """An array of options, users or records: a choice of several."""
    return field.type.is_array and input_kind(field) != "list"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def date_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def empty_raw(field: FieldDef) -> Raw:
    """What an empty form holds for the field."""
    return ("", "") if input_kind(field) == "location" else () if is_multiple(field) else ""


def record_raw(cls: ClassDef, values: Mapping[str, Any]) -> dict[str, Raw]:
    """A stored record's values as the edit form shows them."""
    raw: dict[str, Raw] = {}
    for name, field in cls.fields.items():
        value, kind = values.get(name), input_kind(field)
        if value is None or kind == "file":
            raw[name] = empty_raw(field)
        elif kind == "checkbox":
            raw[name] = "1" if value else ""
        elif kind == "date":
            raw[name] = date_text(int(value))
        elif kind == "location":
            raw[name] = (_text(value[0]), _text(value[1]))
        elif kind == "list":
            raw[name] = ", ".join(_text(v) for v in value)
        elif is_multiple(field):
            raw[name] = tuple(str(v) for v in value)
        else:
            raw[name] = _text(value)
    return raw


def form_raw(cls: ClassDef, form: FormData) -> dict[str, Raw]:
    """What a submitted record form holds for each field (kept to show the form again on an error)."""
    raw: dict[str, Raw] = {}
    for name, field in cls.fields.items():
        kind = input_kind(field)
        if kind == "location":
            raw[name] = (_form_text(form, f"{name}.longitude"), _form_text(form, f"{name}.latitude"))
        elif is_multiple(field):
            raw[name] = tuple(str(v) for v in form.getlist(name) if isinstance(v, str) and v != "")
        elif kind != "file":
            raw[name] = _form_text(form, name)
    return raw


def _form_text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def core_values(cls: ClassDef, raw: Mapping[str, Raw]) -> dict[str, Any]:
    """The form's values as a client sends them to the core: an empty input is no value (None), a
    location "longitude, latitude", an unchecked box false. The core casts and validates them."""
    values: dict[str, Any] = {}
    for name, field in cls.fields.items():
        if name not in raw or field.type.read_only:
            continue
        kind, given = input_kind(field), raw[name]
        if kind == "checkbox":
            # A box sends "1" or nothing; anything else came from elsewhere, and the core refuses it.
            values[name] = {"1": True, "": False}.get(str(given), given)
        elif kind == "location":
            lon, lat = given if isinstance(given, tuple) and len(given) == 2 else ("", "")
            values[name] = None if lon == lat == "" else f"{lon}, {lat}"
        elif isinstance(given, tuple):
            values[name] = list(given) or None
        else:
            values[name] = given or None
    return values


def display(field: FieldDef, value: Any) -> str:
    """A stored value as a table cell shows it (an empty string for none)."""
    if value is None:
        return ""
    name = element_type(field.type).name
    if isinstance(field.type, ArrayType):
        return ", ".join(_one(field, name, v) for v in value)
    if name == "Location":
        return f"{_text(value[0])}, {_text(value[1])}"
    if name == "File":
        return str(value.get("name") or "file") if isinstance(value, dict) else ""
    return _one(field, name, value)


def _one(field: FieldDef, type_name: str, value: Any) -> str:
    if type_name == "Date":
        return date_text(int(value)).replace("T", " ")
    if type_name == "Option":
        return next((o.text for o in field.options if o.id == value), str(value))
    if type_name in ("User", "Record"):
        return f"#{value}"
    return _text(value)
