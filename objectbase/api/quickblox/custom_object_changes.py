"""D8–D13: Custom Objects — update (one, many, by criteria) and delete (one, many, by criteria)."""

from __future__ import annotations

from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.state import services
from objectbase.api.quickblox.context import params
from objectbase.api.quickblox.custom_objects import numbered_items, path_ids
from objectbase.api.quickblox.errors import wire_field_names
from objectbase.api.quickblox.params import DEFAULT_LIMIT, NAMES, parse_filters
from objectbase.api.quickblox.render import render_record, render_records
from objectbase.api.quickblox.responses import respond
from objectbase.api.quickblox.updates import parse_change
from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.records import DeleteResult

__all__ = ["delete_by_criteria", "delete_records", "update_by_criteria", "update_many", "update_record"]


async def update_record(request: Request) -> Response:
    # One record per update (several ids name no record); none is refused by the core.
    ids = path_ids(request)
    data = await params(request)
    changes = [parse_change(data, ",".join(ids))] if ids else []
    updated = await perform(request, services(request).records.update_records, request.path_params["class_name"],
                            changes)
    if updated.denied:
        raise PermissionDeniedError()
    if not updated.records:
        raise NotFoundError("Record not found", code="record_not_found")
    return respond(request, render_record(updated.cls, updated.records[0]))


async def update_many(request: Request) -> Response:
    changes = []
    for item in numbered_items(await params(request)):
        record_id = item.get("id", item.get("_id"))
        if not isinstance(record_id, str) or not record_id:
            raise ValidationError.single("record", "invalid", "every record[N] needs its id (record[N][id]=…)")
        changes.append(parse_change(item, record_id))
    updated = await perform(request, services(request).records.update_records, request.path_params["class_name"],
                              changes)
    return respond(request, {
        "class_name": updated.cls.name, "not_found": {"ids": updated.not_found},
        "WrongPermissions": {"ids": updated.denied},
        "items": render_records(updated.cls, updated.records),
    })


def _criteria(data: Mapping[str, Any]) -> Mapping[str, Any]:
    criteria = data.get("search_criteria")
    if not isinstance(criteria, Mapping) or not criteria:
        raise ValidationError.single("search_criteria", "blank",
                                     "search_criteria are required, e.g. search_criteria[score_value][gt]=10")
    return criteria


async def update_by_criteria(request: Request) -> Response:
    class_name, data = request.path_params["class_name"], await params(request)
    updated = await perform(request, services(request).records.update_by_criteria, class_name,
                            parse_filters(_criteria(data)), parse_change(data), NAMES)
    return respond(request, {
        "class_name": class_name, "skip": 0, "limit": DEFAULT_LIMIT, "total_found": updated.total,
        "items": render_records(updated.cls, updated.records[:DEFAULT_LIMIT]),
    })


def _summary(result: DeleteResult) -> dict[str, Any]:
    # The SDK reads SuccessfullyDeleted.ids even for one id, so every key is always present.
    return {"SuccessfullyDeleted": {"ids": result.deleted}, "WrongPermissions": {"ids": result.denied},
            "NotFound": {"ids": result.not_found}}


async def delete_records(request: Request) -> Response:
    ids = path_ids(request)
    result = await perform(request, services(request).records.delete_records, request.path_params["class_name"], ids)
    if len(ids) == 1 and not result.deleted:
        if result.denied:
            raise PermissionDeniedError()
        raise NotFoundError("Record not found", code="record_not_found")
    return respond(request, _summary(result))


def _delete_criteria(data: Mapping[str, Any]) -> Mapping[str, Any]:
    # Criteria come as plain parameters (SDK: in the body; curl: in the query), or in search_criteria.
    criteria = data.get("search_criteria")
    return criteria if isinstance(criteria, Mapping) else data


async def delete_by_criteria(request: Request) -> Response:
    where = parse_filters(_delete_criteria(await params(request)))
    with wire_field_names({"criteria": "search_criteria"}):
        result = await perform(request, services(request).records.delete_by_criteria,
                               request.path_params["class_name"], where, NAMES)
    return respond(request, {"total_deleted": len(result.deleted)})
