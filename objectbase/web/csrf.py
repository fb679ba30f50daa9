"""CSRF: double-submit token, checked in one place (`check_csrf`) for every state-changing request.

A random token lives in the `ob_csrf` cookie (SameSite=Strict); every form carries it in a hidden field
(`csrf_field`) and htmx sends it as `X-CSRF-Token`. A POST whose token is missing or differs is refused.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from html import escape

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "check_csrf", "check_csrf_sent", "csrf_field", "csrf_protected", "csrf_token",
           "set_csrf_cookie"]

CSRF_COOKIE = "ob_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(request: Request) -> str:
    """The request's token: the cookie's, or a fresh one (then `set_csrf_cookie` must send it)."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    return existing if len(existing) >= 32 else secrets.token_urlsafe(32)


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">'


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/_")


async def check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    check_csrf_sent(request, sent)


def check_csrf_sent(request: Request, field_value: str | None) -> None:
    """The check itself, on the header or else `field_value` (the form's `csrf_token`): for a streamed
    upload, whose handler reads that field itself before it accepts the file (`signed_in_upload`)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "") or field_value or ""
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise HTTPException(403, "CSRF token missing or wrong")


Handler = Callable[[Request], Awaitable[Response]]


def csrf_protected(handler: Handler) -> Handler:
    """Wrap every state-changing handler: the form read here is cached, so the handler reads it again freely."""

    async def checked(request: Request) -> Response:
        await check_csrf(request)
        return await handler(request)

    return checked
