"""Update operators: plain set, `inc`, `push`, `add_to_set`, `pull` (by value or by a filter),
`pull_all`, `pop`, set-by-index. Dialects parse their syntax into `FieldChange`s; the core casts
the values by field type and applies them to locked rows inside the writing transaction."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping

from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.fields import CastError
from objectbase.core.fields.arrays import ArrayType
from objectbase.core.schema import ClassDef, FieldDef

__all__ = ["MAX_ELEMENT_INDEX", "FieldChange", "UpdateOp", "apply_changes", "cast_changes"]

# The highest position set-by-index may name.
MAX_ELEMENT_INDEX = 9_999
UpdateOp = Literal["set", "inc", "push", "add_to_set", "pull", "pull_where", "pull_all", "pop", "set_index"]
_NUMERIC = ("Integer", "Float")
_PULL_FILTERS: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge, "ne": operator.ne,
    "eq": operator.eq,
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    op: UpdateOp
    value: Any = None
    # set_index: the element's position; pull_where: the comparison operator ("lt", "in", …).
    argument: Any = None


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [FieldError("invalid", f"{field} {message}")]})


def _cast_element(field: FieldDef, value: Any) -> Any:
    assert isinstance(field.type, ArrayType)
    try:
        return field.type.cast_element(value)
    except CastError as error:
        raise _error(field.name, str(error)) from None


def _cast_elements(field: FieldDef, value: Any) -> list[Any]:
    assert isinstance(field.type, ArrayType)
    try:
        return list(field.type.cast(value) or [])
    except CastError as error:
        raise _error(field.name, str(error)) from None


def _cast_one(field: FieldDef, change: FieldChange) -> FieldChange:
    type_ = field.type
    op = change.op
    if op == "set":
        try:
            return FieldChange(field.name, op, type_.cast(change.value))
        except CastError as error:
            raise _error(field.name, str(error)) from None
    if op == "inc":
        if type_.name not in _NUMERIC:
            raise _error(field.name, "can only be incremented if it is an Integer or Float")
        try:
            return FieldChange(field.name, op, type_.cast_value(change.value))
        except CastError as error:
            raise _error(field.name, str(error)) from None
    if not type_.is_array:
        raise _error(field.name, f"is not an array; {op} applies to arrays only")
    if op in ("push", "add_to_set", "pull_all"):
        return FieldChange(field.name, op, _cast_elements(field, change.value))
    if op == "pull":
        return FieldChange(field.name, op, _cast_element(field, change.value))
    if op == "pull_where":
        if change.argument == "in" or change.argument == "nin":
            return FieldChange(field.name, op, _cast_elements(field, change.value), change.argument)
        if change.argument not in _PULL_FILTERS:
            raise _error(field.name, f"cannot be pulled with {change.argument!r}")
        return FieldChange(field.name, op, _cast_element(field, change.value), change.argument)
    if op == "pop":
        if str(change.value).strip() not in ("1", "-1"):
            raise _error(field.name, "pop takes 1 (last element) or -1 (first element)")
        return FieldChange(field.name, op, int(str(change.value).strip()))
    if op == "set_index":
        index = str(change.argument)
        if not (index.isascii() and index.isdigit()):
            raise _error(field.name, "element index must be a non-negative integer")
        if int(index) > MAX_ELEMENT_INDEX:  # setting past the end pads with nulls: keep that bounded
            raise _error(field.name, f"element index must be at most {MAX_ELEMENT_INDEX}")
        return FieldChange(field.name, op, _cast_element(field, change.value), int(index))
    raise _error(field.name, f"has an unknown update operator {op!r}")


def cast_changes(cls: ClassDef, changes: list[FieldChange]) -> list[FieldChange]:
    """Cast every value by its field's type; unknown and read-only fields are ignored, like on create."""
    cast: list[FieldChange] = []
    errors: dict[str, list[FieldError]] = {}
    for change in changes:
        field = cls.fields.get(change.field)
        if field is None or field.type.read_only:
            continue
        try:
            cast.append(_cast_one(field, change))
        except ValidationError as error:
            errors.update(error.field_errors)
    if errors:
        raise ValidationError(errors)
    return cast


def _pull_matches(change: FieldChange, element: Any) -> bool:
    if change.argument == "in":
        return bool(element in change.value)
    if change.argument == "nin":
        return bool(element not in change.value)
    try:
        return bool(_PULL_FILTERS[change.argument](element, change.value))
    except TypeError:
        return False


def _apply_one(current: Any, change: FieldChange) -> Any:
    op = change.op
    if op == "set":
        return change.value
    if op == "inc":
        return (current or 0) + change.value
    items = list(current or [])
    if op == "push":
        return items + change.value
    if op == "add_to_set":
        for value in change.value:
            if value not in items:
                items.append(value)
        return items
    if op == "pull":
        return [i for i in items if i != change.value]
    if op == "pull_where":
        return [i for i in items if not _pull_matches(change, i)]
    if op == "pull_all":
        return [i for i in items if i not in change.value]
    if op == "pop":
        return items[:-1] if change.value == 1 else items[1:]
    if op == "set_index":
        index: int = change.argument
        if index >= len(items):
            # Like MongoDB: setting past the end pads with nulls.
            items.extend([None] * (index + 1 - len(items)))
        items[index] = change.value
        return items
    raise AssertionError(op)


def apply_changes(values: Mapping[str, Any], changes: list[FieldChange]) -> dict[str, Any]:
    """New field values after applying the (already cast) changes in order."""
    updated = dict(values)
    for change in changes:
        updated[change.field] = _apply_one(updated.get(change.field), change)
    return updated
