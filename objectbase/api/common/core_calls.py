"""Calling the core from a handler: for an authenticated operation one transaction that
authenticates and runs it (core `Services.run`), on a thread-pool thread unless the storage answers
in-process (SQLite), where the hop would cost more than the call."""

from __future__ import annotations

import functools
from typing import Any, Callable, Concatenate, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from objectbase.api.common.pipeline import dialect_of
from objectbase.api.common.state import services
from objectbase.core.actor import Actor

__all__ = ["call_core", "perform"]

P = ParamSpec("P")
T = TypeVar("T")


async def call_core(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Core services are synchronous (the CLI shares them); run them off the event loop."""
    return await run_in_threadpool(functools.partial(function, *args, **kwargs))


async def perform(request: Request, operation: Callable[Concatenate[Actor, P], T],
                  *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a core operation as the request's actor (read from its credentials by its dialect).
    The actor is kept on `request.state.actor` for the response (e.g. a session's expiry)."""
    credentials = dialect_of(request).credentials(request)
    core = services(request)
    if core.runs_inline(operation):
        # An embedded database answers in microseconds: a thread hop would cost more than the call.
        actor, result = core.run(credentials, operation, *args, **kwargs)
    else:
        actor, result = await run_in_threadpool(
            functools.partial(core.run, credentials, operation, *args, **kwargs))
    request.state.actor = actor
    return result
