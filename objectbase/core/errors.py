"""The domain error tree. Dialects render `code` and `message` only; causes stay in logs.

Codes are stable machine names; messages are neutral English. Each dialect's one error table maps
codes to its own status and wording, so no dialect's phrasing lives in the core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

__all__ = [
    "ConflictError",
    "FieldError",
    "LimitExceededError",
    "MalformedInputError",
    "NeedUserError",
    "NotFoundError",
    "NotOwnerError",
    "ObjectbaseError",
    "PermissionDeniedError",
    "RateLimitedError",
    "SessionMissingError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnsupportedQueryError",
    "ValidationError",
]


class ObjectbaseError(Exception):
    """Root of every error the core raises on purpose."""

    default_code = "error"
    default_message = "Request failed"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.details = details or {}
        super().__init__(self.message)


class MalformedInputError(ObjectbaseError):
    """The request could not be read at all (bad JSON, bad encoding)."""

    default_code = "malformed_input"
    default_message = "Malformed request"


class NotFoundError(ObjectbaseError):
    default_code = "not_found"
    default_message = "Not found"


class UnauthenticatedError(ObjectbaseError):
    default_code = "unauthenticated"
    default_message = "The request's credentials are missing or not valid"


class PermissionDeniedError(ObjectbaseError):
    default_code = "permission_denied"
    default_message = "The actor may not do this operation"


class NeedUserError(PermissionDeniedError):
    """An application session (no user) asked for something only a user may do."""

    default_code = "need_user"
    default_message = "This operation needs a signed-in user"


class NotOwnerError(PermissionDeniedError):
    default_code = "not_owner"
    default_message = "Only the owner of this object may do this"


class SessionMissingError(UnauthenticatedError):
    default_code = "session_missing"
    default_message = "This operation needs a valid session"


class ConflictError(ObjectbaseError):
    default_code = "conflict"
    default_message = "Conflict"


class LimitExceededError(ObjectbaseError):
    default_code = "limit_exceeded"
    default_message = "Limit exceeded"


class RateLimitedError(ObjectbaseError):
    """Too many failed sign-in attempts from one address or for one login; `retry_after` is in seconds."""

    default_code = "rate_limited"
    default_message = "Too many attempts; try again later"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class UnavailableError(ObjectbaseError):
    """The database or files backend cannot be reached or is too busy; the client may retry."""

    default_code = "unavailable"
    default_message = "Service temporarily unavailable"


class UnsupportedQueryError(ObjectbaseError):
    default_code = "unsupported_query"
    default_message = "Unsupported query"


@dataclass(frozen=True)
class FieldError:
    code: str
    message: str


class ValidationError(ObjectbaseError):
    """Input that was read but is not acceptable; `field_errors` names each field."""

    default_code = "validation_failed"
    default_message = "Validation failed"

    def __init__(self, field_errors: dict[str, list[FieldError]], message: str | None = None,
                 *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field_errors = field_errors

    def with_field_names(self, names: Mapping[str, str]) -> ValidationError:
        """The same error with field keys renamed (a dialect whose wire names differ from the core's)."""
        renamed = ValidationError({names.get(k, k): v for k, v in self.field_errors.items()}, self.message,
                                  code=self.code)
        renamed.details = self.details
        return renamed

    @classmethod
    def single(cls, field_name: str, code: str, message: str) -> ValidationError:
        return cls({field_name: [FieldError(code, message)]})
