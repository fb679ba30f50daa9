"""HTML rendering shared by the dashboard pages (no template engine yet: see docs in notes)."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

__all__ = ["page"]

_LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Objectbase</title>
<link rel="stylesheet" href="/_/static/dashboard.css">
</head><body>
<header><a href="/_/">Objectbase</a></header>
<main><h1>{title}</h1>
{body}
</main></body></html>
"""


def page(title: str, body_html: str, status_code: int = 200) -> HTMLResponse:
    """A full page in the shared layout; `body_html` must already be escaped by the caller."""
    return HTMLResponse(_LAYOUT.format(title=escape(title), body=body_html), status_code,
                        headers={"Cache-Control": "no-store"})
