"""The one request pipeline: request id, CORS, a body-size guard, the last-resort error handler, and
dispatch by path prefix to the dialect that owns the path.

Every dialect is a `Dialect`: its ASGI app (routes), how it reads credentials from a request, and
how it words any error, so that even a crash or an unknown path answers in the caller's dialect.
"""

from __future__ import annotations

import logging
import random
import re
from typing import Any, Callable, Protocol, Sequence

from starlette.datastructures import Headers, State
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from objectbase.api.common.json_logs import current_request_id
from objectbase.api.common.metrics import Metrics
from objectbase.core.credentials import Credentials
from objectbase.core.errors import LimitExceededError, ObjectbaseError, RateLimitedError
from objectbase.core.sign_in_limits import client_address

__all__ = ["DIALECT_KEY", "REQUEST_ID_KEY", "Dialect", "Server", "dialect_of", "request_id_of"]

log = logging.getLogger(__name__)

DIALECT_KEY = "objectbase.dialect"
REQUEST_ID_KEY = "objectbase.request_id"
# The headers the pipeline adds to the response (request id, CORS), worked out once per request.
_ADDED_HEADERS_KEY = "objectbase.added_headers"
_PREFLIGHT_KEY = "objectbase.preflight"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Room for multipart framing around the largest upload.
_FRAMING_BYTES = 64 * 1024


class Dialect(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def prefixes(self) -> Sequence[str]:
        """Path prefixes the dialect owns; "" takes every path no other dialect claims."""
        ...

    @property
    def cors_headers(self) -> Sequence[str]:
        """Request headers browsers may send (CORS)."""
        ...

    @property
    def expose_headers(self) -> Sequence[str]:
        """Response headers browsers may read (CORS)."""
        ...

    @property
    def app(self) -> ASGIApp:
        """The dialect's routes."""
        ...

    def credentials(self, request: Request) -> Credentials: ...

    def error_response(self, request: Request, error: Exception) -> Response:
        """Any exception -> the dialect's error body and status (domain errors, HTTP errors, crashes);
        the pipeline logs every 5xx."""
        ...


def _with_vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A response's headers with `Origin` added to its `Vary` (as Starlette's CORS middleware does
    for every response: a cache must not serve one origin's answer to another)."""
    varies = [value for name, value in headers if name.lower() == b"vary"]
    if not varies:
        return [*headers, (b"vary", b"Origin")]
    return [(n, v) for n, v in headers if n.lower() != b"vary"] + [(b"vary", b", ".join([*varies, b"Origin"]))]


def dialect_of(request: Request) -> Dialect:
    found: Dialect = request.scope[DIALECT_KEY]
    return found


def request_id_of(scope: Scope) -> str:
    return str(scope.get(REQUEST_ID_KEY, "-"))


class Server:
    """The ASGI app of the whole server. `state` is what handlers read as `request.app.state`."""

    def __init__(self, dialects: Sequence[Dialect], *, max_request_bytes: int, state: dict[str, Any],
                 on_shutdown: Callable[[], None], metrics: Metrics | None = None,
                 log_request_ids: bool = False) -> None:
        self.state = State(state)
        # None: no /metrics and nothing counted (the hot path pays nothing for it).
        self._metrics = metrics
        # JSON logs name each line's request (api/common/json_logs.py); text logs name it in the message.
        self._log_request_ids = log_request_ids
        self.max_request_bytes = max_request_bytes + _FRAMING_BYTES
        self._on_shutdown = on_shutdown
        # Longest prefix first, so "/api/v2" wins over "".
        # "/" stays "/" and matches only the bare root path (the landing answer).
        self._mounts = sorted(((p.rstrip("/") or p, d) for d in dialects for p in d.prefixes),
                              key=lambda mount: len(mount[0]), reverse=True)
        if not self._mounts or self._mounts[-1][0] != "":
            raise ValueError("one dialect must take the paths no other claims (prefix '')")
        # Every dialect takes `Prefer: count=…` (api/common/counts.py) and answers the request id.
        headers = sorted({h for d in dialects for h in d.cors_headers} | {"Prefer"})
        exposed = sorted({h for d in dialects for h in d.expose_headers} | {"X-Request-Id", "Preference-Applied"})
        # Starlette's CORS rules, applied in the pipeline's own layer: its preflight answers, and
        # the headers it adds to a response to a request with an Origin (every origin allowed, no
        # credentials: `Access-Control-Allow-Origin: *`, the exposed headers, and `Vary: Origin`).
        self._cors = CORSMiddleware(self._guarded, allow_origins=["*"], allow_headers=headers,
                                    allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                                    expose_headers=exposed, max_age=600)
        self._cors_headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                              for name, value in self._cors.simple_headers.items()]

    def _dialect_for(self, path: str) -> tuple[str, Dialect]:
        for prefix, dialect in self._mounts:
            if not prefix or path == prefix or (prefix != "/" and path.startswith(prefix + "/")):
                return prefix, dialect
        return self._mounts[-1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets (yet): the connection is refused
        if self._metrics is not None and scope["path"] == "/metrics":
            await self._metrics.serve(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        # A request id names a request in logs; it needs to be unique, not unguessable (no syscall).
        request_id = incoming if _REQUEST_ID.match(incoming) else f"{random.getrandbits(128):032x}"
        path: str = scope["path"]
        prefix, dialect = self._dialect_for(path)
        # `app` in the scope also makes Starlette's router raise 404/405 as HTTPException, which the
        # guard below words in the dialect's shape. The prefix itself is the dialect's "/".
        scope = dict(scope, app=self, root_path=scope.get("root_path", "") + prefix,
                     path=path + "/" if prefix and path == prefix else path,
                     **{DIALECT_KEY: dialect, REQUEST_ID_KEY: request_id})
        added = [(b"x-request-id", request_id.encode("latin-1"))]
        preflight = (b"origin" in headers and scope["method"] == "OPTIONS"
                     and b"access-control-request-method" in headers)
        if b"origin" in headers and not preflight:  # a preflight's answer carries its own CORS headers
            added += self._cors_headers
        scope[_ADDED_HEADERS_KEY] = added
        scope[_PREFLIGHT_KEY] = preflight
        # The address sign-in limits count by (core/sign_in_limits.py): the peer's, as uvicorn gives it.
        client = scope.get("client")
        address = client_address.set(str(client[0]) if client else "")
        logged_id = current_request_id.set(request_id) if self._log_request_ids else None
        try:
            if self._metrics is None:
                await self._guarded(scope, receive, send)
            else:
                await self._metrics.count(self._guarded, dialect.name, scope, receive, send)
        finally:
            if logged_id is not None:
                current_request_id.reset(logged_id)
            client_address.reset(address)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The dialect's app with the body-size guard, the pipeline's response headers, and the
        last-resort error handler: one layer (each ASGI wrapper costs every request two calls)."""
        dialect: Dialect = scope[DIALECT_KEY]
        added: list[tuple[bytes, bytes]] = scope[_ADDED_HEADERS_KEY]
        started = False
        received = 0
        limit = self.max_request_bytes

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = dict(message, headers=_with_vary_origin([*message.get("headers", []), *added]))
            await send(message)

        async def receiving() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise LimitExceededError(f"Request body is larger than {limit} bytes", code="body_too_large")
            return message

        try:
            declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
            if not declared.isdigit() or int(declared) > limit:
                raise LimitExceededError(f"Request body is larger than {limit} bytes", code="body_too_large")
            if scope[_PREFLIGHT_KEY]:
                await self._cors.preflight_response(request_headers=Headers(scope=scope))(scope, receive, sending)
            else:
                await dialect.app(scope, receiving, sending)
        except Exception as error:  # the last resort: whatever went wrong answers in the dialect's shape
            if started:
                log.error("request %s failed after its response started", request_id_of(scope), exc_info=error)
                return
            request = Request(scope, receive)
            response = dialect.error_response(request, error)
            if isinstance(error, RateLimitedError):
                # Every dialect's 429 says when to come back, whatever its body's shape.
                response.headers["Retry-After"] = str(error.retry_after)
            if response.status_code >= 500:
                # Logged here, once for every dialect, with the request id; the body never says more.
                expected = isinstance(error, ObjectbaseError)
                log.log(logging.WARNING if expected else logging.ERROR, "request %s: %s on %s %s",
                        request_id_of(scope), getattr(error, "code", "unhandled error"), request.method,
                        request.url.path, exc_info=error)
            await response(scope, receive, sending)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

