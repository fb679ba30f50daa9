"""The `Dashboard` dialect (prefix /_) and the small landing answer at exactly GET /."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from objectbase.core.credentials import Credentials
from objectbase.core.errors import ObjectbaseError, UnauthenticatedError
from objectbase.web.errors import error_status
from objectbase.web.pages import all_routes
from objectbase.web.render import redirect, render
from objectbase.web.session import session_token

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
        """The dashboard session, acting on the app of the URL (`/_/apps/{app_id}/…`)."""
        app_id = request.path_params.get("app_id")
        return Credentials(dashboard_token=session_token(request), app_id=app_id if isinstance(app_id, int) else None)

    def error_response(self, request: Request, error: Exception) -> Response:
        if isinstance(error, UnauthenticatedError):
            return redirect("/_/sign-in")
        if isinstance(error, ObjectbaseError):
            return render(request, "error.html", error_status(error), title="Not possible", message=error.message)
        if isinstance(error, HTTPException):
            title = {404: "Not found", 405: "Not allowed", 403: "Refused"}.get(error.status_code, "Error")
            return render(request, "error.html", error.status_code, title=title, message=str(error.detail))
        return render(request, "error.html", 500, title="Error", message="Something went wrong; the server log says more.")


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
