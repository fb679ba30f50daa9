"""The apps: /_/apps (the viewer's apps) and /_/apps/{app_id} (one app's overview)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.web.render import render
from objectbase.web.session import signed_in, viewer

__all__ = ["routes"]


@signed_in
async def list_apps(request: Request) -> Response:
    return render(request, "apps/list.html", title="Apps", section="apps", apps=viewer(request).apps)


@signed_in
async def show_app(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    return render(request, "apps/show.html", title=app.name, section="app", app=app)


routes: list[BaseRoute] = [
    Route("/apps", list_apps, methods=["GET"]),
    Route("/apps/{app_id:int}", show_app, methods=["GET"]),
]
