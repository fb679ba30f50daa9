"""`/openapi/{dialect}.json` (each dialect's OpenAPI document) and `/docs`, the API reference: a
vendored Swagger UI (swagger-ui-dist 5.35.0, static/VENDORED.md) served from the package, so the
page works offline. Open to everyone, as the documents describe only what the server serves."""

from __future__ import annotations

from importlib import resources

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from objectbase.api.common.responses import json_response
from objectbase.api.reference.documents import DOCUMENTS
from objectbase.core.credentials import Credentials

__all__ = ["Reference"]

_STATIC = resources.files("objectbase.api.reference").joinpath("static")
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
# Served files: the page, its script and the vendored bundle (not the licence texts, kept for the record).
_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "reference.js"})
# A week: the file names do not change with the version, but a server upgrade is rare.
_CACHE = {"Cache-Control": "public, max-age=604800"}


async def openapi_document(request: Request) -> Response:
    build = DOCUMENTS.get(request.path_params["dialect"])
    if build is None:
        raise HTTPException(404, f"No dialect {request.path_params['dialect']!r}; one of {sorted(DOCUMENTS)}")
    return json_response(build())


def _file(name: str) -> Response:
    suffix = name[name.rfind("."):]
    return Response(_STATIC.joinpath(name).read_bytes(), media_type=_MEDIA_TYPES[suffix], headers=_CACHE)


async def reference_page(request: Request) -> Response:
    return _file("index.html")


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in _FILES:
        raise HTTPException(404, "Not found")
    return _file(name)


class _ByPrefix:
    """Both prefixes share one app; the pipeline tells which one a request came in by (root_path)."""

    def __init__(self) -> None:
        self.openapi = Router(routes=[Route("/{dialect}.json", openapi_document, methods=["GET"])])
        self.docs = Router(routes=[Route("/", reference_page, methods=["GET"]),
                                   Route("/static/{name}", static_file, methods=["GET"])])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        router = self.docs if str(scope.get("root_path", "")).endswith("/docs") else self.openapi
        await router(scope, receive, send)


class Reference:
    name = "reference"
    prefixes = ("/openapi", "/docs")
    cors_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.app = _ByPrefix()

    def credentials(self, request: Request) -> Credentials:
        return Credentials()

    def error_response(self, request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return json_response({"error": error.detail}, error.status_code)
        return json_response({"error": "Internal server error"}, 500)
