"""Drive an ASGI app with a streamed request body and a counting (discarding) response sink.

The TestClient reads the whole request body into memory before calling the app, which would hide
exactly what a streaming test must see; this talks ASGI directly instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import anyio

from starlette.types import ASGIApp

__all__ = ["Reply", "call"]


@dataclass
class Reply:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0
    sha256: str = ""
    body: bytes = b""  # kept only when small (error bodies)


def call(app: ASGIApp, method: str, path: str, headers: dict[str, str],
         body: Iterable[bytes | None] = ()) -> Reply:
    """`body` chunks are sent in turn; a None among them is the client disconnecting."""
    return anyio.run(_call, app, method, path, headers, iter(body))


async def _call(app: ASGIApp, method: str, path: str, headers: dict[str, str],
                body: Iterator[bytes | None]) -> Reply:
    raw_path, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "https",
        "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()] + [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 443),
    }
    reply = Reply()
    digest = hashlib.sha256()
    end = object()
    pending: Any = next(body, end)

    async def receive() -> dict[str, Any]:
        nonlocal pending
        if pending is None:
            return {"type": "http.disconnect"}
        if pending is end:
            await anyio.sleep_forever()  # the body is over; the client stays connected
        chunk, pending = pending, next(body, end)
        return {"type": "http.request", "body": chunk, "more_body": pending is not end}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            reply.size += len(chunk)
            digest.update(chunk)
            if reply.size <= 4096:
                reply.body += chunk

    await app(scope, receive, send)  # type: ignore[arg-type]
    reply.sha256 = digest.hexdigest()
    return reply
