"""The `Dashboard` dialect (prefix /_) and the small landing answer at exactly GET /."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from objectbase.core.credentials import Credentials
from objectbase.web.pages import all_routes
from objectbase.web.render import page

__all__ = ["Dashboard", "Landing"]

STATIC = Path(__file__).parent / "static"


class _LongCachedStatic(StaticFiles):
    """Static assets change only with a release, so browsers may keep them for a day."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


class Dashboard:
    name = "dashboard"
    prefixes = ("/_",)
    cors_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.app = Router(routes=[Mount("/static", _LongCachedStatic(directory=STATIC)), *all_routes()])

    def credentials(self, request: Request) -> Credentials:
        return Credentials()

    def error_response(self, request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return page("Error", f"<p>{error.status_code}</p>", error.status_code)
        return page("Error", "<p>Something went wrong.</p>", 500)


async def landing(request: Request) -> Response:
    return JSONResponse({"name": "objectbase", "dashboard": "/_/", "docs": "/docs"})


class Landing:
    """Exactly GET / (the pipeline matches the prefix "/" only as the whole path); all else stays QuickBlox's."""

    name = "landing"
    prefixes = ("/",)
    cors_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    app = Router(routes=[Route("/", landing, methods=["GET"])])

    def credentials(self, request: Request) -> Credentials:
        return Credentials()

    def error_response(self, request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return JSONResponse({"error": error.detail}, error.status_code)
        return JSONResponse({"error": "internal error"}, 500)
