"""Reading a DreamFactory request (contract §4): parameters from the query string and the JSON body,
merged by the surface's precedence rule, and the records a write body carries (§5.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import orjson
from starlette.requests import Request

from objectbase.api.common.bodies import read_body
from objectbase.api.common.state import settings
from objectbase.api.dreamfactory.credentials import BODY_CREDENTIALS
from objectbase.api.dreamfactory.surfaces import Surface, surface_of
from objectbase.core.errors import MalformedInputError, ValidationError

__all__ = ["DFRequest", "PARAMETER_NAMES", "read_request"]

# Parameters of §4 (and credentials): in a body they sit next to the records, never inside one.
PARAMETER_NAMES = frozenset({
    "fields", "select", "ids", "id_field", "id_type", "filter", "where", "params", "limit", "top", "offset",
    "skip", "order", "sort", "order_by", "include_count", "count_only", "include_schema", "related", "as_list",
    "continue", "rollback", "force", "group", "having", "refresh", "wrap", "api_key", "session_token",
    "method", "_method",
})

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
# The largest integer a limit or offset may name (beyond it nothing is left to page through).
_MAX_INT = 2**62


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError.single(name, "invalid", message)


@dataclass
class DFRequest:
    surface: Surface
    params: dict[str, Any]
    # The records of a write: `{W: [...]}` or a bare array; None when the body had none.
    records: list[Any] | None = None
    # A bare object body: one record, answered unwrapped.
    single: dict[str, Any] | None = None
    body: dict[str, Any] = field(default_factory=dict)

    def first(self, names: Sequence[str]) -> Any:
        for name in names:
            if name in self.params and self.params[name] is not None:
                return self.params[name]
        return None

    def text(self, *names: str) -> str | None:
        value = self.first(names)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise _bad(names[0], f"{names[0]} must be text")
        return str(value)

    def flag(self, *names: str) -> bool:
        value = self.first(names)
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _bad(names[0], f"{names[0]} must be true or false")

    def integer(self, *names: str) -> int | None:
        value = self.first(names)
        if value is None or value == "":
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            raise _bad(names[0], f"{names[0]} must be an integer") from None
        return max(-_MAX_INT, min(number, _MAX_INT))

    def names(self, *names: str) -> tuple[str, ...] | None:
        """A comma-separated list or a JSON array; None when absent."""
        value = self.first(names)
        if value is None:
            return None
        items = value if isinstance(value, list) else str(value).split(",")
        return tuple(str(i).strip() for i in items if str(i).strip())


def _decode(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MalformedInputError("Malformed JSON request body", code="malformed_json") from None


async def read_request(request: Request) -> DFRequest:
    surface = surface_of(request)
    query: dict[str, Any] = {k: v for k, v in request.query_params.items()}
    data: Any = None
    if request.method not in ("GET", "HEAD") or request.headers.get("content-length", "0") != "0":
        raw = await read_body(request, settings(request).max_body_bytes)
        if raw.strip():
            data = _decode(raw)
    body: dict[str, Any] = {}
    records: list[Any] | None = None
    single: dict[str, Any] | None = None
    if isinstance(data, list):
        records = data
    elif isinstance(data, Mapping):
        body = dict(data)
        wrapped = body.pop(surface.wrapper, None)
        if wrapped is None and surface.wrapper != "resource":
            wrapped = body.pop("resource", None)  # harmless superset: v2's wrapper on legacy too
        if wrapped is not None:
            if not isinstance(wrapped, list):
                raise MalformedInputError(f"{surface.wrapper} must be a list of records", code="malformed_records")
            records = wrapped
    elif data is not None:
        raise MalformedInputError("The request body must be a JSON object or array", code="malformed_json")
    if records is None and body and request.method != "GET":
        # A bare object is one record (legacy; accepted on v2 too, §5.1).
        single = {k: v for k, v in body.items() if k not in PARAMETER_NAMES} or None
    # Credentials may come in the body too (§3.1); the dialect reads them from here.
    setattr(request.state, BODY_CREDENTIALS,
            {k: str(v).strip() for k, v in body.items() if k in ("api_key", "session_token") and isinstance(v, str)})
    params = {**query, **body} if surface.body_wins else {**body, **query}
    _check_identifier(params)
    if isinstance(params.get("params"), str):
        # `params` in a query string is JSON text (`params={":n": 5}`).
        params["params"] = _decode(params["params"].encode())
    return DFRequest(surface, params, records, single, body)


def _check_identifier(params: Mapping[str, Any]) -> None:
    """`id_field` must name a unique field: in Objectbase only `_id` is (§4). `id_type` only casts ids."""
    raw = params.get("id_field")
    names = raw if isinstance(raw, list) else str(raw or "").split(",")
    others = [str(n).strip() for n in names if str(n).strip() and str(n).strip().lower() != "_id"]
    if others:
        raise MalformedInputError(f"Field '{others[0]}' is not unique: only _id identifies records.",
                                  code="id_field_not_unique")
