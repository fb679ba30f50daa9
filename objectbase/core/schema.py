"""Classes as data: `ClassDef`/`FieldDef`, and `ClassSpec`, a class to apply before it has ids."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any, Mapping, Sequence

from objectbase.core.errors import ValidationError
from objectbase.core.fields import FieldType, field_type
from objectbase.core.fields.arrays import ArrayType
from objectbase.core.fields.references import OptionDef, OptionType, RecordType
from objectbase.core.permissions import DEFAULT_CLASS_PERMISSIONS, ClassPermissions

__all__ = ["ClassDef", "ClassSpec", "DEFAULT_STATE_COLOR", "FieldDef", "FieldSpec", "OptionDef", "OptionSpec",
           "SYSTEM_FIELDS", "SYSTEM_FIELD_TYPES", "StateDef", "StateSpec", "element_type", "validate_name",
           "validate_parameters", "validate_path", "validate_states"]

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
    # The field whose value is a record's display title (at most one per class).
    title: bool = False
    # Display parameters: a JSON object as text (e.g. `{"scale": 2}`), stored as given; None = none.
    parameters: str | None = None

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


# A state's colour when none is given: packed ARGB 0xAARRGGBB (opaque grey).
DEFAULT_STATE_COLOR = 0xFF9E9E9E


@dataclass(frozen=True)
class StateSpec:
    name: str
    transitions: tuple[str, ...] = ()
    # None: keep the state's colour (DEFAULT_STATE_COLOR for a new one).
    color: int | None = None


def validate_states(states: Sequence[StateSpec]) -> tuple[StateSpec, ...]:
    """Unique, non-blank names of at most 64 characters; transitions only to states of the list."""
    names = [s.name for s in states]
    if any(not n.strip() or len(n) > 64 or not n.isprintable() for n in names) or len(set(names)) != len(names):
        raise ValidationError.single("states", "invalid", "every state needs a unique name of 1 to 64 characters")
    for state in states:
        if unknown := set(state.transitions) - set(names):
            raise ValidationError.single("states", "invalid", f"{state.name} moves to unknown states {sorted(unknown)}")
        if state.color is not None and not 0 <= state.color <= 0xFFFFFFFF:
            raise ValidationError.single("states", "invalid", f"{state.name} has a colour outside 0 to 4294967295")
    return tuple(states)


@dataclass(frozen=True)
class StateDef:
    """A workflow state of a class. `transitions`: the ids of the states a record may move to from
    this one; empty means any other state of the class."""

    id: int
    name: str
    color: int = DEFAULT_STATE_COLOR
    position: int = 0
    transitions: tuple[int, ...] = ()


@dataclass(frozen=True)
class ClassDef:
    id: int
    app_id: int
    name: str
    fields: Mapping[str, FieldDef]
    permissions: ClassPermissions = DEFAULT_CLASS_PERMISSIONS
    # Ordered by position: a new record starts in the first.
    states: tuple[StateDef, ...] = ()
    # Bumped on every change of the class, so storage can cache what it derives from it.
    version: int = 1
    # The app's catalogue: 0-based order among its classes, folder path ("Sales/Leads"; None = top
    # level), and whether the class is disabled (kept and readable, but no new records).
    position: int = 0
    path: str | None = None
    disabled: bool = False

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name)

    def state(self, state_id: int) -> StateDef | None:
        return next((s for s in self.states if s.id == state_id), None)

    def state_specs(self) -> tuple[StateSpec, ...]:
        """The states as a class file would give them (transitions by name)."""
        names = {s.id: s.name for s in self.states}
        return tuple(StateSpec(s.name, tuple(names[t] for t in s.transitions if t in names), s.color)
                     for s in self.states)


MAX_PATH = 255
MAX_PARAMETERS = 10_000


def validate_path(path: Any) -> str | None:
    """None (top level) or folder names joined by `/`, each non-blank, at most 255 characters in all."""
    if path is None:
        return None
    if (not isinstance(path, str) or not 0 < len(path) <= MAX_PATH or not path.isprintable()
            or any(not part.strip() for part in path.split("/"))):
        raise ValidationError.single("path", "invalid",
                                     "a path is folder names joined by /, none blank, at most 255 characters")
    return path


def validate_parameters(parameters: Any) -> str | None:
    """None or a JSON object as text, kept as given (at most 10,000 characters)."""
    if parameters is None:
        return None
    try:
        ok = isinstance(parameters, str) and len(parameters) <= MAX_PARAMETERS and isinstance(
            json.loads(parameters), dict)
    except (ValueError, RecursionError):
        ok = False
    if not ok:
        raise ValidationError.single("parameters", "invalid",
                                     "parameters are a JSON object as text, at most 10000 characters")
    return str(parameters)


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
    # The catalogue folder (None: top level) and disabled flag; `...` / None: keep (a new class:
    # top level, enabled), so a file that does not mention them changes neither.
    path: str | None | EllipsisType = ...
    disabled: bool | None = None
