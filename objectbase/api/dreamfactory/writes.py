"""C1–C3, U1–U5, D1–D6 of contract §5: creating, updating and deleting records through the core.

Collection-URL writes are batches (§7.3): one core call in a batch mode, answered with every item's
result or the surface's batch error. Item-URL writes (and an unwrapped single record) answer with
the record object itself, or the item's plain error.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Awaitable, Callable, Mapping, Sequence

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.dreamfactory.batches import (
    CREATE, DELETE, PATCH, UPDATE, Operation, batch_answer, batch_mode, item_error,
)
from objectbase.api.dreamfactory.params import DFRequest, read_request
from objectbase.api.dreamfactory.render import render_record
from objectbase.api.dreamfactory.selection import NAMES, field_list, where_of
from objectbase.api.dreamfactory.tables import table_of
from objectbase.core.batches import BatchAbortedError, BatchMode, ItemOutcome
from objectbase.core.errors import MalformedInputError
from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.records import DeleteResult, NewRecord, RecordChange, RecordSet
from objectbase.core.schema import ClassDef
from objectbase.core.updates import FieldChange

__all__ = ["create_by_id", "create_records", "delete_record", "delete_records", "update_record",
           "update_records"]

# Columns a client may send back but never sets (§5.3): ignored in update bodies.
_SYSTEM = frozenset({"_id", "user_id", "created_at", "updated_at", "_parent_id"})
# A relation's name, as related data names them (`<Table>_by_<field>`).
_RELATION_NAME = re.compile(r"^[A-Za-z]\w*_by_\w+$")


def _records_missing() -> MalformedInputError:
    return MalformedInputError("The request carries no records", code="records_missing")


def _objects(df: DFRequest) -> list[dict[str, Any]]:
    """The body's records (wrapped, bare array, or one bare object); none is a 400."""
    items = df.records if df.records is not None else ([df.single] if df.single is not None else [])
    if not items:
        raise _records_missing()
    if not all(isinstance(item, Mapping) for item in items):
        raise MalformedInputError("Every record must be a JSON object", code="malformed_records")
    for item in items:
        for key, value in item.items():
            if _RELATION_NAME.match(str(key)) and isinstance(value, (Mapping, list)):
                # DreamFactory can write related records nested in a record (§8); not offered yet.
                raise MalformedInputError(f"Nested related records ({key}) cannot be written",
                                          code="nested_related", details={"relation": key})
    return [dict(item) for item in items]


def _record_id(item: Mapping[str, Any]) -> str:
    value = item.get("_id")
    if not isinstance(value, str) or not value:
        raise MalformedInputError("A record has no identifier", code="record_identifier_missing")
    return value


def _change(record_id: str, item: Mapping[str, Any]) -> RecordChange:
    """PUT = PATCH (§5.3): the supplied fields are set; system columns are ignored and unknown
    fields dropped by the core; `_parent_id` moves the record."""
    changes = [FieldChange(name, "set", value) for name, value in item.items() if name not in _SYSTEM]
    if "_parent_id" in item:
        return RecordChange(record_id, changes, parent_id=item["_parent_id"], set_parent=True)
    return RecordChange(record_id, changes)


def _operation(request: Request) -> Operation:
    return PATCH if request.method == "PATCH" else UPDATE


def _renderer(df: DFRequest, cls: ClassDef | None) -> Callable[[Record], Any]:
    fields = field_list(df, default_all=False)

    def render(record: Record) -> Any:
        assert cls is not None  # every core result with a record names its class
        return render_record(cls, record, fields)
    return render


def _single(df: DFRequest, cls: ClassDef | None, outcomes: Sequence[ItemOutcome[Record]],
            record_id: str | None) -> Response:
    """An item-URL or unwrapped write: the record object, or the item's plain error."""
    outcome = outcomes[0]
    if outcome.error is not None:
        raise item_error(outcome.error, record_id)
    assert outcome.result is not None
    return json_response(_renderer(df, cls)(outcome.result))


# A core batch write bound to its request, waiting for its `mode=`.
BatchCall = Callable[..., Awaitable[RecordSet | DeleteResult]]


def _no_id(index: int) -> None:
    return None


async def _batch(df: DFRequest, operation: Operation, ids: Callable[[int], str | None], call: BatchCall, *,
                 single: bool = False) -> Response:
    """Run the core batch `call(mode=...)` and answer it: wrapped results or the batch error.
    `ids(index)` names the record an item is about (for not-found messages)."""
    mode = batch_mode(df)
    try:
        result = await call(mode=mode)
        cls, outcomes, rolled_back = result.cls, result.outcomes, False
    except BatchAbortedError as aborted:
        cls, outcomes, rolled_back = aborted.cls, aborted.outcomes, True
    if single:
        return _single(df, cls, outcomes, ids(0))
    return batch_answer(df, operation, outcomes, _renderer(df, cls), ids, rolled_back=rolled_back)


# -- create -------------------------------------------------------------------------------------
async def create_records(request: Request) -> Response:
    """C1 (wrapped or bare array) and C2 (one bare object, answered unwrapped)."""
    df = await read_request(request)
    items = _objects(df)
    if any("_id" in item for item in items):
        raise MalformedInputError("Identifiers are generated by the server", code="client_identifier")
    new = [NewRecord({k: v for k, v in item.items() if k != "_parent_id"}, parent_id=item.get("_parent_id"))
           for item in items]
    call = partial(perform, request, services(request).records.create_records, table_of(request), new)
    return await _batch(df, CREATE, _no_id, call, single=df.records is None)


async def create_by_id(request: Request) -> Response:
    """C3: DreamFactory does not create a record under a client's identifier."""
    raise MalformedInputError("Records are created on the table URL", code="create_by_identifier")


# -- update -------------------------------------------------------------------------------------
async def update_records(request: Request) -> Response:
    """U2 (`ids` + one change set), U3 (`filter` + change set), U1 (records with `_id`), U5 (one bare
    record with its `_id`, answered unwrapped): in that order of precedence (§5)."""
    df = await read_request(request)
    table = table_of(request)
    records = services(request).records
    operation = _operation(request)
    ids = df.names("ids")
    if ids is not None or df.text("filter", "where"):
        change_set = _objects(df)[0]
        if ids is None:
            call = partial(perform, request, records.update_by_criteria, table, where_of(df),
                           _change("", change_set), NAMES)
            return await _batch(df, operation, _no_id, call)
        changes = [_change(i, change_set) for i in ids]
    else:
        changes = [_change(_record_id(item), item) for item in _objects(df)]
    call = partial(perform, request, records.update_records, table, changes)
    return await _batch(df, operation, lambda index: changes[index].id, call,
                        single=ids is None and df.records is None)


async def update_record(request: Request) -> Response:
    """U4: the item URL; a `{W: [...]}` body is unwrapped to its first element (§5)."""
    df = await read_request(request)
    record_id = str(request.path_params["id"])
    change = _change(record_id, _objects(df)[0])
    found = await perform(request, services(request).records.update_records, table_of(request), [change],
                          mode=BatchMode.STOP_KEEP_PREFIX)
    return _single(df, found.cls, found.outcomes, record_id)


# -- delete -------------------------------------------------------------------------------------
async def delete_records(request: Request) -> Response:
    """D2 (`ids`), D3 (body records), D4 (`filter`), D5 (`force`), D6 (none: 400), in that order."""
    df = await read_request(request)
    table = table_of(request)
    records = services(request).records
    names = df.names("ids")
    single = False
    if names is None and (df.records or df.single is not None):
        names = tuple(_record_id(item) for item in _objects(df))
        single = df.records is None
    if names is not None:
        ids = list(names)
        call = partial(perform, request, records.delete_records, table, ids)
        return await _batch(df, DELETE, lambda index: ids[index], call, single=single)
    if df.text("filter", "where"):
        call = partial(perform, request, records.delete_by_criteria, table, where_of(df), NAMES)
        return await _batch(df, DELETE, _no_id, call)
    if df.flag("force"):
        # Every record the actor may delete (the core's ACL filter), in one transaction.
        await perform(request, records.delete_by_criteria, table, ast.TRUE, NAMES, allow_all=True)
        return json_response({"success": True})
    if df.records is not None:
        raise _records_missing()
    raise MalformedInputError("Name the records to delete", code="delete_selector_missing")


async def delete_record(request: Request) -> Response:
    """D1: the item URL; `fields` are the values just before deletion."""
    df = await read_request(request)
    record_id = str(request.path_params["id"])
    found = await perform(request, services(request).records.delete_records, table_of(request), [record_id],
                          mode=BatchMode.STOP_KEEP_PREFIX)
    return _single(df, found.cls, found.outcomes, record_id)
