"""The Tracy dialect: routes under `/v1`, credentials (`X-Api-Key`, `Authorization: Bearer`), and
errors as problem details (contract §1, §2, §10)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette._utils import get_route_path
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from objectbase.api.common.pipeline import request_id_of
from objectbase.api.common.routing import SegmentRouter, first_segment
from objectbase.api.tracy import (
    access_tokens, datasets, datums, email_validation_tokens, events, meta, metadatums, options, property_endpoints,
    records, states, users,
)
from objectbase.api.tracy.credentials import read_credentials
from objectbase.api.tracy.problems import problem_response
from objectbase.core.credentials import Credentials

__all__ = ["TracyDialect"]

_GET = ["GET"]

ROUTES = [
    Route("/access-tokens", access_tokens.create_access_token, methods=["POST"]),
    Route("/access-tokens", access_tokens.revoke_refresh_token, methods=["DELETE"]),
    Route("/email-validation-tokens", email_validation_tokens.create_token, methods=["POST"]),
    Route("/email-validation-tokens/{id}", email_validation_tokens.confirm_token, methods=["PATCH"]),
    Route("/datasets", datasets.list_datasets, methods=_GET),
    Route("/datasets", datasets.create_dataset, methods=["POST"]),
    Route("/datasets/{id}", datasets.get_dataset, methods=_GET),
    Route("/datasets/{id}", datasets.update_dataset, methods=["PATCH"]),
    Route("/datasets/{id}", datasets.delete_dataset, methods=["DELETE"]),
    Route("/properties", property_endpoints.list_properties, methods=_GET),
    Route("/properties", property_endpoints.create_property, methods=["POST"]),
    Route("/properties/{id}", property_endpoints.get_property, methods=_GET),
    Route("/properties/{id}", property_endpoints.update_property, methods=["PATCH"]),
    Route("/properties/{id}", property_endpoints.delete_property, methods=["DELETE"]),
    Route("/property-types", datasets.list_property_types, methods=_GET),
    Route("/records", records.create_record, methods=["POST"]),
    Route("/records", records.list_records, methods=_GET),
    Route("/records/{id}", records.get_record, methods=_GET),
    Route("/records/{id}", records.edit_record, methods=["PATCH"]),
    Route("/records/{id}", records.delete_record, methods=["DELETE"]),
    Route("/datums", datums.add_datum, methods=["POST"]),
    Route("/datums", datums.list_datums, methods=_GET),
    Route("/datums/{id}", datums.get_datum, methods=_GET),
    Route("/datums/{id}", datums.change_datum, methods=["PATCH"]),
    Route("/datums/{id}", datums.remove_datum, methods=["DELETE"]),
    Route("/events", events.list_events, methods=_GET),
    Route("/events/{id}", events.get_event, methods=_GET),
    Route("/metadatums", metadatums.add_metadatum, methods=["POST"]),
    Route("/metadatums", metadatums.list_metadatums, methods=_GET),
    Route("/metadatums/{id}", metadatums.change_metadatum, methods=["PATCH"]),
    Route("/metadatums/{id}", metadatums.remove_metadatum, methods=["DELETE"]),
    Route("/options", options.list_options, methods=_GET),
    Route("/options", options.create_option, methods=["POST"]),
    Route("/options/{id}", options.update_option, methods=["PATCH"]),
    Route("/options/{id}", options.delete_option, methods=["DELETE"]),
    Route("/states", states.list_states, methods=_GET),
    Route("/states", states.create_state, methods=["POST"]),
    Route("/states/{id}", states.update_state, methods=["PATCH"]),
    Route("/states/{id}", states.delete_state, methods=["DELETE"]),
    Route("/users", users.list_users, methods=_GET),
    Route("/users/{id}", users.get_user, methods=_GET),
    Route("/health", meta.health, methods=_GET),
    Route("/openapi.json", meta.openapi, methods=_GET),
]


# What a client reaches without credentials: health, the API description, and the token endpoints
# (a refresh token is its own credential; a sign-in's X-Api-Key is read there).
_OPEN = frozenset({"health", "openapi.json", "access-tokens"})
_PROTECTED = frozenset(first_segment(route.path) for route in ROUTES) - _OPEN


class CredentialsFirst:
    """A request without credentials is a 401 before its handler reads parameters or body (Tracy's
    authorization runs before its model validation), so it says what is missing first. Whether the
    credentials are valid is still the core's to decide."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and first_segment(get_route_path(scope)) in _PROTECTED:
            read_credentials(Request(scope))
        await self.app(scope, receive, send)


class TracyDialect:
    name = "tracy"
    cors_headers = ("X-Api-Key", "Authorization", "Content-Type")
    expose_headers = ("X-Total-Count", "WWW-Authenticate")

    def __init__(self, prefix: str = "/v1") -> None:
        # An empty prefix would take the QuickBlox API's paths (it has none of its own).
        if not prefix.startswith("/") or not prefix.strip("/"):
            raise ValueError(f"--tracy-prefix must be a path such as /v1, not {prefix!r}")
        self.prefixes = (prefix,)
        self.app = CredentialsFirst(SegmentRouter(ROUTES))

    def credentials(self, request: Request) -> Credentials:
        return read_credentials(request)

    def error_response(self, request: Request, error: Exception) -> Response:
        return problem_response(error, request_id_of(request.scope))
