"""GET /_/ : the dashboard's start page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.web.render import page

__all__ = ["routes"]


async def home(request: Request) -> Response:
    return page("Dashboard", '<p>Operator dashboard. API reference: <a href="/docs">/docs</a>.</p>')


routes: list[BaseRoute] = [Route("/", home, methods=["GET"])]
