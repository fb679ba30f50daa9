"""Headers -> Credentials: `QB-Token` (or `?token=`), or `Authorization: ApiKey <key>` with `On-Behalf-Of`."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.core.credentials import Credentials
from objectbase.core.errors import ValidationError

__all__ = ["read_credentials", "request_token"]


def request_token(request: Request) -> str:
    return request.headers.get("qb-token") or request.query_params.get("token") or ""


def read_credentials(request: Request) -> Credentials:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "apikey" and key.strip():
        on_behalf_of = request.headers.get("on-behalf-of", "").strip()
        if on_behalf_of and not on_behalf_of.isdigit():
            raise ValidationError.single("On-Behalf-Of", "invalid", "must be a user id")
        return Credentials(api_key=key.strip(), on_behalf_of=int(on_behalf_of) if on_behalf_of else None)
    return Credentials(session_token=request_token(request))
