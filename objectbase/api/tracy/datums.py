"""V1–V4 (and `GET /v1/datums/{id}`): datums one by one (contract §4, §5.2). A datum is one value of a record's property; its id
is stable while the value exists. Each write is an update of the record (same permissions, same
history: `datumAdded`, `datumChanged`, `datumRemoved`)."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.bodies import read_object
from objectbase.api.tracy.members import reference_id
from objectbase.api.tracy.params import int_param
from objectbase.api.tracy.record_params import long_path_id, record_id_param
from objectbase.api.tracy.record_values import read_new_value, read_value
from objectbase.api.tracy.render_records import render_field_datum
from objectbase.core.record_views import RecordList

__all__ = ["add_datum", "change_datum", "get_datum", "list_datums", "remove_datum"]


def _rendered(listed: RecordList) -> list[dict[str, object]]:
    view = listed.views[0]
    return [render_field_datum(view, found, listed.users) for found in view.data]


async def add_datum(request: Request) -> Response:
    body = await read_object(request, "Datum")
    seq = reference_id(body, "record", required=True, bits=64)
    assert seq is not None
    listed = await perform(request, services(request).record_edits.add_value, seq, partial(read_value, entry=body))
    return json_response(_rendered(listed)[0])


async def change_datum(request: Request) -> Response:
    datum_id = long_path_id(request)
    body = await read_object(request, "Datum")
    listed = await perform(request, services(request).record_edits.change_value, datum_id,
                           partial(read_new_value, entry=body))
    return json_response(_rendered(listed)[0])


async def get_datum(request: Request) -> Response:
    listed = await perform(request, services(request).record_edits.get_value, long_path_id(request))
    return json_response(_rendered(listed)[0])


async def remove_datum(request: Request) -> Response:
    await perform(request, services(request).datum_values.remove_datum, long_path_id(request))
    return json_response({})


async def list_datums(request: Request) -> Response:
    seq = record_id_param(request)
    field_id = int_param(request, "propertyId")
    listed = await perform(request, services(request).record_edits.list_values, seq, field_id)
    return json_response(_rendered(listed))
