"""Route dispatch by the path's first segment.

Starlette's `Router` tries every route's regular expression in order; the QuickBlox dialect has
over forty, so a record read matched some twenty-five patterns before its own. `SegmentRouter`
keeps Starlette's semantics (order, 405 for a known path with another method, trailing-slash
redirects, 404) but hands each request to a `Router` of only the routes that can match its first
segment."""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Route, Router
from starlette.types import Receive, Scope, Send

__all__ = ["SegmentRouter", "first_segment"]


def first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""


def _literal_first_segment(route: BaseRoute) -> str | None:
    """The route's first path segment when it is literal; None when it may match anything."""
    if not isinstance(route, Route):
        return None
    segment = first_segment(route.path)
    return None if "{" in segment else segment


class SegmentRouter:
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        segments = {s for s in map(_literal_first_segment, self.routes) if s is not None}
        # A bucket keeps the original order and every route whose first segment is a parameter.
        self._buckets = {
            segment: Router(routes=[r for r in self.routes if _literal_first_segment(r) in (segment, None)])
            for segment in segments}
        self._fallback = Router(routes=[r for r in self.routes if _literal_first_segment(r) is None])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._fallback(scope, receive, send)
            return
        # The path below the mount point, as the routes themselves match it.
        await self._buckets.get(first_segment(get_route_path(scope)), self._fallback)(scope, receive, send)
