"""Domain error -> (status, QuickBlox error body): the one table of this dialect.

Bodies are `{"errors": [...]}` or `{"errors": {"field": [...]}}` (contract §1.5). The core's errors
carry stable codes and neutral messages; this table gives each code QuickBlox's status and wording
(which the tests pin). Lookup is by code first, then along the exception's MRO so subclasses inherit.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from objectbase.core.errors import (
    ConflictError, LimitExceededError, MalformedInputError, NotFoundError, ObjectbaseError, PermissionDeniedError,
    RateLimitedError, UnauthenticatedError, UnavailableError, UnsupportedQueryError, ValidationError,
)

__all__ = ["error_body", "status_and_body", "wire_field_names"]

Body = dict[str, Any]


def error_body(messages: list[str] | dict[str, list[str]]) -> Body:
    return {"errors": messages}


def _list_body(error: ObjectbaseError, message: str) -> Body:
    return error_body([message])


def _base_body(error: ObjectbaseError, message: str) -> Body:
    return error_body({"base": [message]})


def _fields_body(error: ObjectbaseError, message: str) -> Body:
    assert isinstance(error, ValidationError)
    return error_body({name: [e.message for e in errors] for name, errors in error.field_errors.items()})


def _acting_user_body(error: ObjectbaseError, message: str) -> Body:
    assert isinstance(error, ValidationError)
    return _fields_body(error.with_field_names({"on_behalf_of": "On-Behalf-Of"}), message)


@dataclass(frozen=True)
class _Rule:
    status: int
    build: Callable[[ObjectbaseError, str], Body]
    # QuickBlox's own words for this code; None renders the core's message.
    wording: str | None = None


_BY_CLASS: dict[type[ObjectbaseError], _Rule] = {
    ValidationError: _Rule(422, _fields_body),
    MalformedInputError: _Rule(400, _list_body),
    UnauthenticatedError: _Rule(401, _list_body),
    PermissionDeniedError: _Rule(403, _list_body),
    NotFoundError: _Rule(404, _list_body),
    ConflictError: _Rule(422, _base_body),
    LimitExceededError: _Rule(422, _base_body),
    UnsupportedQueryError: _Rule(422, _base_body),
    UnavailableError: _Rule(503, _list_body),
    RateLimitedError: _Rule(429, _list_body),
    ObjectbaseError: _Rule(400, _list_body),
}
_UNAUTHORIZED = _Rule(401, _list_body, "Unauthorized")
_BY_CODE: dict[str, _Rule] = {
    "class_not_found": _Rule(403, _list_body, "Undefined class"),   # QuickBlox answers 403 here
    "need_user": _Rule(422, _base_body, "Forbidden. Need user."),   # an application session tried to write
    "not_owner": _Rule(403, _base_body, "You are not owner of this object"),
    "permission_denied": _Rule(403, _list_body, "You don't have appropriate permissions to do this operation"),
    "file_access_denied": _Rule(403, _list_body, "Wrong permission"),  # QuickBlox's wording on record files
    "session_missing": _Rule(401, _list_body, "Required session does not exist"),
    "unauthenticated": _UNAUTHORIZED,
    "invalid_credentials": _UNAUTHORIZED,
    "bad_api_key": _UNAUTHORIZED,
    "unknown_user": _Rule(401, _list_body, "On-Behalf-Of names an unknown user"),
    "bad_acting_user": _Rule(422, _acting_user_body),
    # Session creation (A1): QuickBlox reports a refused signed request as a 422 on `base`.
    "unknown_application": _Rule(422, _base_body, "Unknown application or auth_key"),
    "invalid_signature": _Rule(422, _base_body, "Unexpected signature"),
    "stale_timestamp": _Rule(422, _base_body,
                             "Unexpected timestamp: it must be within an hour of the server's time"),
    "reused_nonce": _Rule(422, _base_body, "Unexpected nonce: this nonce and timestamp were already used"),
    "body_too_large": _Rule(413, _list_body),
    "upload_too_large": _Rule(413, _list_body),  # a file over --max-upload-bytes
}


def status_and_body(error: ObjectbaseError) -> tuple[int, Body]:
    rule = _BY_CODE.get(error.code)
    if rule is None:
        rule = next(_BY_CLASS[c] for c in type(error).__mro__ if c in _BY_CLASS)
    return rule.status, rule.build(error, rule.wording or error.message)


@contextmanager
def wire_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Rename the core's field keys to this dialect's wire names in validation errors raised inside."""
    try:
        yield
    except ValidationError as error:
        raise error.with_field_names(names) from error
