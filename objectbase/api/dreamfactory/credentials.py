"""Reading DreamFactory credentials (contract §3.1): the app key and the session token, each from
both surfaces' headers and query parameters (a harmless superset, on both surfaces), or from the
JSON body's `api_key` / `session_token` (`read_request` keeps them on `request.state`)."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.core.credentials import Credentials
from objectbase.core.errors import UnauthenticatedError

__all__ = ["BODY_CREDENTIALS", "app_key_of", "read_credentials", "session_token_of"]

_APP_KEY_HEADERS = ("x-dreamfactory-api-key", "x-dreamfactory-application-name", "x-application-name")
_APP_KEY_QUERY = ("api_key", "app_name")


BODY_CREDENTIALS = "dreamfactory_body_credentials"


def _header_or_query(request: Request, headers: tuple[str, ...], query: tuple[str, ...]) -> str:
    for name in headers:
        if value := request.headers.get(name, "").strip():
            return value
    for name in query:
        if value := request.query_params.get(name, "").strip():
            return value
    body: dict[str, str] = getattr(request.state, BODY_CREDENTIALS, {})
    for name in query:
        if value := body.get(name, ""):
            return value
    return ""


def app_key_of(request: Request) -> str:
    return _header_or_query(request, _APP_KEY_HEADERS, _APP_KEY_QUERY)


def session_token_of(request: Request) -> str:
    """`X-DreamFactory-Session-Token`, query `session_token`, or `Authorization: Bearer <token>`."""
    token = _header_or_query(request, ("x-dreamfactory-session-token",), ("session_token",))
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    if not token and scheme.lower() == "bearer":
        token = bearer.strip()
    return token


def read_credentials(request: Request) -> Credentials:
    app_key = app_key_of(request)
    token = session_token_of(request)
    if not app_key and not token:
        raise UnauthenticatedError("No credentials", code="credentials_missing")
    return Credentials(session_token=token, app_key=app_key)
