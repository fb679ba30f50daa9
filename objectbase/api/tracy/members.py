"""Members of Tracy request bodies, read by the type the seed's schema gives them (contract §1.4,
§10): references `{"id": n}`, int32 positions, booleans, texts and packed ARGB colours.

`bodies.read_object` has already refused unknown members, NUL characters and numbers out of int64.
A member sent as `null` counts as not sent, except where `null` says something (`Dataset.path`,
`Property.parameters`); those callers read the member themselves."""

from __future__ import annotations

from typing import Any

from objectbase.core.errors import FieldError, ValidationError

__all__ = ["INT32_MAX", "boolean", "color", "invalid", "position", "reference_id", "text"]

INT32_MAX = 2**31 - 1
_COLOR_MAX = 2**32 - 1


def invalid(path: str, message: str, code: str = "invalid") -> ValidationError:
    sentence = message[0].lower() + message[1:].rstrip(".")
    return ValidationError({path: [FieldError(code, message)]}, f"The member {path} is not valid: {sentence}")


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def reference_id(body: dict[str, Any], member: str, *, required: bool = False, path: str | None = None,
                 bits: int = 32) -> int | None:
    """The `id` of a reference member (`"dataset": {"id": 3}`); its other members are ignored.
    `path`: the member's JSON path in the request, for errors (default: `member`); `bits`: the
    id's width in the seed's schema (records, datums and events have 64-bit ids)."""
    where = path or member
    value = body.get(member)
    if value is None:
        if required:
            raise invalid(where, "The reference is required.", "required")
        return None
    if not isinstance(value, dict) or "id" not in value:
        raise invalid(where, "A reference is an object with an id.")
    ident = value["id"]
    if not _is_integer(ident) or abs(ident) >= 2 ** (bits - 1):
        raise invalid(f"{where}.id", f"The id must be a {bits}-bit integer.")
    return int(ident)


def position(body: dict[str, Any], member: str = "position") -> int | None:
    """A 0-based display position; past the end means last."""
    value = body.get(member)
    if value is None:
        return None
    if not _is_integer(value) or not 0 <= value <= INT32_MAX:
        raise invalid(member, "The position must be an integer from 0 to 2147483647.")
    return int(value)


def boolean(body: dict[str, Any], member: str) -> bool | None:
    value = body.get(member)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid(member, "The value must be true or false.")
    return value


def text(body: dict[str, Any], member: str) -> str | None:
    """(A required text: `bodies.required_string`.)"""
    value = body.get(member)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(member, "The value must be a string.")
    return value


def color(body: dict[str, Any], member: str = "color") -> int | None:
    """Packed ARGB `0xAARRGGBB`, a non-negative 32-bit integer (contract §3.3)."""
    value = body.get(member)
    if value is None:
        return None
    if not _is_integer(value) or not 0 <= value <= _COLOR_MAX:
        raise invalid(member, "The color must be a packed ARGB integer from 0 to 4294967295.")
    return int(value)
