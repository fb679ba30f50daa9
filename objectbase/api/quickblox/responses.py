"""QuickBlox responses: JSON plus the token-expiry header the SDK reads after every call."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.responses import json_response
from objectbase.api.quickblox.render import expiration_header

__all__ = ["empty", "respond"]


def _headers(request: Request, expires_at: float | None = None) -> dict[str, str]:
    headers = {"QuickBlox-REST-API-Version": "0.1.1"}
    actor = getattr(request.state, "actor", None)
    if expires_at is None and actor is not None:
        expires_at = actor.session_expires_at
    if expires_at is not None:
        headers["QB-Token-ExpirationDate"] = expiration_header(expires_at)
    return headers


def respond(request: Request, data: Any, status: int = 200, *, expires_at: float | None = None) -> Response:
    return json_response(data, status, _headers(request, expires_at))


def empty(request: Request) -> Response:
    """200 with an empty body: what QuickBlox sends where the SDK reads text (never 204)."""
    return Response(b"", 200, headers=_headers(request), media_type="text/plain")
