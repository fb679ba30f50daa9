"""D1–D5: Custom Objects records (create, search, get by ids)."""

from __future__ import annotations

from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.responses import call_core
from objectbase.api.quickblox.auth import authenticate
from objectbase.api.quickblox.context import params, services
from objectbase.api.quickblox.params import DEFAULT_LIMIT, parse_search
from objectbase.api.quickblox.render import render_record
from objectbase.api.quickblox.responses import respond
from objectbase.core.errors import NotFoundError
from objectbase.core.records import NewRecord

__all__ = ["create_record", "get_records", "search_records"]


def new_record(data: Mapping[str, Any], parent_id: Any = None) -> NewRecord:
    return NewRecord(values=data, permissions=data.get("permissions"),
                     parent_id=data.get("_parent_id") if parent_id is None else parent_id)


async def create_record(request: Request) -> Response:
    actor = await authenticate(request)
    data = await params(request)
    created = await call_core(services(request).records.create_records, actor,
                              request.path_params["class_name"], [new_record(data)])
    return respond(request, render_record(created.cls, created.records[0]), 201)


async def search_records(request: Request) -> Response:
    actor = await authenticate(request)
    class_name = request.path_params["class_name"]
    core = services(request)
    cls = await call_core(core.classes.get_class, actor, class_name)
    search = parse_search(cls, await params(request))
    if search.count:
        count = await call_core(core.records.count_records, actor, class_name, search.query.where)
        return respond(request, {"class_name": class_name, "items_count": count})
    found = await call_core(core.records.find_records, actor, class_name, search.query, last=search.last_only)
    return respond(request, {
        "class_name": class_name, "skip": search.query.skip,
        "limit": -1 if search.last_only else search.query.limit,
        "items": [render_record(found.cls, r, permissions=False, fields=search.fields) for r in found.records],
    })


async def get_records(request: Request) -> Response:
    actor = await authenticate(request)
    ids = [i.strip() for i in request.path_params["ids"].split(",") if i.strip()]
    found = await call_core(services(request).records.get_records, actor, request.path_params["class_name"], ids)
    if not found.records:
        raise NotFoundError("Record not found", code="record_not_found")
    body: dict[str, Any] = {"class_name": found.cls.name, "skip": 0, "limit": DEFAULT_LIMIT,
                            "items": [render_record(found.cls, r) for r in found.records]}
    if found.not_found:
        body["not_found"] = {"ids": found.not_found}
    return respond(request, body)
