"""The DreamFactory dialect: both surfaces' routes, verb tunnelling, credentials, and errors in the
surface's envelope (contract §1, §3, §7)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from objectbase.api.common.responses import json_response
from objectbase.api.dreamfactory import records, schema, sessions, writes
from objectbase.api.dreamfactory.credentials import read_credentials
from objectbase.api.dreamfactory.errors import message_of, status_of
from objectbase.api.dreamfactory.surfaces import LEGACY, surface_of
from objectbase.core.credentials import Credentials
from objectbase.core.errors import ObjectbaseError

__all__ = ["DreamFactory", "LEGACY_ROUTES", "V2_ROUTES", "not_allowed"]

_READ = ["GET"]


def _table_routes(base: str) -> list[BaseRoute]:
    return [
        Route(base + "/{table}", records.list_records, methods=_READ),
        Route(base + "/{table}/{id}", records.get_record, methods=_READ),
        Route(base + "/{table}", writes.create_records, methods=["POST"]),
        Route(base + "/{table}", writes.update_records, methods=["PUT", "PATCH"]),
        Route(base + "/{table}", writes.delete_records, methods=["DELETE"]),
        Route(base + "/{table}/{id}", writes.create_by_id, methods=["POST"]),
        Route(base + "/{table}/{id}", writes.update_record, methods=["PUT", "PATCH"]),
        Route(base + "/{table}/{id}", writes.delete_record, methods=["DELETE"]),
    ]


_SCHEMA_WRITE = ["PUT", "PATCH"]
_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


async def not_allowed(request: Request) -> Response:
    raise HTTPException(405)


def _closed(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes, and for each of their paths a 405 for the other verbs: on /rest a table's
    collection and item routes would otherwise take `user/session` or `_schema/{table}`."""
    used: dict[str, set[str]] = {}
    for route in routes:
        assert isinstance(route, Route)
        used.setdefault(route.path, set()).update(route.methods or ())
    return routes + [Route(path, not_allowed, methods=[v for v in _VERBS if v not in verbs])
                     for path, verbs in used.items() if any(v not in verbs for v in _VERBS)]


def _session_routes() -> list[BaseRoute]:
    """Before the table routes: on /rest, `user/session` would otherwise read as table `session`."""
    return [
        Route(path, handler, methods=[verb])
        for path in ("/user/session", "/system/admin/session")
        for verb, handler in (("POST", sessions.open_session), ("GET", sessions.refresh_session),
                              ("DELETE", sessions.close_session))
    ]


def _schema_routes() -> list[BaseRoute]:
    base = "/{service}/_schema"
    return [
        Route(base, schema.get_schema, methods=_READ),
        Route(base, schema.create_tables, methods=["POST"]),
        Route(base, schema.update_tables, methods=_SCHEMA_WRITE),
        Route(base + "/{table}", schema.get_table, methods=_READ),
        Route(base + "/{table}", schema.update_table, methods=_SCHEMA_WRITE),
        Route(base + "/{table}", schema.delete_table, methods=["DELETE"]),
        Route(base + "/{table}/{field}", schema.get_field, methods=_READ),
        Route(base + "/{table}/{field}", schema.update_field, methods=_SCHEMA_WRITE),
        Route(base + "/{table}/{field}", schema.delete_field, methods=["DELETE"]),
    ]


V2_ROUTES: list[BaseRoute] = [
    *_closed(_session_routes() + _schema_routes()),
    Route("/{service}", schema.describe_service, methods=_READ),
    Route("/{service}/_table", schema.list_tables, methods=_READ),
    *_table_routes("/{service}/_table"),
]
LEGACY_ROUTES: list[BaseRoute] = [
    *_closed(_session_routes() + _schema_routes()),
    Route("/{service}", schema.legacy_list_tables, methods=_READ),
    *_table_routes("/{service}"),
]

_TUNNELLED = frozenset({"GET", "PUT", "PATCH", "MERGE", "DELETE"})
_HTTP_MESSAGES = {404: "Resource not found.", 405: "Method not allowed on this resource."}


class Surfaces:
    """Routes each request to its surface's router, after verb tunnelling (§4): a POST carrying
    `X-HTTP-Method`/`X-Method-Override` or `?method=` is handled as that verb; MERGE is PATCH."""

    def __init__(self) -> None:
        self.v2 = Router(routes=V2_ROUTES)
        self.legacy = Router(routes=LEGACY_ROUTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outer = scope
        if scope["method"] == "POST":
            request = Request(scope)
            verb = (request.headers.get("x-http-method") or request.headers.get("x-method-override")
                    or request.query_params.get("method") or request.query_params.get("_method") or "").upper()
            if verb in _TUNNELLED:
                scope = dict(scope, method="PATCH" if verb == "MERGE" else verb)
        router = self.legacy if surface_of(Request(scope)) is LEGACY else self.v2
        try:
            await router(scope, receive, send)
        finally:
            # The route matched, for the metrics' route label (api/common/metrics.py).
            if "route" in scope:
                outer["route"] = scope["route"]


class DreamFactory:
    name = "dreamfactory"
    prefixes = ("/api/v2", "/rest")
    cors_headers = ("X-DreamFactory-API-Key", "X-DreamFactory-Application-Name", "X-Application-Name",
                    "X-DreamFactory-Session-Token", "X-HTTP-Method", "X-Method-Override", "Authorization",
                    "Content-Type")
    expose_headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.app: ASGIApp = Surfaces()

    def credentials(self, request: Request) -> Credentials:
        return read_credentials(request)

    def error_response(self, request: Request, error: Exception) -> Response:
        surface = surface_of(request)
        if isinstance(error, ObjectbaseError):
            status = status_of(error)
            return json_response(surface.error_body(status, message_of(error)), status)
        if isinstance(error, HTTPException):
            message = _HTTP_MESSAGES.get(error.status_code, str(error.detail))
            return json_response(surface.error_body(error.status_code, message), error.status_code)
        return json_response(surface.error_body(500, "Internal server error."), 500)
