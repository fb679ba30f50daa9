"""Reading Tracy credentials (contract §2.1): `Authorization: Bearer <access token>` wins over
`X-Api-Key`. The app's API key acts as an `owner` key; the app's public key (`auth_key`) names the
app without further rights, which is how a sign-in (A6) says which app it is for."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.core.credentials import Credentials
from objectbase.core.errors import UnauthenticatedError

__all__ = ["read_credentials"]


def read_credentials(request: Request) -> Credentials:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return Credentials(access_token=token.strip())
    if key := request.headers.get("x-api-key", "").strip():
        return Credentials(app_key=key)
    raise UnauthenticatedError("Send an X-Api-Key or an Authorization: Bearer access token",
                               code="credentials_missing")
