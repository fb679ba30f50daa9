"""Headers -> Actor: `QB-Token` (or `?token=`), or `Authorization: ApiKey <key>` with `On-Behalf-Of`."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.api.common.responses import call_core
from objectbase.core.actor import Actor
from objectbase.core.services import Services

__all__ = ["authenticate", "request_token"]


def request_token(request: Request) -> str:
    return request.headers.get("qb-token") or request.query_params.get("token") or ""


async def authenticate(request: Request) -> Actor:
    services: Services = request.app.state.services
    authorization = request.headers.get("authorization", "")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() == "apikey" and key.strip():
        actor = await call_core(services.keys.authenticate_key, key.strip(), request.headers.get("on-behalf-of"))
    else:
        actor, _session = await call_core(services.sessions.authenticate_token, request_token(request))
    request.state.actor = actor
    return actor
