"""Classes -> DreamFactory schema JSON (contract §10): the `<table>` and `<field>` objects, with
§10's type mapping. `render_table` is also what `include_schema` puts in `meta.schema`."""

from __future__ import annotations

from typing import Any, Sequence

from objectbase.core.actor import Actor
from objectbase.core.fields import FieldType
from objectbase.core.permissions import Action, class_allows
from objectbase.core.related import Relation
from objectbase.core.schema import ClassDef, FieldDef, element_type

__all__ = ["render_field", "render_relation", "render_system_field", "render_table", "table_access", "table_plural"]

# Core type -> (DreamFactory `type`, `db_type`).
_TYPES: dict[str, tuple[str, str]] = {
    "Integer": ("integer", "bigint"), "Float": ("double", "double precision"), "String": ("string", "text"),
    "Boolean": ("boolean", "boolean"), "Date": ("datetime", "datetime"), "Location": ("string", "json"),
    "File": ("string", "file"), "Option": ("integer", "bigint"), "User": ("integer", "bigint"),
    "Record": ("integer", "bigint"),
}
# System columns every record has: (type, db_type, length, primary key).
_SYSTEM: dict[str, tuple[str, str, int | None, bool]] = {
    "_id": ("string", "char(24)", 24, True),
    "_parent_id": ("string", "char(24)", 24, False),
    "user_id": ("user_id_on_create", "bigint", None, False),
    "created_at": ("timestamp_on_create", "datetime", None, False),
    "updated_at": ("timestamp_on_update", "datetime", None, False),
}
_VERBS = ((Action.READ, ("GET",)), (Action.CREATE, ("POST",)), (Action.UPDATE, ("PUT", "PATCH")),
          (Action.DELETE, ("DELETE",)))


def _type_of(field_type: FieldType) -> tuple[str, str]:
    if field_type.name.endswith("[]"):
        return "string", "json"
    return _TYPES.get(field_type.name, ("string", field_type.name.lower()))


def _field(name: str, type_name: str, db_type: str, *, length: int | None = None, required: bool = False,
           allow_null: bool = True, primary: bool = False, indexed: bool = False,
           multibyte: bool = False) -> dict[str, Any]:
    return {
        "alias": None, "name": name, "label": name, "description": None, "native": [],
        "type": type_name, "db_type": db_type, "length": length, "precision": None, "scale": None,
        "default": None, "required": required, "allow_null": allow_null, "fixed_length": length is not None,
        "supports_multibyte": multibyte, "auto_increment": False, "is_primary_key": primary,
        "is_unique": primary, "is_index": indexed, "is_foreign_key": False, "ref_table": None,
        "ref_field": None, "ref_on_update": None, "ref_on_delete": None, "picklist": None,
        "validation": None, "db_function": None, "is_virtual": False, "is_aggregate": False,
    }


def render_system_field(name: str) -> dict[str, Any]:
    type_name, db_type, length, primary = _SYSTEM[name]
    # Every system column is indexed; only `_parent_id` may be empty.
    return _field(name, type_name, db_type, length=length, allow_null=name == "_parent_id", primary=primary,
                  indexed=True)


def _references(field: FieldDef, target: str | None) -> dict[str, Any]:
    """Reference fields hold integer ids: a User field the id of DreamFactory's `user`, a Record
    field the target's `_seq`; an Option field's `picklist` is its texts in order, and its options
    with their ids and colours are in `native`, where DreamFactory keeps what only the database knows."""
    kind = element_type(field.type).name
    if kind == "Option":
        return {"picklist": [o.text for o in field.options],
                "native": [{"id": o.id, "text": o.text, "color": o.color} for o in field.options]}
    if kind == "User":
        return {"is_foreign_key": True, "ref_table": "user", "ref_field": "id"}
    if kind == "Record" and target is not None:
        return {"is_foreign_key": True, "ref_table": target, "ref_field": "_seq"}
    return {}


def render_field(field: FieldDef, target: str | None = None) -> dict[str, Any]:
    """`target`: a Record field's target class name."""
    type_name, db_type = _type_of(field.type)
    return _field(field.name, type_name, db_type, required=field.required, allow_null=not field.required,
                  indexed=field.indexed, multibyte=field.type.name == "String") | _references(field, target)


def table_access(actor: Actor, cls: ClassDef) -> list[str]:
    """The verbs the actor may use on some records of the class."""
    return [verb for action, verbs in _VERBS if class_allows(actor, action, cls.permissions) for verb in verbs]


def table_plural(name: str) -> str:
    # Cosmetic (§10): DreamFactory inflects; an "s" is enough for a label.
    return name if name.endswith("s") else name + "s"


def render_relation(relation: Relation) -> dict[str, Any]:
    name = f"{relation.target}_by_{relation.field}"
    if relation.kind == "reference":
        # A Record[] field points at many records: DreamFactory has no array-column kind, so it is
        # listed as has_many through the field (embedded as an array).
        return {"name": name, "type": "has_many" if relation.many else "belongs_to", "field": relation.field,
                "ref_table": relation.target, "ref_field": "_seq"}
    return {"name": name, "type": "has_many", "field": "_id", "ref_table": relation.target,
            "ref_field": relation.field}


def render_table(cls: ClassDef, actor: Actor, relations: Sequence[Relation] = ()) -> dict[str, Any]:
    targets = {r.field: r.target for r in relations if r.kind == "reference"}
    return {
        "alias": None, "name": cls.name, "label": cls.name, "description": None, "native": [],
        "plural": table_plural(cls.name), "is_view": False, "primary_key": ["_id"], "name_field": None,
        "field": [*(render_system_field(n) for n in _SYSTEM), *(render_field(f, targets.get(f.name)) for f in cls.fields.values())],
        "related": [render_relation(r) for r in relations], "constraints": [], "access": table_access(actor, cls),
    }
