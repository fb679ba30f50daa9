"""Who is signed in to the dashboard: the session cookie, read through the core (core/operators.py).

Every page handler is wrapped in `signed_in`: no viewer, and the browser is sent to the sign-in page;
a state-changing request must carry the CSRF token. The actor a page calls the core with comes from
the dialect's credentials (web/dialect.py): the session's token and the app id of the URL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from objectbase.api.common.core_calls import call_core
from objectbase.api.common.state import services
from objectbase.core.errors import NotFoundError, SessionMissingError
from objectbase.core.models import App
from objectbase.web.csrf import check_csrf

__all__ = ["SESSION_COOKIE", "Viewer", "clear_session_cookie", "set_session_cookie", "signed_in", "signed_in_upload",
           "viewer"]

SESSION_COOKIE = "ob_session"

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Viewer:
    login: str
    is_operator: bool
    # The apps this viewer may manage (every app for a superuser).
    apps: tuple[App, ...]

    def app(self, app_id: int) -> App:
        """One of the viewer's apps; another app is answered as missing, like one that does not exist."""
        for app in self.apps:
            if app.id == app_id:
                return app
        raise NotFoundError("No such application", code="app_not_found")


def viewer(request: Request) -> Viewer:
    """The signed-in viewer of a request inside `signed_in`."""
    found: Viewer = request.state.viewer
    return found


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


async def _load(request: Request) -> Viewer | None:
    token = session_token(request)
    if not token:
        return None
    operators = services(request).operators
    try:
        session = await call_core(operators.session, token)
        apps = await call_core(operators.visible_apps, token)
    except SessionMissingError:
        return None
    return Viewer(session.login, session.operator_id is not None, tuple(apps))


def signed_in(handler: Handler) -> Handler:
    return _signed_in(handler, checks_csrf=True)


def signed_in_upload(handler: Handler) -> Handler:
    """`signed_in` for a handler that streams a multipart upload: reading the form here would take the
    whole file in, so the handler itself must call `csrf.check_csrf_sent` with the form's `csrf_token`
    field (sent before the file) before it accepts any of the file's bytes."""
    return _signed_in(handler, checks_csrf=False)


def _signed_in(handler: Handler, *, checks_csrf: bool) -> Handler:
    async def checked(request: Request) -> Response:
        found = await _load(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/_/sign-in?next={quote(target, safe='')}", status_code=303)
        if checks_csrf:
            await check_csrf(request)
        request.state.viewer = found
        return await handler(request)

    checked.__name__ = handler.__name__
    checked.__doc__ = handler.__doc__
    return checked


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/_")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/_", httponly=True, samesite="strict")
