"""Errors as RFC 7807 problem details (contract §10): the dialect's one error table."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.responses import Response

from objectbase.core.errors import (
    ConflictError, LimitExceededError, MalformedInputError, NotFoundError, ObjectbaseError, PermissionDeniedError,
    RateLimitedError, UnauthenticatedError, UnavailableError, UnsupportedQueryError, ValidationError,
)

__all__ = ["PROBLEM_TYPE", "UnsupportedMediaTypeError", "problem_response"]

PROBLEM_TYPE = "application/problem+json; charset=utf-8"


class UnsupportedMediaTypeError(MalformedInputError):
    """A request body in a content type other than the four JSON ones of §1.3 (the dialect's own)."""

    default_code = "unsupported_media_type"
    default_message = "The request body must be JSON (application/json, text/json or application/*+json)"


# Looked up along the error's MRO, so subclasses inherit their parent's status.
_STATUS: dict[type[ObjectbaseError], int] = {
    UnsupportedMediaTypeError: 415,
    MalformedInputError: 400,
    ValidationError: 400,
    UnsupportedQueryError: 400,
    UnauthenticatedError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    LimitExceededError: 413,
    UnavailableError: 503,
    RateLimitedError: 429,
}
# Codes whose status differs from their class's: a change to an archived or removed record is a
# validation error in Tracy (contract §6.2), not a conflict.
_STATUS_OF_CODE = {"record_archived": 400, "record_removed": 400}
_TITLES = {
    400: ("15.5.1", "One or more validation errors occurred."), 401: ("15.5.2", "Unauthorized"),
    403: ("15.5.4", "Forbidden"), 404: ("15.5.5", "Not Found"), 405: ("15.5.6", "Method Not Allowed"),
    409: ("15.5.10", "Conflict"), 413: ("15.5.14", "Content Too Large"),
    415: ("15.5.16", "Unsupported Media Type"), 500: ("15.6.1", "An error occurred while processing your request."),
    503: ("15.6.4", "Service Unavailable"),
}
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
# The core's code for an access token that was presented but is not valid (expired, forged, revoked).
_INVALID_TOKEN_CODE = "invalid_token"


def status_of(error: ObjectbaseError) -> int:
    if error.code in _STATUS_OF_CODE:
        return _STATUS_OF_CODE[error.code]
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 500


def _body(status: int, trace_id: str, detail: str | None, errors: dict[str, list[str]] | None) -> dict[str, Any]:
    section, title = _TITLES.get(status, ("15.5.1" if status < 500 else "15.6.1", "Error"))
    kind = f"https://tools.ietf.org/html/rfc9110#section-{section}"
    if status == 429:  # defined by RFC 6585, not RFC 9110
        kind, title = "https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"
    body: dict[str, Any] = {"type": kind, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body["traceId"] = trace_id
    return body


def problem_response(error: Exception, trace_id: str) -> Response:
    headers: dict[str, str] = {}
    if isinstance(error, ObjectbaseError):
        status = status_of(error)
        errors = ({path: [e.message for e in items] for path, items in error.field_errors.items()}
                  if isinstance(error, ValidationError) else None)
        detail: str | None = error.message + ("" if error.message.endswith(".") else ".")
        if status == 401 and error.code == _INVALID_TOKEN_CODE:
            headers = _INVALID_TOKEN
    elif isinstance(error, HTTPException):
        status, detail, errors = error.status_code, None, None
    else:
        status, detail, errors = 500, None, None
    if status >= 500:
        detail, errors = None, None  # never internals
    return Response(orjson.dumps(_body(status, trace_id, detail, errors)), status_code=status,
                    media_type=PROBLEM_TYPE, headers=headers)
