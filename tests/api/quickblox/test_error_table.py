"""The QuickBlox error table maps the core's neutral codes to QuickBlox's status and exact wording."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.api.quickblox.errors import status_and_body, wire_field_names
from objectbase.core.errors import (
    FieldError, NeedUserError, NotFoundError, NotOwnerError, ObjectbaseError, PermissionDeniedError,
    SessionMissingError, UnauthenticatedError, ValidationError,
)


@pytest.mark.parametrize(("error", "status", "body"), [
    (NeedUserError(), 422, {"errors": {"base": ["Forbidden. Need user."]}}),
    (NotOwnerError(), 403, {"errors": {"base": ["You are not owner of this object"]}}),
    (SessionMissingError(), 401, {"errors": ["Required session does not exist"]}),
    (NotFoundError("No class of this name exists", code="class_not_found"), 403, {"errors": ["Undefined class"]}),
    (UnauthenticatedError("bad", code="invalid_signature"), 422, {"errors": {"base": ["Unexpected signature"]}}),
    (UnauthenticatedError("bad", code="invalid_credentials"), 401, {"errors": ["Unauthorized"]}),
    (PermissionDeniedError(), 403, {"errors": ["You don't have appropriate permissions to do this operation"]}),
    (PermissionDeniedError("x", code="file_access_denied"), 403, {"errors": ["Wrong permission"]}),
    # A code the table does not word keeps the core's message.
    (PermissionDeniedError("Upload URL is invalid or has expired", code="bad_signed_link"), 403,
     {"errors": ["Upload URL is invalid or has expired"]}),
    (ValidationError({"on_behalf_of": [FieldError("invalid", "must be a user id")]}, code="bad_acting_user"), 422,
     {"errors": {"On-Behalf-Of": ["must be a user id"]}}),
], ids=lambda v: getattr(v, "code", None) or str(v))
def test_codes_get_quickblox_status_and_wording(error: ObjectbaseError, status: int, body: dict[str, Any]) -> None:
    assert status_and_body(error) == (status, body)


def test_the_core_does_not_speak_quickblox() -> None:
    for error in (NeedUserError(), NotOwnerError(), SessionMissingError()):
        assert error.message not in str(status_and_body(error)[1])


def test_wire_field_names_renames_only_the_keys_given() -> None:
    with pytest.raises(ValidationError) as raised, wire_field_names({"tags": "tag_list"}):
        raise ValidationError({"tags": [FieldError("invalid", "is invalid")], "email": [FieldError("invalid", "x")]},
                              code="validation_failed")
    assert set(raised.value.field_errors) == {"tag_list", "email"}
    assert isinstance(raised.value.__cause__, ValidationError)
