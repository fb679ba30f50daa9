"""D1–D7: Custom Objects — create (one, many, child), search, count, aggregate, get by ids, ACL."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.counts import applied_count_headers, count_mode
from objectbase.api.common.state import services
from objectbase.api.quickblox.context import params
from objectbase.api.quickblox.errors import wire_field_names
from objectbase.api.quickblox.params import DEFAULT_LIMIT, parse_search, search_error_keys
from objectbase.api.quickblox.permissions import parse_record_permissions, render_permissions
from objectbase.api.quickblox.render import render_record, render_records
from objectbase.api.quickblox.responses import respond
from objectbase.api.quickblox.updates import parent_ref
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.query import ast
from objectbase.core.records import NewRecord

__all__ = ["create_child", "create_many", "create_record", "get_records", "list_children", "numbered_items",
           "path_ids", "search_records"]


def path_ids(request: Request) -> list[str]:
    """The comma-joined ids of a record URL, blanks dropped (the core refuses a list that names none)."""
    return [i.strip() for i in request.path_params["ids"].split(",") if i.strip()]


def new_record(data: Mapping[str, Any], parent_id: str | None = None) -> NewRecord:
    return NewRecord(values=data, permissions=parse_record_permissions(data.get("permissions")),
                     parent_id=parent_ref(data.get("_parent_id")) if parent_id is None else parent_id)


def numbered_items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """`record[N][...]` (form, N from 1) or `{"record": {"0": …}}` / a JSON list, in ascending N."""
    raw = data.get("record")
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, Mapping) and all(str(k).isdigit() for k in raw):
        items = [raw[k] for k in sorted(raw, key=lambda k: int(k))]
    else:
        raise ValidationError.single("record", "invalid", "must be record[N][field]=value, N a number")
    if not items or not all(isinstance(i, Mapping) for i in items):
        raise ValidationError.single("record", "invalid", "every record[N] must hold fields")
    return items


async def create_record(request: Request) -> Response:
    created = await perform(request, services(request).records.create_records, request.path_params["class_name"], [new_record(await params(request))])
    return respond(request, render_record(created.cls, created.records[0]), 201)


async def create_many(request: Request) -> Response:
    items = numbered_items(await params(request))
    created = await perform(request, services(request).records.create_records, request.path_params["class_name"], [new_record(i) for i in items])
    return respond(request, {"class_name": created.cls.name,
                             "items": render_records(created.cls, created.records)}, 201)


async def create_child(request: Request) -> Response:
    item = new_record(await params(request), parent_id=request.path_params["parent_id"])
    created = await perform(request, services(request).records.create_records, request.path_params["child_class"],
                              [item], parent_class=request.path_params["class_name"])
    return respond(request, render_record(created.cls, created.records[0]), 201)


async def _search(request: Request, class_name: str, where: ast.Node = ast.TRUE) -> Response:
    records = services(request).records
    search = parse_search(await params(request))
    query = replace(search.query, where=ast.conjoin(where, search.query.where))
    with wire_field_names(search_error_keys(search)):
        if search.count:
            counted = await perform(request, partial(records.count, mode=count_mode(request)), class_name,
                                    query.where, query.names)
            response = respond(request, {"class_name": class_name, "items_count": counted.total})
            response.headers.update(applied_count_headers(request, counted.estimated))
            return response
        envelope: dict[str, Any] = {"class_name": class_name, "skip": query.skip,
                                    "limit": -1 if search.last_only else query.limit}
        if search.group_by is not None:
            cls, groups = await perform(request, records.aggregate, class_name, query, search.group_by,
                                        search.calculations)
            group_field = cls.fields.get(search.group_by)
            for group in groups:
                if group_field is not None:
                    group[search.group_by] = group_field.type.to_json(group[search.group_by])
            return respond(request, {**envelope, "items": groups})
        found = await perform(request, records.find_records, class_name, query, last=search.last_only)
    envelope["items"] = render_records(found.cls, found.records, permissions=False, fields=found.fields)
    return respond(request, envelope)


async def search_records(request: Request) -> Response:
    return await _search(request, request.path_params["class_name"])


async def list_children(request: Request) -> Response:
    parent_id = request.path_params["parent_id"]
    return await _search(request, request.path_params["child_class"], ast.Compare("_parent_id", "eq", parent_id))


async def get_records(request: Request) -> Response:
    class_name = request.path_params["class_name"]
    ids = path_ids(request)
    # Most reads have no query at all: no QueryParams parsed for them.
    if request.scope["query_string"] and str(request.query_params.get("permissions", "")) in ("1", "true"):
        if len(ids) != 1:
            raise ValidationError.single("permissions", "invalid", "permissions are read for one record at a time")
        record = await perform(request, services(request).records.get_record_permissions, class_name, ids[0])
        return respond(request, {"permissions": render_permissions(record.acl), "record_id": record.id})
    found = await perform(request, services(request).records.get_records, class_name, ids)
    if not found.records:
        raise NotFoundError("Record not found", code="record_not_found")
    body: dict[str, Any] = {"class_name": found.cls.name, "skip": 0, "limit": DEFAULT_LIMIT,
                            "items": render_records(found.cls, found.records)}
    if found.not_found:
        body["not_found"] = {"ids": found.not_found}
    return respond(request, body)
