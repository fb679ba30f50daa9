"""Classes as data: `ClassDef`/`FieldDef`, and the parsing of class files (`objectbase class apply`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.fields import FieldType, UnknownFieldType, field_type
from objectbase.core.permissions import (
    DEFAULT_CLASS_PERMISSIONS,
    Action,
    ClassPermissions,
    Permission,
    parse_permission,
)

__all__ = [
    "ClassDef", "ClassSpec", "FieldDef", "FieldSpec", "RESERVED_NAMES", "SYSTEM_FIELD_TYPES", "SYSTEM_FIELDS", "StateSpec",
    "parse_class_specs", "validate_name",
]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# System columns every record has, with the type they are filtered and sorted by, like fields.
SYSTEM_FIELD_TYPES: Mapping[str, FieldType] = {
    "_id": field_type("String"), "_parent_id": field_type("String"), "user_id": field_type("Integer"),
    "created_at": field_type("Integer"), "updated_at": field_type("Integer"),
}
SYSTEM_FIELDS = tuple(SYSTEM_FIELD_TYPES)
# Words the QuickBlox grammar gives a meaning to; a field so named could not be queried or updated.
RESERVED_NAMES = frozenset({
    "inc", "pull", "pull_all", "pop", "push", "add_to_set", "permissions", "search_criteria", "record",
    "skip", "limit", "sort_asc", "sort_desc", "count", "output", "group_by", "near", "token", "id",
    "class_name", "field_name",
})


def validate_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError.single(
            what, "invalid_name",
            "must start with a letter and hold only letters, digits and underscores (at most 64)",
        )
    return name


@dataclass(frozen=True)
class FieldDef:
    id: int
    name: str
    type: FieldType
    indexed: bool = False
    required: bool = False


@dataclass(frozen=True)
class StateSpec:
    name: str
    transitions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassDef:
    id: int
    app_id: int
    name: str
    fields: Mapping[str, FieldDef]
    permissions: ClassPermissions = DEFAULT_CLASS_PERMISSIONS
    states: tuple[StateSpec, ...] = ()
    # Bumped on every change of the class, so storage can cache what it derives from it.
    version: int = 1

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    indexed: bool
    required: bool


@dataclass(frozen=True)
class ClassSpec:
    """A class as a class file describes it, validated, before it has ids."""

    name: str
    fields: tuple[FieldSpec, ...]
    permissions: ClassPermissions
    states: tuple[StateSpec, ...] = field(default=())


def _parse_fields(raw: Any, indexes: set[str], required: set[str]) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single("fields", "invalid", "must be an object of field name to type")
    specs = []
    errors: dict[str, list[FieldError]] = {}
    for name, type_name in raw.items():
        try:
            validate_name(name, f"fields.{name}")
            if name.lower() in RESERVED_NAMES or name.startswith("_"):
                raise ValidationError.single(f"fields.{name}", "reserved_name", "is a reserved word")
            specs.append(FieldSpec(name, field_type(str(type_name)), name in indexes, name in required))
        except UnknownFieldType:
            errors[f"fields.{name}"] = [FieldError("unknown_type", f"has an unknown type {type_name!r}")]
        except ValidationError as error:
            errors.update(error.field_errors)
    lowered = [s.name.lower() for s in specs]
    for spec in specs:
        # Column names are generated, but two fields differing only in case would confuse every client.
        if lowered.count(spec.name.lower()) > 1:
            errors[f"fields.{spec.name}"] = [FieldError("duplicate", "differs from another field only in case")]
    for name in (indexes | required) - {s.name for s in specs}:
        errors[name] = [FieldError("unknown_field", "names a field the class does not have")]
    if errors:
        raise ValidationError(errors)
    return tuple(specs)


def _parse_class_permissions(raw: Any, use_class: Any) -> ClassPermissions:
    raw = raw or {}
    use_class = use_class or {}
    if not isinstance(raw, Mapping) or not isinstance(use_class, Mapping):
        raise ValidationError.single("permissions", "invalid", "must be an object")
    acl: dict[Action, Permission] = {}
    for action in Action:
        permission = parse_permission(raw.get(action.value), field_name=f"permissions.{action.value}",
                                      record_level=False, default=DEFAULT_CLASS_PERMISSIONS.acl[action])
        if action is Action.CREATE and permission.access.value == "owner":
            raise ValidationError.single("permissions.create", "invalid", "cannot be owner")
        acl[action] = permission
    switches = {}
    for action in (Action.READ, Action.UPDATE, Action.DELETE):
        value = use_class.get(action.value, False)
        if not isinstance(value, bool):
            raise ValidationError.single(f"use_class_permissions.{action.value}", "invalid", "must be true or false")
        switches[action] = value
    return ClassPermissions(acl, switches)


def _parse_states(raw: Any) -> tuple[StateSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, Mapping) for s in raw):
        raise ValidationError.single("states", "invalid", "must be a list of {name, transitions}")
    states = tuple(StateSpec(str(s.get("name", "")), tuple(str(t) for t in s.get("transitions", []) or []))
                   for s in raw)
    names = [s.name for s in states]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ValidationError.single("states", "invalid", "every state needs a unique name")
    for state in states:
        if unknown := set(state.transitions) - set(names):
            raise ValidationError.single("states", "invalid", f"{state.name} moves to unknown states {sorted(unknown)}")
    return states


def _parse_class(raw: Any) -> ClassSpec:
    if not isinstance(raw, Mapping):
        raise ValidationError.single("class", "invalid", "must be an object with name and fields")
    name = validate_name(raw.get("name"), "name")
    indexes = raw.get("indexes") or []
    required = raw.get("required") or []
    if not isinstance(indexes, list) or not isinstance(required, list):
        raise ValidationError.single("indexes", "invalid", "indexes and required must be lists of field names")
    return ClassSpec(
        name=name,
        fields=_parse_fields(raw.get("fields") or {}, set(map(str, indexes)), set(map(str, required))),
        permissions=_parse_class_permissions(raw.get("permissions"), raw.get("use_class_permissions")),
        states=_parse_states(raw.get("states")),
    )


def parse_class_specs(raw: Any) -> list[ClassSpec]:
    """A class file holds one class or a list of them."""
    items = raw if isinstance(raw, list) else [raw]
    specs = [_parse_class(item) for item in items]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValidationError.single("name", "duplicate", "appears more than once in the file")
    return specs
