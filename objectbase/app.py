"""build_app(settings) -> the ASGI app: storage, core services, dialects, health, lifespan."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from objectbase.api.common.responses import call_core, json_response
from objectbase.api.quickblox import build_quickblox_app
from objectbase.core.errors import ObjectbaseError
from objectbase.core.services import Services
from objectbase.files import open_file_store
from objectbase.settings import Settings
from objectbase.storage import open_storage

__all__ = ["build_app", "create_app_from_env"]


def build_app(settings: Settings, services: Services | None = None) -> Starlette:
    if services is None:
        services = Services.build(
            open_storage(settings.resolved_database_url), session_ttl=settings.session_ttl,
            files=open_file_store(settings), max_upload_bytes=settings.max_upload_bytes,
            signed_link_ttl=settings.signed_link_ttl,
        )

    async def health(request: Request) -> Response:
        try:
            await call_core(services.storage.ping)
        except ObjectbaseError:
            return json_response({"status": "unavailable", "database": "unreachable"}, 503)
        if services.files is None:
            return json_response({"status": "ok", "database": "ok"})
        try:
            await call_core(services.files.ping)
        except ObjectbaseError:
            return json_response({"status": "unavailable", "database": "ok", "files": "unreachable"}, 503)
        return json_response({"status": "ok", "database": "ok", "files": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        services.storage.close()

    quickblox = build_quickblox_app(services, settings)
    routes: list[BaseRoute] = [Route("/health", health, methods=["GET"])]
    if settings.quickblox_prefix:
        routes.append(Mount(settings.quickblox_prefix, app=quickblox))
    routes.append(Mount("", app=quickblox))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = services
    return app


def create_app_from_env() -> Starlette:
    """Factory for worker processes (`uvicorn --factory`): settings come from OBJECTBASE_* variables."""
    return build_app(Settings.from_env())
