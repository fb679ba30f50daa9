"""`include_schema=true` (contract §4, §6.4): the table in the §10 shape, for `meta.schema`.

A reader's summary until the schema endpoints' renderer (`schema.py`, §10) lands; then
`table_schema` should become that renderer, so both say the same thing about a table.
"""

from __future__ import annotations

from typing import Any, Sequence

from objectbase.api.dreamfactory.related import relation_name
from objectbase.core.related import Relation
from objectbase.core.schema import ClassDef

__all__ = ["table_schema"]

# Core type -> (DreamFactory `type`, `db_type`).
_TYPES = {"Integer": ("integer", "bigint"), "Float": ("double", "double precision"), "String": ("string", "text"),
          "Boolean": ("boolean", "boolean"), "Date": ("datetime", "timestamp"), "File": ("string", "file")}
# System columns: (type, db_type, is_primary_key).
_SYSTEM = {"_id": ("string", "char(24)", True), "user_id": ("user_id_on_create", "bigint", False),
           "_parent_id": ("string", "char(24)", False), "created_at": ("timestamp_on_create", "timestamp", False),
           "updated_at": ("timestamp_on_update", "timestamp", False)}


def _field(name: str, type_: str, db_type: str, *, primary: bool = False, indexed: bool = False,
           required: bool = False) -> dict[str, Any]:
    return {"alias": None, "name": name, "label": name, "description": None, "native": [], "type": type_,
            "db_type": db_type, "length": 24 if db_type == "char(24)" else None, "precision": None, "scale": None,
            "default": None, "required": required, "allow_null": not (primary or required),
            "fixed_length": db_type == "char(24)", "supports_multibyte": type_ == "string",
            "auto_increment": False, "is_primary_key": primary, "is_unique": primary,
            "is_index": primary or indexed, "is_foreign_key": False, "ref_table": None, "ref_field": None,
            "ref_on_update": None, "ref_on_delete": None, "picklist": None, "validation": None,
            "db_function": None, "is_virtual": False, "is_aggregate": False}


def table_schema(cls: ClassDef, relations: Sequence[Relation]) -> dict[str, Any]:
    fields = [_field(name, type_, db_type, primary=primary, indexed=True)
              for name, (type_, db_type, primary) in _SYSTEM.items()]
    for field in cls.fields.values():
        type_, db_type = _TYPES.get(field.type.name, ("string", "json"))  # Location and arrays: JSON
        fields.append(_field(field.name, type_, db_type, indexed=field.indexed, required=field.required))
    related = [{"name": relation_name(r), "type": "has_many" if r.many else "belongs_to", "field": "_id",
                "ref_table": r.target, "ref_field": r.field} for r in relations]
    return {"alias": None, "name": cls.name, "label": cls.name, "description": None, "native": [],
            "plural": cls.name, "is_view": False, "primary_key": ["_id"], "name_field": None, "field": fields,
            "related": related, "constraints": [], "access": ["GET", "POST", "PUT", "PATCH", "DELETE"]}
