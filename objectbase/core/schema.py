"""Classes as data: `ClassDef`/`FieldDef`, and `ClassSpec`, a class to apply before it has ids."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from objectbase.core.errors import ValidationError
from objectbase.core.fields import FieldType, field_type
from objectbase.core.fields.arrays import ArrayType
from objectbase.core.fields.references import OptionDef, OptionType, RecordType
from objectbase.core.permissions import DEFAULT_CLASS_PERMISSIONS, ClassPermissions

__all__ = ["ClassDef", "ClassSpec", "FieldDef", "FieldSpec", "OptionDef", "OptionSpec", "SYSTEM_FIELDS",
           "SYSTEM_FIELD_TYPES", "StateSpec", "element_type", "validate_name"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# System columns every record has, with the type they are filtered and sorted by, like fields.
SYSTEM_FIELD_TYPES: Mapping[str, FieldType] = {
    "_id": field_type("String"), "_parent_id": field_type("String"), "user_id": field_type("Integer"),
    "created_at": field_type("Integer"), "updated_at": field_type("Integer"),
}
SYSTEM_FIELDS = tuple(SYSTEM_FIELD_TYPES)


def validate_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError.single(
            what, "invalid_name",
            "must start with a letter and hold only letters, digits and underscores (at most 64)",
        )
    return name


def element_type(type_: FieldType) -> FieldType:
    """The type of one value: the element type of an array, else the type itself."""
    return type_.element if isinstance(type_, ArrayType) else type_


@dataclass(frozen=True)
class FieldDef:
    id: int
    name: str
    # Option and Record types carry the field's options and target class (storage binds them).
    type: FieldType
    indexed: bool = False
    required: bool = False

    @property
    def options(self) -> tuple[OptionDef, ...]:
        """An Option or Option[] field's options, in their order; () for other types."""
        element = element_type(self.type)
        return element.options if isinstance(element, OptionType) else ()

    @property
    def target_class_id(self) -> int | None:
        """The class a Record or Record[] field's records belong to; None for other types."""
        element = element_type(self.type)
        return element.target_class_id if isinstance(element, RecordType) else None


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
class OptionSpec:
    """An option as a class file gives it; `color` None keeps an existing option's colour (or the default)."""

    text: str
    color: int | None = None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    indexed: bool
    required: bool
    # Option types: options to have (added if missing; an option left out is kept, never dropped).
    options: tuple[OptionSpec, ...] = ()
    # Record types: the target class, by name (stored by id, so a rename would not break it).
    target: str | None = None


@dataclass(frozen=True)
class ClassSpec:
    """A class as a class file describes it, validated, before it has ids."""

    name: str
    fields: tuple[FieldSpec, ...]
    permissions: ClassPermissions
    states: tuple[StateSpec, ...] = field(default=())
