"""GET /_/ : the dashboard's start: the apps (signed in) or the sign-in page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.web.render import redirect
from objectbase.web.session import signed_in

__all__ = ["routes"]


@signed_in
async def home(request: Request) -> Response:
    return redirect("/_/apps")


routes: list[BaseRoute] = [Route("/", home, methods=["GET"])]
