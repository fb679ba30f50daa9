"""A1–A5: sessions and log-in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import call_core, perform
from objectbase.api.common.state import services
from objectbase.api.quickblox.auth import request_token
from objectbase.api.quickblox.context import params
from objectbase.api.quickblox.render import render_session, render_user
from objectbase.api.quickblox.responses import empty, respond
from objectbase.api.quickblox.signatures import login_credentials, session_request

__all__ = ["create_session", "delete_login", "delete_session", "get_session", "post_login"]


async def create_session(request: Request) -> Response:
    new = await call_core(services(request).sessions.create_session, session_request(await params(request)))
    body = render_session(new.session, new.token, new.session.user_id)
    return respond(request, body, 201, expires_at=new.session.expires_at)


async def get_session(request: Request) -> Response:
    token = request_token(request)
    actor, session = await call_core(services(request).sessions.authenticate_token, token)
    request.state.actor = actor
    return respond(request, render_session(session, token, actor.user_id))


async def delete_session(request: Request) -> Response:
    await perform(request, services(request).sessions.destroy_session)
    request.state.actor = None
    return empty(request)


async def post_login(request: Request) -> Response:
    user = await perform(request, services(request).sessions.login, login_credentials(await params(request)))
    return respond(request, render_user(user), 202)


async def delete_login(request: Request) -> Response:
    await perform(request, services(request).sessions.logout)
    return empty(request)
