"""Session endpoints (contract §3.2): `POST/GET/DELETE {surface}/user/session`, and the same on
`system/admin/session` for users flagged admin.

A login needs the app's key and `email` or `login` with `password`; any session token sent with it
is ignored. GET pushes the session's expiry forward (the token stays the same); DELETE ends it, and
the token is then unknown, so it answers 401 like any invalid token (tokens are kept only as
digests, and a deleted session leaves none to tell "logged out" from "never issued").
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import call_core, perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.dreamfactory.credentials import app_key_of, read_credentials, session_token_of
from objectbase.api.dreamfactory.params import read_request
from objectbase.api.dreamfactory.render import dreamfactory_time
from objectbase.core.credentials import Credentials
from objectbase.core.errors import SessionMissingError, UnauthenticatedError, ValidationError
from objectbase.core.sessions import NewSession
from objectbase.core.users import LoginCredentials

__all__ = ["close_session", "open_session", "refresh_session", "render_session"]



def _admin_path(request: Request) -> bool:
    return request.url.path.rstrip("/").endswith("/system/admin/session")


def render_session(new: NewSession) -> dict[str, Any]:
    """§3.2's body. The core keeps one `full_name`; its first word is `first_name`, the rest `last_name`."""
    user = new.user
    assert user is not None  # DreamFactory sessions are always a user's
    first, _, last = (user.full_name or "").strip().partition(" ")
    return {
        "session_token": new.token, "session_id": new.token, "id": user.id,
        "name": user.full_name or user.login or user.email, "first_name": first or None,
        "last_name": last.strip() or None, "email": user.email, "is_sys_admin": user.is_admin,
        "last_login_date": dreamfactory_time(new.session.created_at),
        "token_expiry_date": dreamfactory_time(new.session.expires_at),
    }


def _login_of(params: dict[str, Any]) -> LoginCredentials:
    def text(name: str) -> str | None:
        value = params.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValidationError.single(name, "invalid", f"{name} must be text")
        return value

    password, email, login = text("password"), text("email"), text("login")
    if not email and not login:
        raise ValidationError.single("email", "blank", "is required (or login)")
    if not password:
        raise ValidationError.single("password", "blank", "is required")
    return LoginCredentials(password, login=login, email=email)


async def open_session(request: Request) -> Response:
    df = await read_request(request)
    login = _login_of(df.params)
    app_key = app_key_of(request)
    if not app_key:
        raise UnauthenticatedError("No application key", code="api_key_missing")
    # The app's key alone: a session token sent along is ignored (§3.2).
    core = services(request)
    _actor, new = await call_core(core.run, Credentials(app_key=app_key), core.sessions.open_session,
                                  login, admin_only=_admin_path(request))
    return json_response(render_session(new))


async def refresh_session(request: Request) -> Response:
    token = read_credentials(request).session_token
    if not token:
        raise SessionMissingError()
    new = await call_core(services(request).sessions.refresh_session, token, admin_only=_admin_path(request))
    return json_response(render_session(new))


async def close_session(request: Request) -> Response:
    if not session_token_of(request):
        read_credentials(request)  # nothing at all: the 400 of §3.3
        raise SessionMissingError()
    await perform(request, services(request).sessions.destroy_session)
    return json_response({"success": True})
