"""Pages from Jinja2 templates (`web/templates/`), with what every page needs: the signed-in viewer,
the CSRF token (and its cookie, when new) and headers that keep pages out of caches and frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from objectbase.web.csrf import CSRF_COOKIE, csrf_token, set_csrf_cookie

__all__ = ["PAGE_HEADERS", "TEMPLATES", "redirect", "render"]

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(default=True), undefined=StrictUndefined,
                        trim_blocks=True, lstrip_blocks=True)

# Only our own scripts and styles (no inline script: dashboard.js holds it), never in a frame.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template rendered in the layout. Context every page gets: `viewer` (None before sign-in),
    `csrf_token`, `app` (None outside an app), `section` (the nav entry to mark), `notice`."""
    token = csrf_token(request)
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    context.setdefault("app", None)
    context.setdefault("section", "")
    context.setdefault("notice", request.query_params.get("notice", ""))
    context.setdefault("title", "Dashboard")
    body = TEMPLATES.get_template(template).render(request=request, csrf_token=token, **context)
    response = HTMLResponse(body, status_code, headers=PAGE_HEADERS)
    if request.cookies.get(CSRF_COOKIE) != token:
        set_csrf_cookie(request, response, token)
    return response


def redirect(url: str, notice: str = "") -> Response:
    """After a successful form: see the result at its own URL (the back button and reloads stay safe)."""
    if notice:
        url += ("&" if "?" in url else "?") + urlencode({"notice": notice})
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
