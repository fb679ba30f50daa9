"""Calling the core from a handler: for an authenticated operation one transaction that
authenticates and runs it (core `Services.run`), on a thread-pool thread unless the storage answers
in-process (SQLite), where the hop would cost more than the call — but for scans, which take turns
on a thread of their own."""

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
from objectbase.core.unit_of_work import is_scan

__all__ = ["call_core", "in_thread", "perform"]

P = ParamSpec("P")
T = TypeVar("T")


# As many threads as anyio's default limit (and the PostgreSQL pool's connections, storage/engine.py).
_THREADS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="objectbase-core")


# Scans (`@scans`: counts, aggregates) of an in-process database, one at a time in arrival order.
# Inline, each held up the event loop, which reads new requests only between the callbacks it has
# ready, so a request arriving during a batch of counts waited for that whole batch and the next
# (SQLite W4 p99 202 ms at c16). On the main pool, sixteen SQLite connections each read the index
# into a page cache of their own, out of the CPU's caches (W4 425 -> 310 req/s, RSS 84 -> 124 MiB).
_SCANS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="objectbase-scan")


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function` on a thread of the pool, in the caller's context (its context variables: the
    client's address, the request id). asyncio's executor: anyio's `to_thread`, which Starlette's
    `run_in_threadpool` is, cost a third more CPU per hop (86 µs against 62 µs here)."""
    return await _hop(_THREADS, function, *args, **kwargs)


async def _hop(executor: ThreadPoolExecutor, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


async def call_core(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Core services are synchronous (the CLI shares them); run them off the event loop."""
    return await in_thread(function, *args, **kwargs)


async def perform(request: Request, operation: Callable[Concatenate[Actor, P], T],
                  *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a core operation as the request's actor (read from its credentials by its dialect).
    The actor is kept on `request.state.actor` for the response (e.g. a session's expiry)."""
    credentials = dialect_of(request).credentials(request)
    core = services(request)
    inline = core.runs_inline(operation)
    if inline and not is_scan(operation):
        # An embedded database answers in microseconds: a thread hop would cost more than the call.
        actor, result = core.run(credentials, operation, *args, **kwargs)
    elif inline:
        actor, result = await _hop(_SCANS, core.run, credentials, operation, *args, **kwargs)
    else:
        actor, result = await in_thread(core.run, credentials, operation, *args, **kwargs)
    request.state.actor = actor
    return result
