"""A1–A2: e-mail validation tokens (contract §2.2). The app's `X-Api-Key` says which app; the
confirmed token is then exchanged for an access token (A3, `access_tokens.py`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.bodies import read_object, required_string
from objectbase.api.tracy.timestamps import timestamp
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.models import EmailCode

__all__ = ["confirm_token", "create_token"]


def _render(code: EmailCode) -> dict[str, Any]:
    return {"id": code.id, "email": code.email, "created": timestamp(code.created_at),
            "isConfirmed": code.confirmed_at is not None}


async def create_token(request: Request) -> Response:
    email = required_string(await read_object(request, "EmailValidationTokenRequest"), "email")
    return json_response(_render(await perform(request, services(request).email_codes.create_code, email)))


async def confirm_token(request: Request) -> Response:
    code = required_string(await read_object(request, "EmailValidationTokenConfirmation"), "code")
    confirmation = await perform(request, services(request).email_codes.confirm_code,
                                 str(request.path_params["id"]), code)
    if not confirmation.confirmed:
        # The wrong try is already committed (5 make the token void).
        raise ValidationError({"code": [FieldError("wrong_code", "The code is not the one sent.")]},
                              "The code is wrong")
    return json_response(_render(confirmation.code))
