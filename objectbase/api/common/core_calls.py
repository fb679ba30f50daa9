"""Calling the core from a handler: for an authenticated operation one transaction that
authenticates and runs it (core `Services.run`), on a thread-pool thread unless the storage answers
in-process (SQLite), where the hop would cost more than the call."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Concatenate, ParamSpec, TypeVar

from starlette.requests import Request

from objectbase.api.common.pipeline import dialect_of
from objectbase.api.common.state import services
from objectbase.core.actor import Actor

__all__ = ["call_core", "in_thread", "perform"]

P = ParamSpec("P")
T = TypeVar("T")


# As many threads as anyio's default limit (and the PostgreSQL pool's connections, storage/engine.py).
_THREADS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="objectbase-core")


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function` on a thread of the pool, in the caller's context (its context variables: the
    client's address, the request id). asyncio's executor: anyio's `to_thread`, which Starlette's
    `run_in_threadpool` is, cost a third more CPU per hop (86 µs against 62 µs here)."""
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_THREADS, call)


async def call_core(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Core services are synchronous (the CLI shares them); run them off the event loop."""
    return await in_thread(function, *args, **kwargs)


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
        actor, result = await in_thread(core.run, credentials, operation, *args, **kwargs)
    request.state.actor = actor
    return result
