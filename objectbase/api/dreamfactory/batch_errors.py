"""The batch error of contract §7.3, on each surface: which items of a request failed, and what
each item before (or, with `continue`, around) the failure gave.

Built as a response, not raised: a batch error is the dialect's own report of several outcomes,
not one domain error.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from starlette.responses import Response

from objectbase.api.common.responses import json_response
from objectbase.api.dreamfactory.surfaces import LEGACY, Surface

__all__ = ["BATCH_CODE", "ItemError", "batch_error_response"]

# v2 reports every batch error with this code (the status stays 400).
BATCH_CODE = 1000
# What failed with one item: (status, message).
ItemError = tuple[int, str]
_NOUNS = {"create": "created", "update": "updated", "patch": "patched", "delete": "deleted",
          "retrieve": "retrieved"}


def _message(surface: Surface, operation: str) -> str:
    if surface is LEGACY:
        return f"Batch Error: Not all records could be {_NOUNS[operation]}."
    # v2 words a PATCH as an update.
    return f"Batch Error: Not all requested records could be {_NOUNS[operation].replace('patched', 'updated')}."


def batch_error_response(surface: Surface, operation: str, results: Sequence[Any],
                         errors: Mapping[int, ItemError], *, continued: bool) -> Response:
    """`results`: the outcome of each item processed, in request order (a failed item's entry is
    ignored); `errors`: the failed items by index. Without `continue` the last item processed is
    the one that failed, and items never reached are left out."""
    failed = sorted(errors)
    first_status, first_message = errors[failed[0]]
    if surface is LEGACY and not continued and failed[0] == 0:
        # 1.x answers a failed first item with that item's own error.
        return json_response(surface.error_body(first_status, first_message), first_status)
    if surface is LEGACY:
        items: list[Any] = [errors[i][1] if i in errors else result for i, result in enumerate(results)]
        status = 400 if continued else first_status
        context = {"error": failed, surface.wrapper: items}
        return json_response(surface.error_body(status, _message(surface, operation), context), status)
    items = [_item_error(*errors[i]) if i in errors else result for i, result in enumerate(results)]
    context = {"error": failed, surface.wrapper: items}
    return json_response(surface.error_body(400, _message(surface, operation), context, code=BATCH_CODE), 400)


def _item_error(status: int, message: str) -> dict[str, Any]:
    return {"code": status, "context": None, "message": message, "status_code": status}
