"""Domain error -> (status, QuickBlox error body): the one table of this dialect.

Bodies are `{"errors": [...]}` or `{"errors": {"field": [...]}}` (contract §1.5). Lookup walks the
exception's MRO so subclasses inherit; a few codes have their own status where QuickBlox differs.
"""

from __future__ import annotations

from typing import Any

from objectbase.core.errors import (
    ConflictError, LimitExceededError, MalformedInputError, NotFoundError, ObjectbaseError,
    PermissionDeniedError, UnauthenticatedError, UnavailableError, UnsupportedQueryError, ValidationError,
)

__all__ = ["error_body", "status_and_body"]


def error_body(messages: list[str] | dict[str, list[str]]) -> dict[str, Any]:
    return {"errors": messages}


def _list_body(error: ObjectbaseError) -> dict[str, Any]:
    return error_body([error.message])


def _base_body(error: ObjectbaseError) -> dict[str, Any]:
    return error_body({"base": [error.message]})


def _fields_body(error: ObjectbaseError) -> dict[str, Any]:
    assert isinstance(error, ValidationError)
    return error_body({name: [e.message for e in errors] for name, errors in error.field_errors.items()})


_BY_CLASS: dict[type[ObjectbaseError], tuple[int, Any]] = {
    ValidationError: (422, _fields_body),
    MalformedInputError: (400, _list_body),
    UnauthenticatedError: (401, _list_body),
    PermissionDeniedError: (403, _list_body),
    NotFoundError: (404, _list_body),
    ConflictError: (422, _base_body),
    LimitExceededError: (422, _base_body),
    UnsupportedQueryError: (422, _base_body),
    UnavailableError: (503, _list_body),
    ObjectbaseError: (400, _list_body),
}
_BY_CODE: dict[str, tuple[int, Any]] = {
    "class_not_found": (403, _list_body),   # QuickBlox answers 403 "Undefined class"
    "need_user": (422, _base_body),         # an application session tried to write
    "not_owner": (403, _base_body),
    "body_too_large": (413, _list_body),
    "upload_too_large": (413, _list_body),  # a file over --max-upload-bytes
}


def status_and_body(error: ObjectbaseError) -> tuple[int, dict[str, Any]]:
    entry = _BY_CODE.get(error.code)
    if entry is None:
        entry = next(_BY_CLASS[c] for c in type(error).__mro__ if c in _BY_CLASS)
    status, build = entry
    return status, build(error)
