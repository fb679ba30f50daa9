"""GET/POST /_/sign-in and POST /_/sign-out: dashboard sessions (core/operators.py), in a cookie."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import call_core
from objectbase.api.common.state import services, settings
from objectbase.core.errors import ObjectbaseError, RateLimitedError
from objectbase.web.csrf import check_csrf
from objectbase.web.errors import error_status
from objectbase.web.render import redirect, render
from objectbase.web.session import clear_session_cookie, session_token, set_session_cookie

__all__ = ["routes"]


def _safe_next(raw: str) -> str:
    # Only a path of the dashboard: never another site (an open redirect) or a scheme-relative URL.
    return raw if raw.startswith("/_/") and not raw.startswith("//") and "\\" not in raw else "/_/"


async def sign_in_form(request: Request) -> Response:
    return render(request, "sign_in.html", title="Sign in", next=_safe_next(request.query_params.get("next", "")),
                  login="", app_id="", error="")


async def sign_in(request: Request) -> Response:
    await check_csrf(request)
    form = await request.form()
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    raw_app = str(form.get("app_id", "")).strip()
    next_url = _safe_next(str(form.get("next", "")))
    again = dict(title="Sign in", next=next_url, login=login, app_id=raw_app)
    if raw_app and not (raw_app.isdigit() and len(raw_app) < 10):
        return render(request, "sign_in.html", 422, error="The app ID is a number.", **again)
    try:
        signed = await call_core(services(request).operators.sign_in, login, password,
                                 int(raw_app) if raw_app else None)
    except RateLimitedError as error:
        response = render(request, "sign_in.html", 429, error=f"Too many failed attempts: try again in "
                          f"{error.retry_after} seconds.", **again)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except ObjectbaseError as error:
        return render(request, "sign_in.html", error_status(error), error=error.message + ".", **again)
    signed_in_response = redirect(next_url)
    set_session_cookie(request, signed_in_response, signed.token, settings(request).session_ttl)
    return signed_in_response


async def sign_out(request: Request) -> Response:
    await check_csrf(request)
    token = session_token(request)
    if token:
        await call_core(services(request).operators.sign_out, token)
    signed_out = redirect("/_/sign-in", "You are signed out.")
    clear_session_cookie(signed_out)
    return signed_out


routes: list[BaseRoute] = [
    Route("/sign-in", sign_in_form, methods=["GET"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
]
