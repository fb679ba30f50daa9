"""The apps: /_/apps (the viewer's apps; a superuser creates one there), /_/apps/{app_id} (its
credentials, key rotation) and /_/apps/{app_id}/delete (typing the name to confirm).

Who may do what is the core's: creating and deleting apps are `OperatorService`'s (a superuser's
session only), rotating a key is `AppService.rotate_key` as the page's actor (the app's administrator).
A new API key is shown once, in the answer to the POST that made it: it is stored only as a digest."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import call_core, perform
from objectbase.api.common.state import services, settings
from objectbase.core.errors import ValidationError
from objectbase.core.models import App
from objectbase.web.errors import error_status, field_messages
from objectbase.web.render import redirect, render
from objectbase.web.session import session_token, signed_in, viewer

__all__ = ["routes"]

KEY_NAMES = {"auth_key": "Auth key", "auth_secret": "Auth secret", "api_key": "API key"}


def shown_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _api_endpoint(request: Request) -> str:
    """Where the QuickBlox SDK reaches this server: host (and the QuickBlox prefix, if any)."""
    base = settings(request).public_url.rstrip("/") or f"{request.url.scheme}://{request.url.netloc}"
    return base.split("://", 1)[-1] + settings(request).quickblox_prefix.rstrip("/")


def _show(request: Request, app: App, status: int = 200, api_key: str = "", **context: Any) -> Response:
    """The app's page; `api_key`: a new API key, shown in this one answer."""
    return render(request, "apps/show.html", status, title=app.name, section="app", app=app,
                  created=shown_time(app.created_at), endpoint=_api_endpoint(request), key_names=KEY_NAMES,
                  api_key=api_key, **context)


def _list(request: Request, status: int = 200, name: str = "", errors: dict[str, list[str]] | None = None) -> Response:
    return render(request, "apps/list.html", status, title="Apps", section="apps", apps=viewer(request).apps,
                  when=shown_time, name=name, errors=errors or {})


@signed_in
async def list_apps(request: Request) -> Response:
    return _list(request)


@signed_in
async def create_app(request: Request) -> Response:
    name = str((await request.form()).get("name", ""))
    try:
        created = await call_core(services(request).operators.create_app, session_token(request), name)
    except ValidationError as error:
        return _list(request, error_status(error), name, field_messages(error))
    apps = await call_core(services(request).operators.visible_apps, session_token(request))
    app = next(a for a in apps if a.id == created.app_id)
    return _show(request, app, 201, api_key=created.api_key,
                 notice="App created. Copy its API key now: it is shown only this once.")


@signed_in
async def show_app(request: Request) -> Response:
    return _show(request, viewer(request).app(request.path_params["app_id"]))


@signed_in
async def rotate_key(request: Request) -> Response:
    app_id: int = request.path_params["app_id"]
    key: str = request.path_params["key"]
    value = await perform(request, services(request).apps.rotate_key, key)
    name = KEY_NAMES.get(key, key)
    if key == "api_key":
        return _show(request, viewer(request).app(app_id), api_key=value,
                     notice="New API key made; the old one no longer works. Copy it now: it is shown only this once.")
    return redirect(f"/_/apps/{app_id}", f"New {name.lower()} made; the old one no longer works.")


def _delete_page(request: Request, app: App, status: int = 200, typed: str = "",
                 errors: dict[str, list[str]] | None = None) -> Response:
    return render(request, "apps/delete.html", status, title=f"Delete {app.name}", section="app", app=app,
                  typed=typed, errors=errors or {})


@signed_in
async def confirm_delete(request: Request) -> Response:
    return _delete_page(request, viewer(request).app(request.path_params["app_id"]))


@signed_in
async def delete_app(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    typed = str((await request.form()).get("name", ""))
    if typed != app.name:
        # A confirmation, not a permission: the core decides who may delete (below).
        return _delete_page(request, app, 422, typed, {"name": ["does not match the app's name"]})
    await call_core(services(request).operators.delete_app, session_token(request), app.id)
    return redirect("/_/apps", f"App {app.name} and all its data are deleted.")


routes: list[BaseRoute] = [
    Route("/apps", list_apps, methods=["GET"]),
    Route("/apps", create_app, methods=["POST"]),
    Route("/apps/{app_id:int}", show_app, methods=["GET"]),
    Route("/apps/{app_id:int}/keys/{key}", rotate_key, methods=["POST"]),
    Route("/apps/{app_id:int}/delete", confirm_delete, methods=["GET"]),
    Route("/apps/{app_id:int}/delete", delete_app, methods=["POST"]),
]
