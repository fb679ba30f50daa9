"""`GET /metrics` in the Prometheus text format: requests by dialect, route template, method and
status, their latency, 5xx errors, and the database pool. Counted in the pipeline, only when
`--metrics` is on (nothing is added to a request otherwise).

With `serve --workers N` (N > 1) the workers write their counts to a shared folder (the client's
multiprocess mode, PROMETHEUS_MULTIPROC_DIR, set by `serve`): a scrape, whichever worker answers it,
gives the whole server's counts. The pool gauges are the answering worker's own."""

from __future__ import annotations

import hmac
import os
import time
from typing import Any, Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MULTIPROCESS_ENV", "Metrics"]

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds; a cached read takes about a millisecond, an import of thousands of records seconds.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class _PoolCollector:
    """The database pool's connections at scrape time (read from the engine, not counted per request)."""

    def __init__(self, pool: Callable[[], dict[str, int]]) -> None:
        self._pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, value in self._pool().items():
            yield GaugeMetricFamily(f"objectbase_db_pool_{name}", f"Database pool connections: {name}",
                                    value=value)


class Metrics:
    def __init__(self, *, token: str = "", pool: Callable[[], dict[str, int]] | None = None) -> None:
        self._token = token.encode()
        # Our own registry: two servers in one process (the tests) must not share counts.
        self._registry = CollectorRegistry()
        self._requests = Counter("objectbase_requests", "Requests answered",
                                 ["dialect", "route", "method", "status"], registry=self._registry)
        self._latency = Histogram("objectbase_request_duration_seconds", "Time to answer a request",
                                  ["dialect", "route"], buckets=_BUCKETS, registry=self._registry)
        self._errors = Counter("objectbase_errors", "Requests answered with a 5xx status",
                               ["dialect", "status"], registry=self._registry)
        self._exposed = self._registry
        if os.environ.get(MULTIPROCESS_ENV):
            self._exposed = CollectorRegistry()
            multiprocess.MultiProcessCollector(self._exposed)  # type: ignore[no-untyped-call]
        if pool is not None:
            self._exposed.register(_PoolCollector(pool))
        # Label children by key: `labels()` costs more than the increment itself.
        self._children: dict[tuple[str, str, str, int], tuple[Any, Any, Any]] = {}

    async def count(self, app: ASGIApp, dialect: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `app` on the request, then count it under the route template it matched."""
        status = 500
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            key = (dialect, route, scope["method"], status)
            children = self._children.get(key)
            if children is None:
                errors = self._errors.labels(dialect, str(status)) if status >= 500 else None
                children = (self._requests.labels(dialect, route, scope["method"], str(status)),
                            self._latency.labels(dialect, route), errors)
                self._children[key] = children
            children[0].inc()
            children[1].observe(time.perf_counter() - started)
            if children[2] is not None:
                children[2].inc()

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The scrape: the text format, or 401 when a token is set and the request lacks it."""
        if self._token:
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, b"Bearer " + self._token):
                await _answer(send, 401, b"metrics need Authorization: Bearer <metrics token>\n",
                              b"text/plain; charset=utf-8", [(b"www-authenticate", b"Bearer")])
                return
        await _answer(send, 200, generate_latest(self._exposed), CONTENT_TYPE_LATEST.encode())


async def _answer(send: Send, status: int, body: bytes, content_type: bytes,
                  extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                            *(extra or [])]})
    await send({"type": "http.response.body", "body": body})
