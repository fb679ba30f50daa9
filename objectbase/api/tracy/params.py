"""Query parameters of the Tracy dialect: integers and `include` lists (contract §8)."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.api.common.lists import comma_list
from objectbase.core.errors import FieldError, ValidationError

__all__ = ["flag_param", "include_of", "int_param", "path_id"]

_INT32_MAX = 2**31 - 1


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError({name: [FieldError("invalid", message)]}, f"The parameter {name} is not valid")


def _integer(name: str, text: str) -> int:
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 20:
        raise _bad(name, "The value must be an integer.")
    value = int(text)
    if abs(value) > _INT32_MAX:
        raise _bad(name, "The value is out of range.")
    return value


def int_param(request: Request, name: str) -> int | None:
    text = request.query_params.get(name)
    return None if text is None else _integer(name, text)


def flag_param(request: Request, name: str) -> bool:
    """`true` or `false` (absent: false)."""
    text = request.query_params.get(name, "false").lower()
    if text not in ("true", "false"):
        raise _bad(name, "The value must be true or false.")
    return text == "true"


def path_id(request: Request) -> int:
    return _integer("id", str(request.path_params["id"]))


def include_of(request: Request, allowed: frozenset[str], default: frozenset[str]) -> frozenset[str]:
    text = request.query_params.get("include")
    if text is None:
        return default
    paths = frozenset(comma_list(text) or ())
    unknown = sorted(paths - allowed)
    if unknown:
        raise _bad("include", f"Unknown member paths: {', '.join(unknown)}.")
    return paths
