"""Class files (`objectbase class apply`, DESIGN.md "A class file"): JSON -> core `ClassSpec`s.

The class file is the product's own input format, so it is read here, next to the dialects, and the
core only ever sees validated specs. Its access names are QuickBlox's (`open_for_users_ids`, …), which
class files have used from the start; they are declared here so the file format stays put if a
dialect's wire changes.
"""

from __future__ import annotations

import re
from typing import AbstractSet, Any, Mapping

from objectbase.api.common.acl_bodies import AclVocabulary, parse_permission
from objectbase.api.common.lists import comma_list
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.fields import UnknownFieldType, field_type
from objectbase.core.fields.references import DEFAULT_OPTION_COLOR, OptionDef
from objectbase.core.permissions import (
    DEFAULT_CLASS_PERMISSIONS, RECORD_ACTIONS, Access, Action, ClassPermissions, Permission,
)
from objectbase.core.schema import (
    DEFAULT_STATE_COLOR, ClassDef, ClassSpec, FieldDef, FieldSpec, OptionSpec, StateSpec, element_type,
    validate_name, validate_path, validate_states,
)

__all__ = ["CLASS_FILE_ACL", "check_field_name", "class_file", "parse_class_specs"]


CLASS_FILE_ACL = AclVocabulary(
    access_names={"open": Access.OPEN, "owner": Access.OWNER, "not_allowed": Access.NOT_ALLOWED,
                  "open_for_users_ids": Access.USERS, "open_for_groups": Access.GROUPS},
    member_keys={Access.USERS: ("ids", "users_ids"), Access.GROUPS: ("groups", "user_groups", "users_groups")},
    read_members=comma_list,
)


_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")


def _parse_color(raw: Any, key: str) -> int | None:
    """Packed ARGB: a non-negative 32-bit integer, or `#RRGGBB` (opaque) / `#AARRGGBB`."""
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 0xFFFFFFFF:
        return raw
    if isinstance(raw, str) and _COLOR.match(raw):
        digits = raw[1:]
        return int(digits, 16) | (0xFF000000 if len(digits) == 6 else 0)
    raise ValidationError.single(key, "invalid", "color must be #RRGGBB, #AARRGGBB or a packed ARGB integer")


def _parse_options(raw: Any, key: str) -> tuple[OptionSpec, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError.single(key, "invalid", "options must be a non-empty list of texts or {text, color}")
    options = []
    for item in raw:
        text, color = (item.get("text"), item.get("color")) if isinstance(item, Mapping) else (item, None)
        if not isinstance(text, str) or not text.strip() or len(text) > 255:
            raise ValidationError.single(key, "invalid", "every option needs a text of 1 to 255 characters")
        options.append(OptionSpec(text, _parse_color(color, key)))
    if len({o.text for o in options}) != len(options):
        raise ValidationError.single(key, "duplicate", "names an option more than once")
    return tuple(options)


def _parse_field(name: str, raw: Any, indexed: bool, required: bool) -> FieldSpec:
    """A type name, or for the reference types an object: `{"type": "Option", "options": [...]}`,
    `{"type": "User"}`, `{"type": "Record", "class": "Lead"}` (and their `[]` forms)."""
    key = f"fields.{name}"
    spec = raw if isinstance(raw, Mapping) else {"type": raw}
    type_ = field_type(str(spec.get("type")))
    kind = element_type(type_).name
    options = _parse_options(spec["options"], key) if kind == "Option" and "options" in spec else ()
    target = spec.get("class")
    if kind == "Record":
        target = validate_name(target, f"{key}.class")
    elif target is not None:
        raise ValidationError.single(key, "invalid", "only Record fields name a class")
    if kind != "Option" and "options" in spec:
        raise ValidationError.single(key, "invalid", "only Option fields have options")
    return FieldSpec(name, type_, indexed, required, options, target)


def check_field_name(name: Any, key: str, reserved: AbstractSet[str]) -> str:
    """A field name: letters, digits and underscores, not starting with `_`, and no reserved word."""
    validate_name(name, key)
    if name.lower() in reserved or name.startswith("_"):
        raise ValidationError.single(key, "reserved_name", "is a reserved word")
    return str(name)


def _parse_fields(raw: Any, indexes: set[str], required: set[str], reserved: AbstractSet[str]) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single("fields", "invalid", "must be an object of field name to type")
    specs = []
    errors: dict[str, list[FieldError]] = {}
    for name, type_name in raw.items():
        try:
            check_field_name(name, f"fields.{name}", reserved)
            specs.append(_parse_field(name, type_name, name in indexes, name in required))
        except UnknownFieldType as unknown:
            errors[f"fields.{name}"] = [FieldError("unknown_type", f"has an unknown type {unknown.args[0]!r}")]
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
        permission = parse_permission(raw.get(action.value), CLASS_FILE_ACL, field_name=f"permissions.{action.value}",
                                      record_level=False) or DEFAULT_CLASS_PERMISSIONS.acl[action]
        if action is Action.CREATE and permission.access is Access.OWNER:
            raise ValidationError.single("permissions.create", "invalid", "cannot be owner")
        acl[action] = permission
    switches = {}
    for action in RECORD_ACTIONS:
        value = use_class.get(action.value, False)
        if not isinstance(value, bool):
            raise ValidationError.single(f"use_class_permissions.{action.value}", "invalid", "must be true or false")
        switches[action] = value
    return ClassPermissions(acl, switches)


def _parse_states(raw: Any) -> tuple[StateSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, Mapping) for s in raw):
        raise ValidationError.single("states", "invalid", "must be a list of {name, color, transitions}")
    states = []
    for i, item in enumerate(raw):
        transitions = item.get("transitions") or []
        if not isinstance(transitions, list):
            raise ValidationError.single(f"states[{i}].transitions", "invalid", "must be a list of state names")
        states.append(StateSpec(str(item.get("name") or ""), tuple(str(t) for t in transitions),
                                _parse_color(item.get("color"), f"states[{i}].color")))
    return validate_states(states)


def _parse_class(raw: Any, reserved: AbstractSet[str]) -> ClassSpec:
    if not isinstance(raw, Mapping):
        raise ValidationError.single("class", "invalid", "must be an object with name and fields")
    name = validate_name(raw.get("name"), "name")
    indexes = raw.get("indexes") or []
    required = raw.get("required") or []
    if not isinstance(indexes, list) or not isinstance(required, list):
        raise ValidationError.single("indexes", "invalid", "indexes and required must be lists of field names")
    return ClassSpec(
        name=name,
        fields=_parse_fields(raw.get("fields") or {}, set(map(str, indexes)), set(map(str, required)), reserved),
        permissions=_parse_class_permissions(raw.get("permissions"), raw.get("use_class_permissions")),
        states=_parse_states(raw.get("states")),
        path=validate_path(raw["path"]) if "path" in raw else ...,
        disabled=_parse_disabled(raw.get("disabled")),
    )


def _parse_disabled(raw: Any) -> bool | None:
    if raw is not None and not isinstance(raw, bool):
        raise ValidationError.single("disabled", "invalid", "must be true or false")
    return raw


def parse_class_specs(raw: Any, *, reserved_names: AbstractSet[str]) -> list[ClassSpec]:
    """A class file holds one class or a list of them. `reserved_names` (lower case): the words a field
    may not be called because some dialect's grammar gives them a meaning (see `objectbase.api.field_names`)."""
    items = raw if isinstance(raw, list) else [raw]
    specs = [_parse_class(item, reserved_names) for item in items]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValidationError.single("name", "duplicate", "appears more than once in the file")
    return specs


# -- the other way: a stored class as its class file ---------------------------------------------

def _color_text(color: int) -> str:
    """`#RRGGBB` for an opaque colour, else `#AARRGGBB` (both read back by `_parse_color`)."""
    return f"#{color & 0xFFFFFF:06X}" if color >> 24 == 0xFF else f"#{color:08X}"


def _option_entry(option: OptionDef) -> Any:
    """Its text, or `{text, color}` when the colour is not the default."""
    if option.color == DEFAULT_OPTION_COLOR:
        return option.text
    return {"text": option.text, "color": _color_text(option.color)}


def _field_entry(field: FieldDef, class_names: Mapping[int, str]) -> Any:
    kind = element_type(field.type).name
    if kind == "Option" and field.options:
        return {"type": field.type.name, "options": [_option_entry(o) for o in field.options]}
    target = field.target_class_id
    if kind == "Record" and target is not None and target in class_names:
        return {"type": field.type.name, "class": class_names[target]}
    if kind in ("Option", "User", "Record"):
        return {"type": field.type.name}
    return field.type.name


def _permission_entry(permission: Permission) -> dict[str, Any]:
    entry: dict[str, Any] = {"access": CLASS_FILE_ACL.name_of(permission.access)}
    if permission.access in CLASS_FILE_ACL.member_keys:
        entry[CLASS_FILE_ACL.member_keys[permission.access][0]] = list(permission.members)
    return entry


def _state_entry(state: StateSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": state.name, "transitions": list(state.transitions)}
    if state.color is not None and state.color != DEFAULT_STATE_COLOR:
        entry["color"] = _color_text(state.color)
    return entry


def class_file(cls: ClassDef, class_names: Mapping[int, str]) -> dict[str, Any]:
    """The class file (DESIGN.md) that describes `cls`: applying it to an app without the class
    makes the same class. `class_names`: class id -> name of the app's classes (Record targets).
    Options and state colours are given only when not the default; `path` and `disabled` only when set."""
    fields = list(cls.fields.values())
    file: dict[str, Any] = {
        "name": cls.name,
        "fields": {f.name: _field_entry(f, class_names) for f in fields},
        "indexes": [f.name for f in fields if f.indexed],
        "required": [f.name for f in fields if f.required],
        "permissions": {a.value: _permission_entry(cls.permissions.acl[a]) for a in Action},
        "use_class_permissions": {a.value: bool(cls.permissions.use_class.get(a, False)) for a in RECORD_ACTIONS},
    }
    if cls.states:
        file["states"] = [_state_entry(s) for s in cls.state_specs()]
    if cls.path is not None:
        file["path"] = cls.path
    if cls.disabled:
        file["disabled"] = True
    return file
