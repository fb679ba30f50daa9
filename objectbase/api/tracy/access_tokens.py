"""A4–A6: access tokens (contract §2.2). Sign-in with login (or e-mail) and password needs the app's
`X-Api-Key` to say which app; a refresh or a revocation needs only the refresh token, which is
itself the credential."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import call_core, perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.bodies import read_object, required_string
from objectbase.api.tracy.timestamps import timestamp
from objectbase.core.access_tokens import TokenPair
from objectbase.core.users import LoginCredentials

__all__ = ["create_access_token", "revoke_refresh_token"]


def _render(pair: TokenPair) -> Response:
    return json_response({"accessToken": pair.access_token, "refreshToken": pair.refresh_token,
                          "expires": timestamp(pair.expires_at)})


async def create_access_token(request: Request) -> Response:
    body = await read_object(request, "AccessTokenRequest")
    core = services(request).access_tokens
    if body.get("refreshToken") is not None:
        return _render(await call_core(core.refresh, required_string(body, "refreshToken")))
    if (reference := body.get("emailValidationToken")) is not None:
        code_id = required_string(reference if isinstance(reference, dict) else {}, "id", "emailValidationToken.id")
        return _render(await perform(request, core.sign_in_with_code, code_id))
    password = required_string(body, "password")
    login = required_string(body, "login")
    # A login with an @ may be the user's e-mail address: the core tries login, then e-mail.
    credentials = LoginCredentials(password, login=login) if "@" not in login else LoginCredentials(
        password, email=login)
    return _render(await perform(request, core.sign_in, credentials))


async def revoke_refresh_token(request: Request) -> Response:
    body = await read_object(request, "RefreshTokenRequest")
    await call_core(services(request).access_tokens.revoke, required_string(body, "refreshToken"))
    return json_response({})
