"""Route dispatch by the path's first segment, with a direct call of the matched endpoint.

Starlette's `Router` tries every route's regular expression in order; the QuickBlox dialect has
over forty, so a record read matched some twenty-five patterns before its own. `SegmentRouter`
keeps Starlette's semantics (order, 405 for a known path with another method, trailing-slash
redirects, 404) but hands each request to a `Router` of only the routes that can match its first
segment. A request that fully matches a plain function route skips even that: the route's own
pattern picks it, and the endpoint is called as Starlette's `request_response` would call it,
without the match's scope copies and the two ASGI closures per request (about a seventh of a
record read's cost, bench/inprocess.py). Everything else (a 405, a redirect, a 404, a mounted app)
goes through Starlette's `Router` unchanged."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from typing import Any, Awaitable, Callable

from starlette._utils import get_route_path
from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import Receive, Scope, Send

__all__ = ["SegmentRouter", "first_segment"]

Endpoint = Callable[[Request], Awaitable[Response]]


def first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""


def _literal_first_segment(route: BaseRoute) -> str | None:
    """The route's first path segment when it is literal; None when it may match anything."""
    if not isinstance(route, Route):
        return None
    segment = first_segment(route.path)
    return None if "{" in segment else segment


class _Direct:
    """A route whose endpoint is an `async def (request) -> Response` with no route middleware."""

    __slots__ = ("route", "pattern", "methods", "endpoint", "convertors")

    def __init__(self, route: Route) -> None:
        self.route = route
        self.pattern: re.Pattern[str] = route.path_regex
        self.methods: set[str] = route.methods or set()
        self.endpoint: Endpoint = route.endpoint
        self.convertors: dict[str, Convertor[Any]] = route.param_convertors


def _direct(route: BaseRoute) -> _Direct | None:
    """Only where calling the endpoint is exactly what `Route.handle` would do."""
    if (isinstance(route, Route) and route.methods and inspect.iscoroutinefunction(route.endpoint)
            and getattr(route.app, "__qualname__", "") == "request_response.<locals>.app"):
        return _Direct(route)
    return None


def _segments(path: str) -> int | None:
    """How many segments a route's paths have; None when a parameter may span several (`:path`)."""
    return None if ":path}" in path else path.count("/")


class _Bucket:
    def __init__(self, routes: list[BaseRoute]) -> None:
        self.router = Router(routes=routes)
        # The routes tried directly, in order, up to the first one that is not direct (the rest
        # are left to the router, so the order of matching stays the routes' order).
        direct: list[_Direct] = []
        for route in routes:
            found = _direct(route)
            if found is None:
                break
            direct.append(found)
        # ...by the number of segments of the paths they match, when every one has a fixed number:
        # a record read then tries the three routes of its length, not a dozen.
        counts = [_segments(d.route.path) for d in direct]
        self.by_segments: dict[int, list[_Direct]] | None = None
        if None not in counts:
            self.by_segments = {}
            for found, count in zip(direct, counts):
                self.by_segments.setdefault(count or 0, []).append(found)
        self.direct = direct

    def candidates(self, path: str) -> list[_Direct]:
        if self.by_segments is None:
            return self.direct
        return self.by_segments.get(path.count("/"), [])


class SegmentRouter:
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        segments = {s for s in map(_literal_first_segment, self.routes) if s is not None}
        # A bucket keeps the original order and every route whose first segment is a parameter.
        self._buckets = {
            segment: _Bucket([r for r in self.routes if _literal_first_segment(r) in (segment, None)])
            for segment in segments}
        self._fallback = _Bucket([r for r in self.routes if _literal_first_segment(r) is None])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._fallback.router(scope, receive, send)
            return
        # The path below the mount point, as the routes themselves match it.
        path = get_route_path(scope)
        bucket = self._buckets.get(first_segment(path), self._fallback)
        method = scope["method"]
        for direct in bucket.candidates(path):
            match = direct.pattern.match(path)
            if match is not None and method in direct.methods:
                params = {key: direct.convertors[key].convert(value) for key, value in match.groupdict().items()}
                # What Router and Route.matches put in the scope (the metrics read "route").
                scope["route"] = direct.route
                scope["endpoint"] = direct.endpoint
                scope["path_params"] = {**scope.get("path_params", {}), **params} if "path_params" in scope else params
                response = await direct.endpoint(Request(scope, receive, send))
                await response(scope, receive, send)
                return
        await bucket.router(scope, receive, send)
