"""The count mode a client asks for, in any dialect: `Prefer: count=exact|planned|estimated`
(RFC 7240's header, with PostgREST's names for the modes); exact when absent or unknown. A
response whose count is an estimate says so with `Preference-Applied: count=<mode>`."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.core.records import COUNT_MODES, CountMode

__all__ = ["applied_count_headers", "count_mode"]


def count_mode(request: Request) -> CountMode:
    for header in request.headers.getlist("prefer"):
        for preference in header.split(","):
            name, _, value = preference.strip().partition("=")
            if name.strip().lower() == "count":
                mode = value.strip().strip('"').lower()
                for known in COUNT_MODES:
                    if mode == known:
                        return known
    return "exact"


def applied_count_headers(request: Request, estimated: bool) -> dict[str, str]:
    """`Preference-Applied` when the count given is the estimate asked for; nothing otherwise
    (a preference a server does not apply is simply not acknowledged)."""
    return {"Preference-Applied": f"count={count_mode(request)}"} if estimated else {}
