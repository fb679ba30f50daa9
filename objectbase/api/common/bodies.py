"""Reading request bodies: size-limited, JSON or form, merged with the query string."""

from __future__ import annotations

from typing import Any

import re

import orjson
from starlette.requests import Request

from objectbase.api.common.forms import decode_form, parse_nested
from objectbase.core.errors import LimitExceededError, MalformedInputError

__all__ = ["read_body", "read_params"]


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise LimitExceededError(f"Request body is larger than {limit} bytes", code="body_too_large")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise LimitExceededError(f"Request body is larger than {limit} bytes", code="body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


# A string literal (kept as it is), or a comma after a value with only whitespace between it and
# the `}` or `]` that closes its container (dropped).
_STRING_OR_TRAILING_COMMA = re.compile(
    rb'"(?:[^"\\]|\\.)*"|(?<![ \t\r\n\[{,])[ \t\r\n]*,(?=[ \t\r\n]*[}\]])', re.DOTALL)


def _without_trailing_commas(body: bytes) -> bytes:
    return _STRING_OR_TRAILING_COMMA.sub(lambda m: m.group() if m.group().startswith(b'"') else b"", body)


def _decode_json(body: bytes) -> Any:
    """Strict JSON, except that a trailing comma before `}` or `]` is allowed: QuickBlox's own
    examples carry them (`{"access": "owner",}`, seed 000) and its server takes them. Nothing else
    beyond JSON is (no single quotes, comments, hex numbers or `Infinity`)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:
        return orjson.loads(_without_trailing_commas(body))
    except orjson.JSONDecodeError:
        raise MalformedInputError("Request body is not valid JSON") from None


def _normalise_form(value: Any) -> Any:
    """Form values are strings, and the literal `null` means null."""
    if isinstance(value, dict):
        return {k: _normalise_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_form(item) for item in value]
    return None if value == "null" else value


async def read_params(request: Request, limit: int) -> dict[str, Any]:
    """Query string and body (JSON or form) as one nested dict; body keys win. GET bodies are ignored."""
    params: dict[str, Any] = _normalise_form(parse_nested(request.query_params.multi_items()))
    if request.method in ("GET", "HEAD"):
        return params
    body = await read_body(request, limit)
    if not body.strip():
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or (not content_type and body.lstrip()[:1] in (b"{", b"[")):
        data = _decode_json(body)
        if not isinstance(data, dict):
            raise MalformedInputError("Request body must be a JSON object")
        params.update(data)
    elif content_type in ("application/x-www-form-urlencoded", "", "text/plain"):
        params.update(_normalise_form(decode_form(body)))
    else:
        raise MalformedInputError(f"Unsupported content type {content_type!r}; send JSON or a form")
    return params
