"""DreamFactory table objects (contract §10) -> core class specs, through the class-file reader so
that names, reserved words and types are checked as for `objectbase class apply`.

Accepted per field: `name`, `type` (§10's DreamFactory names, or a core type name such as
`Location` or `Integer[]`), `is_index`, `required` / `allow_null: false`; for the reference types,
`picklist` (an Option field's option texts) and `ref_table` (a Record field's target class).
`label`, `plural`, `validation`, `db_function` and the like are accepted and ignored. Fields describing
the system columns (`_id` or a `id`/`pk` primary key, `user_id`, timestamps) are skipped: every
class has them already.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from objectbase.api.field_names import read_class_file
from objectbase.core.errors import ValidationError
from objectbase.core.schema import SYSTEM_FIELDS, ClassSpec, FieldSpec

__all__ = ["field_specs", "table_name", "table_specs"]

_TYPES = {
    "integer": "Integer", "int": "Integer", "bigint": "Integer",
    "double": "Float", "float": "Float", "decimal": "Float",
    "string": "String", "text": "String",
    "boolean": "Boolean", "bool": "Boolean",
    "datetime": "Date", "date": "Date", "timestamp": "Date",
}
# Types that describe a column every class has already.
_SYSTEM_TYPES = frozenset({"id", "pk", "user_id", "user_id_on_create", "user_id_on_update",
                           "timestamp_on_create", "timestamp_on_update"})


def _object(raw: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(what, "invalid", "must be an object")
    return raw


def table_name(raw: Any) -> str:
    name = _object(raw, "table").get("name")
    if not isinstance(name, str) or not name:
        raise ValidationError.single("name", "blank", "is required for every table")
    return name


def _class_file(name: str, raw_fields: Any) -> dict[str, Any]:
    """A table's fields as a class file (the product's one input format for classes)."""
    if raw_fields is None:
        raw_fields = []
    if not isinstance(raw_fields, list):
        raise ValidationError.single("field", "invalid", "must be a list of field objects")
    fields: dict[str, Any] = {}
    indexes: list[str] = []
    required: list[str] = []
    for raw in raw_fields:
        item = _object(raw, "field")
        field_name, type_name = item.get("name"), item.get("type")
        if not isinstance(field_name, str) or not isinstance(type_name, str):
            raise ValidationError.single("field", "invalid", "every field needs a name and a type (text)")
        if field_name in SYSTEM_FIELDS or type_name.lower() in _SYSTEM_TYPES:
            continue
        if field_name in fields:
            raise ValidationError.single(field_name, "duplicate", "appears more than once")
        core_type = _TYPES.get(type_name.lower(), type_name)
        kind = core_type.removesuffix("[]")
        if kind == "Option" and item.get("picklist") is not None:
            fields[field_name] = {"type": core_type, "options": item["picklist"]}
        elif kind == "Record":
            fields[field_name] = {"type": core_type, "class": item.get("ref_table")}
        else:
            fields[field_name] = core_type
        if item.get("is_index") is True:
            indexes.append(field_name)
        if item.get("required") is True or item.get("allow_null") is False:
            required.append(field_name)
    return {"name": name, "fields": fields, "indexes": indexes, "required": required}


def table_specs(raw_tables: Sequence[Any]) -> list[ClassSpec]:
    """New tables (POST {S}); classes get the default permissions of a class file."""
    return read_class_file([_class_file(table_name(t), _object(t, "table").get("field")) for t in raw_tables])


def field_specs(table: str, raw_fields: Any) -> tuple[FieldSpec, ...]:
    """Fields to add to (or re-flag on) an existing table."""
    return read_class_file(_class_file(table, raw_fields))[0].fields
