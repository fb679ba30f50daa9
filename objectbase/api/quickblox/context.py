"""The decoded parameters of a QuickBlox request: query string and body as one nested dict."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from objectbase.api.common.bodies import read_params
from objectbase.api.common.state import settings

__all__ = ["params"]


async def params(request: Request) -> dict[str, Any]:
    return await read_params(request, settings(request).max_body_bytes)
