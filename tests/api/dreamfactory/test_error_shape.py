"""Every error reaches the client in its surface's canonical envelope (contract §7.1): through HTTP
for each error class a request can trigger, and through the dialect's error table for the rest.
`assert_df_error` (tests/api/dreamfactory/wire.py) is the one check of the envelope."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from starlette.requests import Request

from objectbase.api.dreamfactory.dialect import DreamFactory
from objectbase.api.dreamfactory.errors import CREDENTIALS_MISSING
from objectbase.core.errors import (
    ConflictError, LimitExceededError, MalformedInputError, NeedUserError, NotFoundError, ObjectbaseError,
    PermissionDeniedError, SessionMissingError, UnauthenticatedError, UnavailableError, UnsupportedQueryError,
    ValidationError,
)
from tests.api.dreamfactory.wire import LEGACY, SURFACES, V2, Wire, assert_df_error, state_of
from tests.conftest import QB


def test_the_envelopes_of_the_two_surfaces(qb: QB) -> None:
    v2 = qb.client.get("/api/v2/db/_schema")
    assert v2.json() == {"error": {"code": 400, "context": None, "message": CREDENTIALS_MISSING, "status_code": 400}}
    legacy = qb.client.get("/rest/db/_schema")
    assert legacy.json() == {"error": [{"message": CREDENTIALS_MISSING, "code": 400, "context": None}]}


# (verb, path under the surface, body, auth: admin/app/none, status, message or None)
def _cases(wire: Wire) -> list[Any]:
    t = wire.table
    return [
        pytest.param("GET", wire.base + "/db/_table/T/1/2/3" if wire is V2 else wire.base + "/db/T/1/2/3", None,
                     "app", 404, "Resource not found.", id="unknown-path"),
        pytest.param("PATCH", wire.session, None, "app", 405, "Method not allowed on this resource.",
                     id="wrong-method"),
        pytest.param("POST", wire.schema("ScoreTable"), None, "admin", 405, None, id="wrong-method-schema"),
        pytest.param("POST", wire.session, b'{"login": "a",', "app", 400, None, id="malformed-json-session"),
        pytest.param("POST", wire.schema(), b"{bad json", "admin", 400, None, id="malformed-json-schema"),
        pytest.param("POST", wire.schema(), b'"just text"', "admin", 400, None, id="json-not-object"),
        pytest.param("GET", f"{wire.base}/x/_schema", None, "app", 404, 'Service "x" not found.',
                     id="unknown-service-schema"),
        pytest.param("GET", f"{wire.base}/x", None, "app", 404, 'Service "x" not found.', id="unknown-service"),
        pytest.param("GET", t("Nope"), None, "app", 404, 'Table "Nope" does not exist in the database.',
                     id="unknown-table-records"),
        pytest.param("GET", wire.schema("Nope"), None, "app", 404, 'Table "Nope" does not exist in the database.',
                     id="unknown-table-schema"),
        pytest.param("GET", wire.schema("ScoreTable"), None, "none", 400, CREDENTIALS_MISSING, id="no-credentials"),
        pytest.param("GET", wire.schema("ScoreTable"), None, "bad-token", 401, None, id="bad-token"),
        pytest.param("DELETE", wire.schema("ScoreTable"), None, "app", 403, None, id="not-admin"),
        pytest.param("POST", wire.schema(), [{"name": "ScoreTable"}], "admin", 400,
                     'Table "ScoreTable" already exists.', id="conflict"),
        pytest.param("POST", wire.schema(), [{"name": "t", "field": [{"name": "a", "type": "blob"}]}], "admin",
                     400, None, id="validation"),
        pytest.param("GET", t("ScoreTable") + "?filter=score_value%20%3D%20%3D%201", None, "app", 400,
                     "Invalid or unparsable filter request.",
                     id="unparsable-filter"),
        pytest.param("POST", wire.schema(), b"[" + b" " * 2_000_000 + b"]", "admin", 413, None,
                     id="body-too-large"),
        pytest.param("GET", wire.schema("Scor%00eTable"), None, "app", 404, None, id="nul-in-table-name"),
        pytest.param("GET", t("ScoreTable") + "?order=score_value%3B%20DROP%20x", None, "app", 400, None,
                     id="sql-in-order"),
    ]


@pytest.mark.parametrize("wire, verb, path, body, auth, status, message",
                         [pytest.param(w, *c.values, id=f"{w.name}-{c.id}")
                          for w in (V2, LEGACY) for c in _cases(w)])
def test_errors_through_http(qb: QB, wire: Wire, verb: str, path: str, body: Any, auth: str, status: int,
                             message: str | None) -> None:
    qb.apply_class()
    headers = {"admin": wire.app(qb.credentials.api_key), "app": wire.app(qb.credentials.auth_key), "none": {},
               "bad-token": {"X-DreamFactory-Session-Token": "0" * 32}}[auth]
    content = body if isinstance(body, bytes) else (None if body is None else orjson.dumps(body))
    before = state_of(qb)
    response = qb.client.request(verb, path, content=content,
                                 headers={**headers, "Content-Type": "application/json"})
    found = assert_df_error(response, wire, status)
    if message is not None:
        assert found == message
    assert state_of(qb) == before


# Every error class the core raises, and what the dialect answers for it.
TABLE: list[Any] = [
    pytest.param(ValidationError.single("age", "blank", "can't be blank"), 400, "Field 'age' can not be NULL.",
                 id="validation"),
    pytest.param(MalformedInputError(), 400, "Malformed request", id="malformed"),
    pytest.param(UnsupportedQueryError("no"), 400, "no", id="unsupported"),
    pytest.param(LimitExceededError("too many"), 400, "too many", id="limit"),
    pytest.param(LimitExceededError("big", code="body_too_large"), 413, "big", id="too-large"),
    pytest.param(UnauthenticatedError(code="credentials_missing"), 400, CREDENTIALS_MISSING, id="no-credentials"),
    pytest.param(UnauthenticatedError(code="api_key_missing"), 400, None, id="no-api-key"),
    pytest.param(SessionMissingError(), 401, "Invalid token: the session does not exist or has expired.",
                 id="session"),
    pytest.param(UnauthenticatedError(code="invalid_credentials"), 401, "Invalid credentials supplied.",
                 id="credentials"),
    pytest.param(NeedUserError(), 401, "Unauthorized. User is not authenticated.", id="need-user"),
    pytest.param(PermissionDeniedError(), 403,
                 "Access Forbidden. You do not have enough privileges to access this resource.", id="denied"),
    pytest.param(NotFoundError(code="class_not_found", details={"class": "T"}), 404,
                 'Table "T" does not exist in the database.', id="table"),
    pytest.param(NotFoundError("No class of this name exists", code="class_not_found"), 404,
                 "No class of this name exists", id="table-without-details"),
    pytest.param(ConflictError("taken"), 409, "taken", id="conflict"),
    pytest.param(ConflictError(code="field_type_change", details={"field": "f"}), 400,
                 "Changing the type of field 'f' is not supported.", id="type-change"),
    pytest.param(UnavailableError(), 503, "Service temporarily unavailable", id="unavailable"),
    pytest.param(ObjectbaseError(), 400, "Request failed", id="root"),
    pytest.param(RuntimeError("SELECT secret FROM obj_1"), 500, "Internal server error.", id="crash"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("error, status, message", TABLE)
def test_every_error_class_in_the_envelope(wire: Wire, error: Exception, status: int, message: str | None) -> None:
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b"",
             "root_path": wire.base}
    response = DreamFactory().error_response(Request(scope), error)

    class Sent:  # what assert_df_error reads of a client response
        status_code = response.status_code
        headers = {"content-type": response.media_type or ""}
        text = bytes(response.body).decode()

        def json(self) -> Any:
            return orjson.loads(self.text)

    found = assert_df_error(Sent(), wire, status)
    if message is not None:
        assert found == message
