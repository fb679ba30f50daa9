"""Reading Tracy request bodies (contract §1.3, §1.4): one of the four JSON content types, a JSON
object whose members the document's schema declares (unknown members → 400, nested objects too),
integers that fit int64, finite numbers, and no NUL characters."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from objectbase.api.common.bodies import read_body
from objectbase.api.common.state import settings
from objectbase.api.tracy.openapi import member_schemas
from objectbase.api.tracy.problems import UnsupportedMediaTypeError
from objectbase.core.errors import FieldError, MalformedInputError, ValidationError

__all__ = ["is_json_type", "read_object", "required_string"]

_INT64 = (-(2**63), 2**63 - 1)
_MAX_DEPTH = 8


class _BadNumber(ValueError):
    pass


def _parse_int(text: str) -> int:
    value = int(text)
    if not _INT64[0] <= value <= _INT64[1]:
        raise _BadNumber(f"the integer {text[:30]} does not fit in 64 bits")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _BadNumber(f"the number {text[:30]} is too large")
    return value


def _no_constants(text: str) -> Any:
    raise _BadNumber(f"{text} is not a JSON number")


def is_json_type(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    main, _, sub = media.partition("/")
    return media in ("application/json", "text/json") or (main == "application" and sub.endswith("+json"))


def _invalid(path: str, message: str) -> ValidationError:
    return ValidationError({path: [FieldError("invalid", message)]}, f"The member {path} is not valid")


def _check(value: Any, schema: str | None, path: str, depth: int) -> None:
    """Recursively: no NUL in any string, and objects carry only their schema's members."""
    if depth > _MAX_DEPTH:
        raise _invalid(path, "The value is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value:
            raise _invalid(path, "The value contains a NUL character.")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, schema, f"{path}[{index}]", depth + 1)
    elif isinstance(value, dict):
        members = member_schemas(schema) if schema else None
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if "\x00" in key:
                raise _invalid(where, "The member name contains a NUL character.")
            if members is not None and key not in members:
                raise ValidationError({where: [FieldError("unknown_member", "The member is not known.")]},
                                      f"The member {where} is not part of {schema}")
            _check(item, members.get(key) if members else None, where, depth + 1)


async def read_object(request: Request, schema: str) -> dict[str, Any]:
    """The body as a JSON object of the document's schema `schema`."""
    if not is_json_type(request.headers.get("content-type", "")):
        raise UnsupportedMediaTypeError()
    body = await read_body(request, settings(request).max_body_bytes)
    try:
        data = json.loads(body.decode("utf-8"), parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=_no_constants)
    except _BadNumber as error:
        raise ValidationError({"$": [FieldError("invalid_number", f"{str(error).capitalize()}.")]},
                              "The request body holds a number out of range") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedInputError("The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise MalformedInputError("The request body must be a JSON object")
    _check(data, schema, "", 0)
    return data


def required_string(body: dict[str, Any], member: str, path: str | None = None) -> str:
    """A member that must be a non-empty string; `path` names it in the error (default: `member`)."""
    value = body.get(member)
    if not isinstance(value, str) or not value:
        where = path or member
        raise ValidationError({where: [FieldError("required", "A non-empty string is required.")]},
                              f"The member {where} is required")
    return value
