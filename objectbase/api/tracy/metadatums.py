"""M1–M2: metadatums (contract §3.3, §4): a number or record link per record and representation,
stored as given (the core has no representations yet, so their ids are not checked). Writes need
the record's update permission, reads its read permission."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.bodies import read_object
from objectbase.api.tracy.body_members import metadatum_value
from objectbase.api.tracy.members import reference_id
from objectbase.api.tracy.params import int_param
from objectbase.api.tracy.record_params import long_path_id, record_id_param
from objectbase.api.tracy.record_values import record_reference
from objectbase.api.tracy.render_records import render_metadatum
from objectbase.core.models import Metadatum

__all__ = ["add_metadatum", "change_metadatum", "list_metadatums", "remove_metadatum"]


def _rendered(metadatum: Metadatum) -> dict[str, Any]:
    return render_metadatum(metadatum, record_reference(metadatum.record_seq))


async def add_metadatum(request: Request) -> Response:
    body = await read_object(request, "Metadatum")
    seq = reference_id(body, "record", required=True, bits=64)
    assert seq is not None
    _cls, _record, added = await perform(request, services(request).record_edits.add_metadatum, seq,
                                         metadatum_value(body, ""))
    return json_response(_rendered(added))


async def change_metadatum(request: Request) -> Response:
    metadatum_id = long_path_id(request)
    body = await read_object(request, "Metadatum")
    value = metadatum_value(body, "", representation_required=False)
    _cls, _record, changed = await perform(request, services(request).record_edits.change_metadatum,
                                           metadatum_id, value)
    return json_response(_rendered(changed))


async def remove_metadatum(request: Request) -> Response:
    await perform(request, services(request).metadata.remove_metadatum, long_path_id(request))
    return json_response({})


async def list_metadatums(request: Request) -> Response:
    seq = record_id_param(request)
    representation = int_param(request, "representationId")
    _cls, _record, found = await perform(request, services(request).record_edits.list_metadata, seq)
    return json_response([_rendered(m) for m in found if representation is None or m.representation == representation])
