"""`GET /health`: 200 when the database and the files backend answer, 503 otherwise.

`check_backends` is the one check; the dashboard's Health page (web/pages/health.py) shows it too."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router

from objectbase.api.common.core_calls import call_core
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.core.credentials import Credentials
from objectbase.core.errors import ObjectbaseError
from objectbase.core.services import Services

__all__ = ["BackendStatus", "Health", "check_backends"]


@dataclass(frozen=True)
class BackendStatus:
    database_ok: bool
    # None: this server has no files backend (or it was not reached: the database did not answer).
    files_ok: bool | None

    @property
    def ok(self) -> bool:
        return self.database_ok and self.files_ok is not False

    def body(self) -> dict[str, str]:
        """The /health answer: each backend "ok" or "unreachable"."""
        if not self.database_ok:
            return {"status": "unavailable", "database": "unreachable"}
        body = {"status": "ok" if self.ok else "unavailable", "database": "ok"}
        if self.files_ok is not None:
            body["files"] = "ok" if self.files_ok else "unreachable"
        return body


async def check_backends(core: Services) -> BackendStatus:
    """Ping the database, then (when it answers) the files backend."""
    try:
        await call_core(core.storage.ping)
    except ObjectbaseError:
        return BackendStatus(False, None)
    if core.files is None:
        return BackendStatus(True, None)
    try:
        await call_core(core.files.ping)
    except ObjectbaseError:
        return BackendStatus(True, False)
    return BackendStatus(True, True)


async def health(request: Request) -> Response:
    status = await check_backends(services(request))
    return json_response(status.body(), 200 if status.ok else 503)


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
