"""R1–R4 and the item-URL writes of contract §5: records of a table through the core.

Batch writes on the collection URL (C1, U1–U3, D2–D6) are in `batches.py`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.dreamfactory.filters import parse_filter
from objectbase.api.dreamfactory.order import parse_order
from objectbase.api.dreamfactory.params import DFRequest, read_request
from objectbase.api.dreamfactory.render import render_record, render_records
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.query import ast
from objectbase.core.services import Services

__all__ = ["DEFAULT_LIMIT", "NAMES", "field_list", "get_record", "list_records", "record_not_found",
           "where_of"]

# Most records one GET returns, and what a missing or larger `limit` means (§4, §11).
DEFAULT_LIMIT = 1000
# DreamFactory matches names case-insensitively and refuses fields the table does not have.
NAMES = ast.NameRules(fold_case=True, unknown_in_filter="reject")


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def record_not_found(record_id: str) -> NotFoundError:
    return NotFoundError(f"Record with identifier '{record_id}' not found.", code="record_not_found")


def field_list(df: DFRequest, *, default_all: bool) -> tuple[str, ...] | None:
    """`fields`/`select`: None for every field; writes default to the identifier only (§4)."""
    names = df.names("fields", "select")
    if names is None or names == ():
        return None if default_all else ("_id",)
    if "*" in names:
        return None
    return tuple(n for n in names if n != "_id") + ("_id",)


def where_of(df: DFRequest) -> ast.Node:
    text = df.text("filter", "where")
    if not text:
        return ast.TRUE
    params = df.first(("params",))
    if params is not None and not isinstance(params, dict):
        raise ValidationError.single("params", "invalid", "params must be an object of :name to value")
    return parse_filter(text, params)


# Every app has one database service, named as DreamFactory's default.
SERVICE = "db"


def _table(request: Request) -> str:
    service = str(request.path_params["service"])
    if service != SERVICE:
        raise NotFoundError(f'Service "{service}" not found.', code="service_not_found")
    return str(request.path_params["table"])


async def list_records(request: Request) -> Response:
    """R1 (filter, paging, order, counts) and R2 (`ids`)."""
    df = await read_request(request)
    surface = df.surface
    fields = field_list(df, default_all=True)
    ids = df.names("ids")
    if ids is not None:
        found = await perform(request, services(request).records.get_records, _table(request), list(ids))
        if found.not_found:
            raise record_not_found(found.not_found[0])
        return json_response({surface.wrapper: render_records(found.cls, found.records, fields)})
    where = where_of(df)
    if df.flag("count_only"):
        count = await perform(request, services(request).records.count_records, _table(request), where, NAMES)
        return json_response(count)
    asked = df.integer("limit", "top")
    limit = asked if asked is not None and 0 < asked <= DEFAULT_LIMIT else DEFAULT_LIMIT
    offset = max(df.integer("offset", "skip") or 0, 0)
    order = df.text("order", "sort", "order_by")
    query = ast.Query(where=where, sort=parse_order(order) if order else (), skip=offset, limit=limit,
                      fields=fields, names=NAMES)
    # The total is counted when asked for, or when the server imposed the limit (§6.4).
    counted = df.flag("include_count") or asked is None or asked != limit
    found = await perform(request, services(request).records.find_records, _table(request), query,
                          count_total=counted)
    body: dict[str, Any] = {surface.wrapper: render_records(found.cls, found.records, found.fields)}
    meta: dict[str, Any] = {}
    if counted:
        if df.flag("include_count") or found.total > limit:
            meta["count"] = found.total
        if found.total - offset > limit:
            meta["next"] = offset + limit + surface.next_offset_extra
    if meta:
        body["meta"] = meta
    return json_response(body)


async def get_record(request: Request) -> Response:
    """R4: one record by its item URL, unwrapped; a missing one is a 404."""
    df = await read_request(request)
    record_id = str(request.path_params["id"])
    found = await perform(request, services(request).records.get_records, _table(request), [record_id])
    if not found.records:
        raise record_not_found(record_id)
    return json_response(render_record(found.cls, found.records[0], field_list(df, default_all=True)))
