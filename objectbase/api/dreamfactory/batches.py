"""Batch writes' modes and answers (contract §7.3): `continue` / `rollback` to a core batch mode, and
the surface's batch error body built from the core's per-item outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from starlette.responses import Response

from objectbase.api.common.responses import json_response
from objectbase.api.dreamfactory.errors import message_of, record_not_found, status_of
from objectbase.api.dreamfactory.params import DFRequest
from objectbase.api.dreamfactory.surfaces import V2, Surface
from objectbase.core.batches import BatchMode, ItemOutcome
from objectbase.core.errors import MalformedInputError, ObjectbaseError
from objectbase.core.models import Record

__all__ = ["BATCH_ERROR_CODE", "CREATE", "DELETE", "Operation", "PATCH", "RETRIEVE", "UPDATE", "batch_answer", "batch_mode",
           "item_error"]

# v2 reports a batch error with this code (its status stays 400).
BATCH_ERROR_CODE = 1000


@dataclass(frozen=True)
class Operation:
    """A batch write, as each surface's batch error message names it."""

    v2_verb: str
    legacy_verb: str

    def batch_message(self, surface: Surface, rolled_back: bool) -> str:
        text = (f"Batch Error: Not all requested records could be {self.v2_verb}." if surface is V2
                else f"Batch Error: Not all records could be {self.legacy_verb}.")
        return text + " All changes rolled back." if rolled_back else text


CREATE = Operation("created", "created")
UPDATE = Operation("updated", "updated")
PATCH = Operation("updated", "patched")
DELETE = Operation("deleted", "deleted")
RETRIEVE = Operation("retrieved", "retrieved")


def batch_mode(df: DFRequest) -> BatchMode:
    """Default: stop at the first failure and keep the items before it, as DreamFactory does."""
    go_on, rollback = df.flag("continue"), df.flag("rollback")
    if go_on and rollback:
        raise MalformedInputError("continue and rollback exclude each other", code="continue_with_rollback")
    if rollback:
        return BatchMode.ALL_OR_NOTHING
    return BatchMode.CONTINUE if go_on else BatchMode.STOP_KEEP_PREFIX


def item_error(error: ObjectbaseError, record_id: str | None) -> ObjectbaseError:
    """The item's error in DreamFactory's words: a missing record names its identifier."""
    if error.code == "record_not_found" and record_id is not None:
        return record_not_found(record_id)
    return error


def batch_answer(df: DFRequest, operation: Operation, outcomes: Sequence[ItemOutcome[Record]],
                 render: Callable[[Record], Any], ids: Callable[[int], str | None], *,
                 rolled_back: bool = False) -> Response:
    """`{W: [result, ...]}` when every item succeeded; otherwise the surface's batch error.

    `ids(index)` names the record an item was about, for a not-found message."""
    surface = df.surface
    failed = [o for o in outcomes if o.error is not None]
    if not failed:
        results = [o.result.id if df.flag("as_list") else render(o.result) for o in outcomes if o.result]
        return json_response({surface.wrapper: results})
    errors = {o.index: item_error(o.error, ids(o.index)) for o in failed if o.error is not None}
    first = errors[failed[0].index]
    if surface.first_failure_unbatched and len(outcomes) == 1:
        raise first  # legacy: a failed first item (nothing written, nothing else tried) is its own error
    entries: list[Any] = []
    for outcome in outcomes:
        if outcome.result is not None:
            entries.append(render(outcome.result))
        elif surface is V2:
            status = status_of(errors[outcome.index])
            entries.append({"code": status, "status_code": status, "context": None,
                            "message": message_of(errors[outcome.index])})
        else:
            entries.append(message_of(errors[outcome.index]))
    context = {"error": sorted(errors), surface.wrapper: entries}
    message = operation.batch_message(surface, rolled_back)
    if surface is V2:
        return json_response(surface.error_body(400, message, context, code=BATCH_ERROR_CODE), 400)
    # Legacy: the failing item's status, or 400 when `continue` collected the errors.
    status = 400 if df.flag("continue") else status_of(first)
    return json_response(surface.error_body(status, message, context), status)
