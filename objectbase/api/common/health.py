"""`GET /health`: 200 when the database and the files backend answer, 503 otherwise."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router

from objectbase.api.common.core_calls import call_core
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.core.credentials import Credentials
from objectbase.core.errors import ObjectbaseError

__all__ = ["Health"]


async def health(request: Request) -> Response:
    core = services(request)
    try:
        await call_core(core.storage.ping)
    except ObjectbaseError:
        return json_response({"status": "unavailable", "database": "unreachable"}, 503)
    if core.files is None:
        return json_response({"status": "ok", "database": "ok"})
    try:
        await call_core(core.files.ping)
    except ObjectbaseError:
        return json_response({"status": "unavailable", "database": "ok", "files": "unreachable"}, 503)
    return json_response({"status": "ok", "database": "ok", "files": "ok"})


class Health:
    name = "health"
    prefixes = ("/health",)
    cors_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    app = Router(routes=[Route("/", health, methods=["GET"])])

    def credentials(self, request: Request) -> Credentials:
        return Credentials()

    def error_response(self, request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return json_response({"status": "error", "error": error.detail}, error.status_code)
        return json_response({"status": "unavailable"}, 503)
