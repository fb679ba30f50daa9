"""The domain error tree. Dialects render `code` and `message` only; causes stay in logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ConflictError",
    "FieldError",
    "LimitExceededError",
    "MalformedInputError",
    "NotFoundError",
    "ObjectbaseError",
    "PermissionDeniedError",
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
    default_message = "Unauthorized"


class PermissionDeniedError(ObjectbaseError):
    default_code = "permission_denied"
    default_message = "You don't have appropriate permissions to do this operation"


class ConflictError(ObjectbaseError):
    default_code = "conflict"
    default_message = "Conflict"


class LimitExceededError(ObjectbaseError):
    default_code = "limit_exceeded"
    default_message = "Limit exceeded"


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

    @classmethod
    def single(cls, field_name: str, code: str, message: str) -> ValidationError:
        return cls({field_name: [FieldError(code, message)]})

    def renamed(self, names: dict[str, str]) -> ValidationError:
        """The same error with its field keys renamed, for a dialect whose wire names differ from the core's."""
        renamed = ValidationError({names.get(k, k): v for k, v in self.field_errors.items()}, self.message,
                                  code=self.code)
        renamed.details = self.details
        return renamed
