"""R1–R5: records (contract §5, §6, §8). A record's Tracy id is its `_seq`.

Each request is one core call (one transaction): create with datums and metadatums, or a PATCH
combining datums, state, metadatums and the archive/trash marks, writes everything or nothing."""

from __future__ import annotations

from functools import partial
from typing import Any, Sequence

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.counts import applied_count_headers, count_mode
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.bodies import read_object
from objectbase.api.tracy.params import include_of
from objectbase.api.tracy.record_params import list_query, long_path_id
from objectbase.api.tracy.record_values import read_values
from objectbase.api.tracy.body_members import metadatum_values, optional_list
from objectbase.api.tracy.members import reference_id
from objectbase.api.tracy.render_records import RECORD_INCLUDES, render_record, render_records
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.record_edits import RecordDraft, RecordEdit
from objectbase.core.record_views import RecordList, RecordParts
from objectbase.core.schema import ClassDef

__all__ = ["create_record", "delete_record", "edit_record", "get_record", "list_records"]

_FULL = frozenset({"datums", "metadatums", "events", "transitions"})


def _one(listed: RecordList, include: frozenset[str] = _FULL) -> Response:
    return json_response(render_record(listed.views[0], listed, include))


def _parts(include: frozenset[str]) -> RecordParts:
    return RecordParts(metadata="metadatums" in include, events="events" in include,
                       transitions="transitions" in include)


def _values(entries: Sequence[Any], cls: ClassDef) -> dict[str, Any]:
    return read_values(cls, entries)


async def create_record(request: Request) -> Response:
    body = await read_object(request, "PostRecord")
    original = reference_id(body, "original", bits=64)
    dataset = reference_id(body, "dataset", required=original is None)
    datums = optional_list(body, "datums")
    if original is None and not datums:
        raise ValidationError({"datums": [FieldError("required", "At least one datum is required.")]},
                              "A new record needs at least one datum")
    draft = RecordDraft(partial(_values, datums), class_id=dataset, original_seq=original,
                        state_id=reference_id(body, "state"), metadata=metadatum_values(body))
    return _one(await perform(request, services(request).record_edits.create_record, draft))


async def get_record(request: Request) -> Response:
    seq = long_path_id(request)
    include = include_of(request, RECORD_INCLUDES, _FULL)
    parts = _parts(include)
    return _one(await perform(request, services(request).record_views.view_record, seq, parts), include)


def _mark(body: dict[str, Any], member: str) -> bool | None:
    """`archived`/`removed`: absent = unchanged, null = clear, a timestamp = set (the server's time)."""
    if member not in body:
        return None
    value = body[member]
    if value is not None and not isinstance(value, str):
        raise ValidationError({member: [FieldError("invalid", "The value must be a timestamp or null.")]},
                              f"The member {member} must be a timestamp or null")
    return value is not None


async def edit_record(request: Request) -> Response:
    seq = long_path_id(request)
    body = await read_object(request, "Record")
    datums = optional_list(body, "datums") if body.get("datums") is not None else None
    metadatums = metadatum_values(body) if body.get("metadatums") is not None else None
    edit = RecordEdit(values=None if datums is None else partial(_values, datums),
                      state_id=reference_id(body, "state"), archived=_mark(body, "archived"),
                      removed=_mark(body, "removed"), metadata=metadatums,
                      class_id=reference_id(body, "dataset"))
    return _one(await perform(request, services(request).record_edits.edit_record, seq, edit))


async def delete_record(request: Request) -> Response:
    seq = long_path_id(request)
    await perform(request, services(request).record_edits.delete_record, seq)
    return json_response({})


async def list_records(request: Request) -> Response:
    include = include_of(request, RECORD_INCLUDES, frozenset({"datums"}))
    dataset, seqs, query_of = list_query(request)
    parts = _parts(include)
    listed = await perform(request, services(request).record_views.view_records, dataset, seqs, query_of, parts,
                           count_mode(request))
    return json_response(render_records(listed, include), headers={
        "X-Total-Count": str(listed.total), **applied_count_headers(request, listed.total_estimated)})
