"""The three dialects' OpenAPI documents, each built once from the routes the dialect serves."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from starlette.routing import Route

from objectbase.api.dreamfactory import operations as df
from objectbase.api.dreamfactory.dialect import LEGACY_ROUTES, V2_ROUTES, not_allowed
from objectbase.api.quickblox import operations as qb
from objectbase.api.quickblox.dialect import ROUTES as QB_ROUTES
from objectbase.api.reference.openapi import Mount, build_document
from objectbase.api.tracy import openapi as tracy

__all__ = ["DOCUMENTS"]

_QB_SECURITY = {
    "QB-Token": {"type": "apiKey", "in": "header", "name": "QB-Token",
                 "description": "The session token from POST /session.json"},
    "token": {"type": "apiKey", "in": "query", "name": "token", "description": "QB-Token as a query parameter"},
    "ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
               "description": "`ApiKey <server API key>`, with `On-Behalf-Of: <user id>` to act as a user"},
}
_DF_SECURITY = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-DreamFactory-Api-Key",
               "description": "The app's API key (also `X-DreamFactory-Application-Name` or `X-Application-Name`, "
                              "or `api_key` / `app_name` in the query or the JSON body)"},
    "SessionToken": {"type": "apiKey", "in": "header", "name": "X-DreamFactory-Session-Token",
                     "description": "The session token from POST user/session (also `session_token` in the query "
                                    "or body, or `Authorization: Bearer <token>`)"},
    "Bearer": {"type": "http", "scheme": "bearer", "description": "The session token as a bearer token"},
}


def _path_key(method: str, route: Route) -> tuple[str, str]:
    return method, route.path.replace(":int", "")


def _handler_key(method: str, route: Route) -> tuple[str, str]:
    return method, route.name


@functools.cache
def quickblox() -> dict[str, Any]:
    return build_document(
        title="Objectbase: QuickBlox dialect", operations=qb.OPERATIONS, key=_path_key,
        description="The QuickBlox REST API as Objectbase serves it (docs/quickblox.md). Every path also "
                    "answers without `.json`.",
        mounts=[Mount("", QB_ROUTES, qb.ERROR, suffix=".json")], security_schemes=_QB_SECURITY,
        security=[{"QB-Token": []}, {"token": []}, {"ApiKey": []}])


@functools.cache
def dreamfactory() -> dict[str, Any]:
    return build_document(
        title="Objectbase: DreamFactory dialect", operations=df.OPERATIONS, key=_handler_key,
        description="DreamFactory's database service API (docs/dreamfactory.md): the v2 surface under "
                    "/api/v2 and the legacy one under /rest. A POST with `X-HTTP-Method` is that verb.",
        mounts=[Mount("/api/v2", V2_ROUTES, df.V2_ERROR), Mount("/rest", LEGACY_ROUTES, df.LEGACY_ERROR,
                                                                tag_suffix=" (legacy)")],
        security_schemes=_DF_SECURITY,
        security=[{"ApiKey": [], "SessionToken": []}, {"ApiKey": [], "Bearer": []}, {"ApiKey": []}],
        hidden=frozenset({not_allowed}))


DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "quickblox": quickblox, "dreamfactory": dreamfactory, "tracy": tracy.document}
