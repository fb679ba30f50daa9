"""JSON responses and running blocking core calls in the thread pool."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

__all__ = ["JSON_TYPE", "call_core", "json_response"]

JSON_TYPE = "application/json; charset=utf-8"
T = TypeVar("T")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=JSON_TYPE, headers=headers)


async def call_core(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Core services are synchronous (the CLI shares them); run them off the event loop."""
    return await run_in_threadpool(functools.partial(function, *args, **kwargs))
