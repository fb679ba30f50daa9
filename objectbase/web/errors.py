"""The core's errors as dashboard answers: a status and a sentence, and each field's messages for a form."""

from __future__ import annotations

from objectbase.core.errors import (
    ConflictError, LimitExceededError, MalformedInputError, NotFoundError, ObjectbaseError, PermissionDeniedError,
    RateLimitedError, UnauthenticatedError, UnavailableError, UnsupportedQueryError, ValidationError,
)

__all__ = ["error_status", "field_messages"]

_STATUS: tuple[tuple[type[ObjectbaseError], int], ...] = (
    (NotFoundError, 404), (UnauthenticatedError, 401), (PermissionDeniedError, 403), (ValidationError, 422),
    (MalformedInputError, 400), (UnsupportedQueryError, 400), (ConflictError, 409), (LimitExceededError, 413),
    (RateLimitedError, 429), (UnavailableError, 503),
)


def error_status(error: ObjectbaseError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 400)


def field_messages(error: ObjectbaseError) -> dict[str, list[str]]:
    """Messages by form field name (the core's field names), for `macros.html` to show beside each
    field; an error of no particular field is under "" (shown above the form)."""
    if isinstance(error, ValidationError) and error.field_errors:
        return {name: [e.message for e in errors] for name, errors in error.field_errors.items()}
    return {"": [error.message]}
