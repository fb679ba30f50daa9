"""H1 (`GET /v1/health`) and the OpenAPI document (`GET /v1/openapi.json`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import call_core
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.openapi import document
from objectbase.core.errors import ObjectbaseError

__all__ = ["health", "openapi"]


async def health(request: Request) -> Response:
    """The same check as `/health`: the database and the files backend answer."""
    core = services(request)
    try:
        await call_core(core.storage.ping)
        if core.files is not None:
            await call_core(core.files.ping)
    except ObjectbaseError:
        return json_response({"status": "unavailable"}, 503)
    return json_response({"status": "ok"})


async def openapi(request: Request) -> Response:
    return json_response(document())
