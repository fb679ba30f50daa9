"""What handlers take from the dialect app: the core services, settings, and the decoded parameters."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from objectbase.api.common.bodies import read_params
from objectbase.core.services import Services
from objectbase.settings import Settings

__all__ = ["params", "services", "settings"]


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


async def params(request: Request) -> dict[str, Any]:
    return await read_params(request, settings(request).max_body_bytes)
