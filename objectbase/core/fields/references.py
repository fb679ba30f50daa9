"""Reference types: Option (a choice among the field's options), User (a user of the app) and Record
(a record of one class of the app), each stored as the integer id of what it names.

Casting here checks the form and, for Option, that the field has the option (its options travel with
the type). Whether a user or record exists, and may be read, needs the database: core/references.py
checks that on every write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from objectbase.core.fields.base import CastError, FieldType
from objectbase.core.fields.integer import IntegerType

__all__ = ["DEFAULT_OPTION_COLOR", "OptionDef", "OptionType", "RecordType", "UserType", "cast_id"]

# Packed ARGB (opaque grey), the colour of an option given without one.
DEFAULT_OPTION_COLOR = 0xFF9E9E9E
# A string of digits names an option by id; any other string, by its text.
_ID = re.compile(r"^\s*\d+\s*$")
_INTEGER = IntegerType()


def cast_id(value: Any, what: str) -> int:
    """A positive integer id, from an int or a numeric string."""
    try:
        number = _INTEGER.cast_value(value)
    except CastError:
        raise CastError(f"is not {what}") from None
    if number <= 0:
        raise CastError(f"is not {what}")
    return number


@dataclass(frozen=True)
class OptionDef:
    """One option of an Option field; `id` comes from the database and never changes."""

    id: int
    text: str
    color: int = DEFAULT_OPTION_COLOR
    position: int = 0


@dataclass(frozen=True)
class OptionType(FieldType):
    """An option id. Input may name the option by id or by its exact text."""

    options: tuple[OptionDef, ...] = ()
    name: ClassVar[str] = "Option"
    storage: ClassVar[str] = "integer"
    orderable: ClassVar[bool] = False

    def cast_value(self, value: Any) -> int:
        if isinstance(value, str) and not _ID.match(value):
            for option in self.options:
                if option.text == value:
                    return option.id
            raise CastError(f"has no option {value!r}")
        option_id = cast_id(value, "an option id or text")
        if all(option.id != option_id for option in self.options):
            raise CastError(f"has no option {option_id}")
        return option_id


@dataclass(frozen=True)
class UserType(FieldType):
    """A user id of the same app."""

    name: ClassVar[str] = "User"
    storage: ClassVar[str] = "integer"
    orderable: ClassVar[bool] = False

    def cast_value(self, value: Any) -> int:
        return cast_id(value, "a user id")


@dataclass(frozen=True)
class RecordType(FieldType):
    """A record of the target class, by its `_seq`: an integer that never changes and is never reused
    (one sequence across every class), which integer-addressed dialects such as Tracy use as the id."""

    target_class_id: int | None = None
    name: ClassVar[str] = "Record"
    storage: ClassVar[str] = "integer"
    orderable: ClassVar[bool] = False

    def cast_value(self, value: Any) -> int:
        return cast_id(value, "a record id")
