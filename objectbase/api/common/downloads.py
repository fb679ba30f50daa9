"""Streaming file responses with single byte ranges (RFC 9110 §14): 200, 206, or 416."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from objectbase.api.common.core_calls import call_core
from objectbase.core.uploads import FileDownload

__all__ = ["RangeNotSatisfiable", "content_disposition", "file_response", "parse_range"]

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"range not satisfiable for {size} bytes")
        self.size = size


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, or None for the whole file. Raises RangeNotSatisfiable.

    Other units and multi-range requests are ignored (the whole file is sent, which RFC 9110
    allows); a malformed or unsatisfiable `bytes=` range is a 416.
    """
    if not header or not header.strip().lower().startswith("bytes"):
        return None
    if "," in header:
        return None
    match = _RANGE.match(header)
    if not match:
        raise RangeNotSatisfiable(size)
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text or int(last_text) == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return max(size - int(last_text), 0), size - 1   # suffix: the last N bytes
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(size)
    return first, min(last, size - 1)


def content_disposition(name: str, kind: str = "inline") -> str:
    # ASCII fallback plus RFC 6266 `filename*`: the name is echoed, percent-encoded, never a path.
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name) or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def file_response(request: Request, download: FileDownload, *, public: bool,
                        headers: dict[str, str] | None = None, attachment: bool = False) -> Response:
    """The file, or the part of it the Range header asks for. The backend is opened before the
    status is sent, so a missing object is a clean 404 rather than a broken 200. `attachment`: the
    browser saves it rather than showing it (the dashboard's download links)."""
    base = dict(headers or {})
    base.update({
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(download.name, "attachment" if attachment else "inline"),
        # Stored content types come from clients: never let a browser run them in our origin.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
    if not public:
        base["Cache-Control"] = "private, no-cache"
    span = parse_range(request.headers.get("range"), download.size)
    status, start, length = 200, 0, download.size
    if span is not None:
        status, start, length = 206, span[0], span[1] - span[0] + 1
        base["Content-Range"] = f"bytes {span[0]}-{span[1]}/{download.size}"
    base["Content-Length"] = str(length)
    # As a header rather than `media_type`, so Starlette does not append a charset to text types.
    base["Content-Type"] = download.content_type
    if request.method == "HEAD":
        return Response(b"", status, headers=base)
    chunks = await call_core(download.open, start, length)
    return StreamingResponse(chunks, status, headers=base)
