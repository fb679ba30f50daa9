"""The record form: one typed input per field (what `records/fields.html` draws), and the record's
permissions form. Pure functions of the class, the values and the choices the page loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from starlette.datastructures import FormData

from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.permissions import RECORD_ACTIONS, Access, Action, Permission, RecordPermissions
from objectbase.core.schema import ClassDef, FieldDef
from objectbase.web.records.values import Raw, empty_raw, input_kind, is_multiple

__all__ = ["ACCESS_CHOICES", "AclInput", "FormField", "Pickers", "acl_inputs", "form_fields", "read_acl"]

Choices = tuple[tuple[str, str], ...]

_HELP = {
    "integer": "A whole number.",
    "float": "A number, e.g. 0.12.",
    "date": "Date and time, in UTC.",
    "location": "Longitude (-180 to 180) and latitude (-90 to 90), in degrees.",
    "checkbox": "",
    "text": "",
}


@dataclass(frozen=True)
class Pickers:
    """What the reference inputs offer: the app's users and each Record field's target records, as
    (value, text) pairs; None where there are too many to list (the input then takes an id)."""

    users: Choices | None = ()
    user_total: int = 0
    # By Record field name: the target class's name and its records.
    targets: Mapping[str, str] = field(default_factory=dict)
    records: Mapping[str, Choices | None] = field(default_factory=dict)


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str
    type_name: str
    required: bool
    raw: Raw
    # Several values (a multiple select) or one.
    many: bool = False
    # For choice, user and record inputs: the (value, text) pairs; None: too many, an id input.
    choices: Choices | None = None
    # The stored file model of a File field.
    file: Mapping[str, Any] | None = None
    help: str = ""

    @property
    def is_image(self) -> bool:
        return bool(self.file) and str(self.file.get("content_type", "")).startswith("image/")  # type: ignore[union-attr]


def _list_help(field_def: FieldDef) -> str:
    element = field_def.type.name[:-2]
    example = {"Integer": "1, 2, 3", "Float": "0.5, 1.25", "Boolean": "true, false"}.get(element, "red, green")
    return f"Several values, comma-separated, e.g. {example} (a value cannot contain a comma)."


def _field(field_def: FieldDef, raw: Raw, values: Mapping[str, Any], pickers: Pickers) -> FormField:
    kind = input_kind(field_def)
    many = is_multiple(field_def)
    choose_several = " Hold Ctrl (⌘ on a Mac) to choose several." if many else ""
    choices: Choices | None = None
    help_text = _HELP.get(kind, "")
    if kind == "list":
        help_text = _list_help(field_def)
    elif kind == "choice":
        choices = tuple((str(o.id), o.text) for o in field_def.options)
        help_text = choose_several.strip()
    elif kind == "user":
        choices = pickers.users
        help_text = (f"User ids, comma-separated: the app has {pickers.user_total} users (see Users)." if many
                     else f"A user id: the app has {pickers.user_total} users (see Users).") \
            if choices is None else choose_several.strip()
    elif kind == "record":
        choices = pickers.records.get(field_def.name)
        target = pickers.targets.get(field_def.name, "the target class")
        help_text = f"Record numbers (#) of {target}, comma-separated." if choices is None and many else \
            f"The record number (#) of a {target} record." if choices is None else \
            f"A {target} record.{choose_several}"
    elif kind == "file":
        help_text = "Choose a file to upload" + (" (it replaces the current one)." if values.get(field_def.name)
                                                else ".")
    if choices is None and many and isinstance(raw, tuple):
        raw = ", ".join(raw)  # too many to list: one comma-separated text input
    return FormField(field_def.name, kind, field_def.type.name, field_def.required, raw, many and choices is not None,
                     choices, values.get(field_def.name) if kind == "file" else None, help_text)


def form_fields(cls: ClassDef, raw: Mapping[str, Raw], pickers: Pickers,
                values: Mapping[str, Any] | None = None) -> list[FormField]:
    """The inputs of the record form, in the class's field order; `values`: the stored record's (files)."""
    return [_field(f, raw.get(f.name, empty_raw(f)), values or {}, pickers) for f in cls.fields.values()]


# -- permissions ---------------------------------------------------------------------------------
ACCESS_CHOICES: tuple[tuple[str, str], ...] = (
    (Access.OPEN.value, "Anyone in the app"), (Access.OWNER.value, "Only the owner"),
    (Access.USERS.value, "The users listed (ids)"), (Access.GROUPS.value, "Users with a tag listed (groups)"),
)


@dataclass(frozen=True)
class AclInput:
    action: str
    access: str
    members: str

    @property
    def name(self) -> str:
        return f"permissions.{self.action}"


def record_actions(cls: ClassDef) -> list[Action]:
    """The actions a record's own ACL decides (the others follow the class: use_class_permissions)."""
    return [a for a in RECORD_ACTIONS if cls.permissions.applies_to_records(a)]


def acl_inputs(cls: ClassDef, acl: RecordPermissions, form: FormData | None = None) -> list[AclInput]:
    """The permission inputs, from the record's ACL or, after an error, as the form sent them."""
    inputs = []
    for action in record_actions(cls):
        permission = acl[action]
        access, members = permission.access.value, ", ".join(permission.members)
        if form is not None:
            access = str(form.get(f"permissions.{action.value}", access))
            members = str(form.get(f"permissions.{action.value}.members", ""))
        inputs.append(AclInput(action.value, access, members))
    return inputs


def read_acl(cls: ClassDef, form: FormData) -> dict[Action, Permission]:
    """The permissions form as the core takes it; the core checks members (user ids, tags)."""
    sent: dict[Action, Permission] = {}
    errors: dict[str, list[FieldError]] = {}
    allowed = {value for value, _text in ACCESS_CHOICES}
    for action in record_actions(cls):
        name = f"permissions.{action.value}"
        access = str(form.get(name, ""))
        if access not in allowed:
            errors[name] = [FieldError("invalid", f"choose who may {action.value} the record")]
            continue
        members = tuple(m.strip() for m in str(form.get(f"{name}.members", "")).split(",") if m.strip())
        if access in (Access.USERS.value, Access.GROUPS.value) and not members:
            errors[f"{name}.members"] = [FieldError("blank", "list at least one " +
                                                    ("user id" if access == Access.USERS.value else "tag"))]
            continue
        sent[action] = Permission(Access(access), members if access in (Access.USERS.value, Access.GROUPS.value)
                                  else ())
    if errors:
        raise ValidationError(errors)
    return sent
