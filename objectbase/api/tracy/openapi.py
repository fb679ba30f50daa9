"""The dialect's OpenAPI document (`GET /v1/openapi.json`): seed 004 — Tracy's own document —
unchanged, plus the endpoints and request schemas Objectbase adds. Request bodies are checked
against these same schemas (`bodies.py`), so the document and the server cannot drift apart."""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

__all__ = ["document", "member_schemas", "seed"]

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _object(**members: Any) -> dict[str, Any]:
    return {"type": "object", "properties": members, "additionalProperties": False}


_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}

# Request and response shapes the seed does not have (contract §2.2, H1).
_ADDED_SCHEMAS: dict[str, Any] = {
    "AccessTokenRequest": _object(login=_NULLABLE_STRING, password=_NULLABLE_STRING,
                                  refreshToken=_NULLABLE_STRING,
                                  emailValidationToken=_ref("EmailValidationTokenReference")),
    "EmailValidationTokenReference": _object(id=_STRING),
    "RefreshTokenRequest": _object(refreshToken=_STRING),
    "AccessToken": _object(accessToken=_STRING, refreshToken=_STRING,
                           expires={"type": "string", "format": "date-time"}),
    "Health": _object(status=_STRING),
    "EmailValidationTokenRequest": _object(email=_STRING),
    "EmailValidationTokenConfirmation": _object(code=_STRING),
    "EmailValidationToken": _object(id=_STRING, email=_STRING, created={"type": "string", "format": "date-time"},
                                    isConfirmed={"type": "boolean"}),
}


# Query parameters that are not integers (comma lists, keywords, timestamps, flags).
_PARAM_TYPES = {"include": "string", "confirm": "boolean",
                **{name: "string" for name in ("ids", "stateId", "archived", "removed", "search", "sort",
                                               "eventTypeId", "createdFrom", "createdTo")}}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(tag: str, summary: str, response: dict[str, Any] | None, body: str | None = None,
               params: tuple[str, ...] = ()) -> dict[str, Any]:
    operation: dict[str, Any] = {"tags": [tag], "summary": summary, "responses": {
        "200": {"description": "OK", **({"content": _json_content(response)} if response else {})}}}
    if body:
        operation["requestBody"] = {"content": _json_content(_ref(body))}
    if params:
        operation["parameters"] = [
            {"name": p, "in": "path" if p == "id" else "query", "required": p == "id",
             "schema": {"type": _PARAM_TYPES.get(p, "integer")}} for p in params]
    return operation


def _list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


_ADDED_PATHS: dict[str, Any] = {
    "/v1/access-tokens": {
        "post": _operation("AccessTokens", "Sign in (login and password) or refresh", _ref("AccessToken"),
                           "AccessTokenRequest"),
        "delete": _operation("AccessTokens", "Revoke a refresh token", {"type": "object"}, "RefreshTokenRequest"),
    },
    "/v1/email-validation-tokens": {"post": _operation(
        "EmailValidationTokens", "Send a sign-in code to an e-mail address", _ref("EmailValidationToken"),
        "EmailValidationTokenRequest")},
    "/v1/email-validation-tokens/{id}": {"patch": _operation(
        "EmailValidationTokens", "Confirm the code", _ref("EmailValidationToken"),
        "EmailValidationTokenConfirmation", params=("id",))},
    "/v1/datasets": {
        "get": _operation("Datasets", "List datasets", _list("Dataset"), params=("include",)),
        "post": _operation("Datasets", "Create a dataset", _ref("Dataset"), "Dataset"),
    },
    "/v1/datasets/{id}": {
        "get": _operation("Datasets", "Get a dataset", _ref("Dataset"), params=("id", "include")),
        "patch": _operation("Datasets", "Change a dataset", _ref("Dataset"), "Dataset", params=("id",)),
        "delete": _operation("Datasets", "Delete a dataset (with records: confirm=true)", {"type": "object"},
                             params=("id", "confirm")),
    },
    "/v1/properties": {
        "get": _operation("Properties", "List properties", _list("Property"), params=("datasetId",)),
        "post": _operation("Properties", "Add a property", _ref("Property"), "Property"),
    },
    "/v1/properties/{id}": {
        "get": _operation("Properties", "Get a property", _ref("Property"), params=("id",)),
        "patch": _operation("Properties", "Change a property", _ref("Property"), "Property", params=("id",)),
        "delete": _operation("Properties", "Delete a property and its values (confirm=true)", {"type": "object"},
                             params=("id", "confirm")),
    },
    "/v1/options": {
        "get": _operation("Options", "List options", _list("Option"), params=("propertyId",)),
        "post": _operation("Options", "Add an option", _ref("Option"), "Option"),
    },
    "/v1/options/{id}": {
        "patch": _operation("Options", "Change an option", _ref("Option"), "Option", params=("id",)),
        "delete": _operation("Options", "Delete an option (in use: confirm=true)", {"type": "object"},
                             params=("id", "confirm")),
    },
    "/v1/states": {
        "get": _operation("States", "List states", _list("State"), params=("datasetId",)),
        "post": _operation("States", "Add a state", _ref("State"), "State"),
    },
    "/v1/states/{id}": {
        "patch": _operation("States", "Change a state", _ref("State"), "State", params=("id",)),
        "delete": _operation("States", "Delete a state no record is in", {"type": "object"}, params=("id",)),
    },
    "/v1/property-types": {"get": _operation("PropertyTypes", "List property types", _list("PropertyType"))},
    "/v1/users": {"get": _operation("Users", "List users", _list("User"))},
    "/v1/users/{id}": {"get": _operation("Users", "Get a user", _ref("User"), params=("id",))},
    "/v1/health": {"get": _operation("Health", "Health check", _ref("Health"))},
    # Records (R2–R5; R1 is the seed's own). `property[<id>]`, `property[<id>][from]` and
    # `property[<id>][to]` filter by a property's value (docs/tracy.md).
    "/v1/records": {"get": _operation(
        "Records", "List records", _list("Record"),
        params=("datasetId", "ids", "stateId", "archived", "removed", "search", "sort", "offset", "limit", "include"))},
    "/v1/records/{id}": {
        "get": _operation("Records", "Get a record", _ref("Record"), params=("id", "include")),
        "patch": _operation("Records", "Change a record (datums, state, archive, trash, metadatums)", _ref("Record"),
                            "Record", params=("id",)),
        "delete": _operation("Records", "Delete a record in the trash for good", {"type": "object"}, params=("id",)),
    },
    "/v1/datums": {
        "get": _operation("Datums", "List a record's datums", _list("Datum"), params=("recordId", "propertyId")),
        "post": _operation("Datums", "Add a datum", _ref("Datum"), "Datum"),
    },
    "/v1/datums/{id}": {
        "get": _operation("Datums", "Get a datum", _ref("Datum"), params=("id",)),
        "patch": _operation("Datums", "Change a datum's value", _ref("Datum"), "Datum", params=("id",)),
        "delete": _operation("Datums", "Remove a datum", {"type": "object"}, params=("id",)),
    },
    "/v1/metadatums": {
        "get": _operation("Metadatums", "List a record's metadatums", _list("Metadatum"),
                          params=("recordId", "representationId")),
        "post": _operation("Metadatums", "Add a metadatum", _ref("Metadatum"), "Metadatum"),
    },
    "/v1/metadatums/{id}": {
        "patch": _operation("Metadatums", "Change a metadatum's value", _ref("Metadatum"), "Metadatum",
                            params=("id",)),
        "delete": _operation("Metadatums", "Remove a metadatum", {"type": "object"}, params=("id",)),
    },
    "/v1/events": {"get": _operation(
        "Events", "List events, oldest first", _list("Event"),
        params=("recordId", "datasetId", "eventTypeId", "userId", "createdFrom", "createdTo", "offset", "limit"))},
    "/v1/events/{id}": {"get": _operation("Events", "Get an event", _ref("Event"), params=("id",))},
}


# Every operation may answer these as problem details (problems.py), the seed's and ours alike.
_ERRORS = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500)
_PROBLEM = {"type": "object", "required": ["type", "title", "status", "traceId"], "properties": {
    "type": _STRING, "title": _STRING, "status": {"type": "integer"}, "detail": _STRING, "traceId": _STRING,
    "errors": {"type": "object", "additionalProperties": {"type": "array", "items": _STRING}}}}


@functools.cache
def seed() -> dict[str, Any]:
    """Seed 004 as Tracy publishes it (Swashbuckle, OpenAPI 3.0)."""
    text = resources.files("objectbase.api.tracy").joinpath("openapi/seed004.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _document() -> dict[str, Any]:
    doc = copy.deepcopy(seed())
    for path, operations in copy.deepcopy(_ADDED_PATHS).items():
        # A path the seed has (`/v1/records`) keeps its operations; ours join them.
        doc["paths"].setdefault(path, {}).update(operations)
    doc["components"]["schemas"].update(copy.deepcopy(_ADDED_SCHEMAS))
    # The seed declares no security; Tracy's (contract §2.1): a bearer access token or an API key.
    doc["components"]["securitySchemes"] = {
        "Bearer": {"type": "http", "scheme": "bearer", "description": "An access token from POST /v1/access-tokens"},
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
    doc["security"] = [{"Bearer": []}, {"ApiKey": []}]
    doc["components"]["schemas"]["Problem"] = _PROBLEM
    # Members Objectbase does not have are null (docs/tracy.md), an object member (`role`) too.
    for schema in seed()["components"]["schemas"]:
        for member in doc["components"]["schemas"][schema].get("properties", {}).values():
            if "$ref" in member:
                member["nullable"] = True
    for operations in doc["paths"].values():
        for operation in operations.values():
            for status in _ERRORS:
                operation["responses"].setdefault(str(status), {
                    "description": "Problem details (RFC 9457)",
                    "content": {"application/problem+json": {"schema": _ref("Problem")}}})
    return doc


def document() -> dict[str, Any]:
    return _document()


def _schema_name(schema: dict[str, Any]) -> str | None:
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(_REF)
    if schema.get("type") == "array":
        return _schema_name(schema.get("items", {}))
    return None


@functools.cache
def member_schemas(name: str) -> dict[str, str | None]:
    """The members a schema declares, each with the schema of its objects (or None for scalars)."""
    properties = _document()["components"]["schemas"][name].get("properties", {})
    return {member: _schema_name(schema) for member, schema in properties.items()}
