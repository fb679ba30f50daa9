"""DreamFactory's two surfaces (contract §1): the legacy `/rest` of 1.x and the current `/api/v2`.

They run the same operations and differ only in wrapping, error envelopes, `meta.next` and which of
body and query wins when both carry a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

__all__ = ["LEGACY", "Surface", "V2", "surface_of"]


@dataclass(frozen=True)
class Surface:
    name: str
    # The key that wraps lists of records in requests and responses.
    wrapper: str
    # Legacy (1.x) lets the body win over the query string; v2 the reverse.
    body_wins: bool
    # 1.x reported the next page's offset one too far (sic); reproduced there only.
    next_offset_extra: int
    # Legacy answers a failed first (or only) batch item with that item's own error.
    first_failure_unbatched: bool

    def error_body(self, status: int, message: str, context: Any = None, code: int | None = None) -> dict[str, Any]:
        if self is LEGACY:
            return {"error": [{"message": message, "code": code or status, "context": context}]}
        return {"error": {"code": code or status, "context": context, "message": message, "status_code": status}}


V2 = Surface("v2", "resource", body_wins=False, next_offset_extra=0, first_failure_unbatched=False)
LEGACY = Surface("legacy", "record", body_wins=True, next_offset_extra=1, first_failure_unbatched=True)


def surface_of(request: Request) -> Surface:
    return LEGACY if str(request.scope.get("root_path", "")).endswith("/rest") else V2
