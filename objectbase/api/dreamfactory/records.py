"""R1–R4 of contract §5: records of a table through the core, with their related records (§8).

Batch writes on the collection URL (C1, U1–U3, D2–D6) are in `batches.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Sequence

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.counts import applied_count_headers, count_mode
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.dreamfactory.batches import RETRIEVE, batch_answer
from objectbase.api.dreamfactory.errors import record_not_found
from objectbase.api.dreamfactory.params import DFRequest, read_request
from objectbase.api.dreamfactory.related import read_with_related, related_ask, render_with_related
from objectbase.api.dreamfactory.schema_render import render_table
from objectbase.api.dreamfactory.selection import DEFAULT_LIMIT, NAMES, field_list, page_limit, sort_of, where_of
from objectbase.api.dreamfactory.tables import table_of
from objectbase.core.batches import ItemOutcome
from objectbase.core.errors import MalformedInputError
from objectbase.core.query import ast

__all__ = ["MAX_IDS", "get_record", "list_records"]

# Most identifiers one GET by `ids` (or by body records) may name.
MAX_IDS = DEFAULT_LIMIT






def _body_ids(records: Sequence[Any]) -> tuple[str, ...]:
    """R3: the identifiers of the records a GET body carries (`{W: [{"_id": …}, …]}`)."""
    ids = []
    for index, record in enumerate(records):
        record_id = record.get("_id") if isinstance(record, dict) else None
        if not isinstance(record_id, str) or not record_id:
            raise MalformedInputError(f"Required id field '_id' not found in record {index}.", code="record_id_missing")
        ids.append(record_id)
    return tuple(ids)


def _wrapped(df: DFRequest, items: list[dict[str, Any]], meta: dict[str, Any]) -> Response:
    """A list result: wrapped unless `wrap=false` (v2), and always when there is `meta` to carry;
    with `as_list`, only the identifiers."""
    if df.flag("as_list"):
        items = [item["_id"] for item in items]
    if not meta and df.first(("wrap",)) is not None and not df.flag("wrap"):
        return json_response(items)
    body: dict[str, Any] = {df.surface.wrapper: items}
    if meta:
        body["meta"] = meta
    return json_response(body)


async def list_records(request: Request) -> Response:
    """R1 (filter, paging, order, counts), R2 (`ids`) and R3 (the same, from a GET body).
    Selectors in DreamFactory's precedence: `ids`, else body records, else `filter` (§5)."""
    df = await read_request(request)
    if df.first(("group", "having")) is not None:
        raise MalformedInputError("group and having are not supported", code="group_unsupported")
    ids = df.names("ids")
    if ids is None and df.records:
        ids = _body_ids(df.records)
    if ids is not None:  # `ids=,,` names none: the core refuses it rather than listing everything
        return await _by_ids(request, df, ids)
    table = table_of(request)
    records = services(request).records
    where = where_of(df)
    if df.flag("count_only"):
        total = await perform(request, partial(records.count, mode=count_mode(request)), table, where, NAMES)
        return json_response(total.total, headers=applied_count_headers(request, total.estimated))
    asked = df.integer("limit", "top")
    limit = page_limit(asked)
    offset = max(df.integer("offset", "skip") or 0, 0)
    fields = field_list(df, default_all=True)
    query = ast.Query(where=where, sort=sort_of(df, "order", "sort", "order_by"), skip=offset, limit=limit,
                      fields=fields, names=NAMES)
    # The total is counted when asked for, or when the server imposed the limit (§6.4).
    include_count = df.flag("include_count")
    counted = include_count or asked != limit
    with_schema = df.flag("include_schema")
    reading = await perform(request, read_with_related, records, table,
                            partial(records.find_records, class_name=table, query=query, count_total=counted,
                                    count_mode=count_mode(request)),
                            related_ask(df), with_relations=with_schema)
    found = reading.found
    meta: dict[str, Any] = {}
    if counted:
        if include_count or found.total > limit:
            meta["count"] = found.total
        if found.total - offset > limit:
            meta["next"] = offset + limit + df.surface.next_offset_extra
    if with_schema:
        meta["schema"] = render_table(found.cls, request.state.actor, reading.relations)
    response = _wrapped(df, render_with_related(reading, found.records, found.fields), meta)
    response.headers.update(applied_count_headers(request, counted and found.total_estimated))
    return response


async def _by_ids(request: Request, df: DFRequest, ids: Sequence[str]) -> Response:
    """R2/R3: records in the order of `ids`. A missing one is the "retrieve" batch error (§7.3),
    never a partial 200: without `continue` it reports the ids up to the first missing one."""
    records = services(request).records
    table = table_of(request)
    read = partial(records.get_records, class_name=table, ids=list(ids), max_ids=MAX_IDS,
                   fields=field_list(df, default_all=True), names=NAMES)
    reading = await perform(request, read_with_related, records, table, read, related_ask(df))
    by_id = {r.id: r for r in reading.found.records}
    fields = reading.found.fields
    missing = [i for i, record_id in enumerate(ids) if record_id not in by_id]
    if not missing:
        return _wrapped(df, render_with_related(reading, [by_id[i] for i in ids], fields), {})
    # Without `continue` the ids up to the first missing one are reported; legacy answers a
    # one-id request with the plain 404 (batch_answer).
    reached = ids if df.flag("continue") else ids[:missing[0] + 1]
    found = [by_id[i] for i in reached if i in by_id]
    rendered = {r.id: item for r, item in zip(found, render_with_related(reading, found, fields))}
    outcomes = [ItemOutcome(n, result=by_id[i]) if i in by_id else ItemOutcome(n, error=record_not_found(i))
                for n, i in enumerate(reached)]
    return batch_answer(df, RETRIEVE, outcomes, lambda record: rendered[record.id], lambda n: ids[n])


async def get_record(request: Request) -> Response:
    """R4: one record by its item URL, unwrapped, with its related records; a missing one is a 404."""
    df = await read_request(request)
    record_id = str(request.path_params["id"])
    records = services(request).records
    table = table_of(request)
    read = partial(records.get_records, class_name=table, ids=[record_id], fields=field_list(df, default_all=True),
                   names=NAMES)
    reading = await perform(request, read_with_related, records, table, read, related_ask(df))
    if not reading.found.records:
        raise record_not_found(record_id)
    return json_response(render_with_related(reading, reading.found.records, reading.found.fields)[0])
