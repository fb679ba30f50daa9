"""Domain error -> (status, DreamFactory message): the one table of this dialect (contract §7).

The envelope (`{"error": {...}}` on v2, `{"error": [{...}]}` on legacy) comes from the surface.
"""

from __future__ import annotations

from typing import Any

from objectbase.core.errors import (
    ConflictError, LimitExceededError, MalformedInputError, NotFoundError, ObjectbaseError,
    PermissionDeniedError, UnauthenticatedError, UnavailableError, UnsupportedQueryError, ValidationError,
)

__all__ = ["CREDENTIALS_MISSING", "message_of", "status_of"]

CREDENTIALS_MISSING = (
    "No session token (JWT) or API key detected in request. Please send in X-DreamFactory-Session-Token "
    "and/or X-DreamFactory-API-Key request header. You can also use URL query parameters session_token "
    "and/or api_key."
)

_BY_CLASS: dict[type[ObjectbaseError], int] = {
    ValidationError: 400, MalformedInputError: 400, UnsupportedQueryError: 400, LimitExceededError: 400,
    UnauthenticatedError: 401, PermissionDeniedError: 403, NotFoundError: 404, ConflictError: 409,
    UnavailableError: 503, ObjectbaseError: 400,
}
_BY_CODE: dict[str, int] = {
    "credentials_missing": 400,    # v2 answers 400, not 401, when nothing identifies the caller
    "need_user": 401,              # the ACL needs a user and the caller is the application
    "body_too_large": 413,
    "upload_too_large": 413,
    "api_key_missing": 400,        # a login or session token without the app's key
    "class_exists": 400,           # DreamFactory reports schema conflicts as bad requests
    "field_type_change": 400,
}
_MESSAGES: dict[str, str] = {
    "credentials_missing": CREDENTIALS_MISSING,
    "need_user": "Unauthorized. User is not authenticated.",
    "session_missing": "Invalid token: the session does not exist or has expired.",
    "permission_denied": "Access Forbidden. You do not have enough privileges to access this resource.",
    "filter_unparsable": "Invalid or unparsable filter request.",
    "filter_list_unwrapped": "Filter value lists must be wrapped in parentheses.",
    "api_key_missing": "No API key provided. Please send X-DreamFactory-API-Key (or, on /rest, "
                       "X-DreamFactory-Application-Name) with the request.",
    "unknown_application": "Invalid API key.",
    "invalid_credentials": "Invalid credentials supplied.",
    "admin_only": "Access Forbidden. Only the app's administrator may do this.",
}
# Messages naming what the error's `details` name (keys as the core or the dialect set them).
_DETAILED: dict[str, str] = {
    "class_not_found": 'Table "{class}" does not exist in the database.',
    "class_exists": 'Table "{class}" already exists.',
    "field_not_found": 'Field "{field}" does not exist in table "{class}".',
    "field_type_change": "Changing the type of field '{field}' is not supported.",
}


def status_of(error: ObjectbaseError) -> int:
    status = _BY_CODE.get(error.code)
    if status is None:
        status = next(_BY_CLASS[c] for c in type(error).__mro__ if c in _BY_CLASS)
    return status


def _field_message(error: ValidationError) -> str:
    parts = []
    for name, errors in error.field_errors.items():
        for item in errors:
            if item.code == "unknown_field":
                parts.append(f"Invalid or unparsable field in request: '{name}'.")
            elif item.code == "blank":
                parts.append(f"Field '{name}' can not be NULL.")
            else:
                # Core messages start with the field's name already ("score is not an integer").
                text = item.message if item.message.startswith(name) else f"{name} {item.message}"
                parts.append(f"Field '{name}': {text.removeprefix(name).strip()}.")
    return " ".join(parts) or error.message


def message_of(error: ObjectbaseError, details: dict[str, Any] | None = None) -> str:
    if isinstance(error, ValidationError) and error.field_errors:
        return _field_message(error)
    template = _DETAILED.get(error.code)
    if template is not None:
        try:
            return template.format_map(error.details)
        except (KeyError, ValueError):  # details missing: the core's neutral message still says it
            return error.message
    return _MESSAGES.get(error.code, error.message)
