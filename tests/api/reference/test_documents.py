"""`/openapi/{dialect}.json`: valid OpenAPI, generated from the routes each dialect serves."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

from objectbase.api.common.operations import Operation
from objectbase.api.reference.openapi import Mount, UndeclaredRoutes, build_document
from objectbase.api.tracy.dialect import ROUTES as TRACY_ROUTES
from tests.conftest import QB

DIALECTS = ("quickblox", "dreamfactory", "tracy")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_document_is_served_and_valid(client: TestClient, dialect: str) -> None:
    response = client.get(f"/openapi/{dialect}.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    validate(document)
    assert document["paths"] and document["components"]["securitySchemes"]


def test_tracy_document_is_the_one_under_v1(client: TestClient) -> None:
    assert client.get("/openapi/tracy.json").json() == client.get("/v1/openapi.json").json()


def test_tracy_document_has_exactly_the_served_routes(client: TestClient) -> None:
    documented = {(method.upper(), path) for path, operations in client.get("/openapi/tracy.json").json()["paths"]
                  .items() for method in operations}
    served = {(method, "/v1" + route.path) for route in TRACY_ROUTES for method in route.methods or ()
              if method != "HEAD"}
    # The document describes itself nowhere else than here.
    assert documented == served - {("GET", "/v1/openapi.json")}


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for operations in document["paths"].values() for operation in operations.values()]


@pytest.mark.parametrize(("dialect", "schemes"), [
    ("quickblox", {"QB-Token", "token", "ApiKey"}),
    ("dreamfactory", {"ApiKey", "SessionToken", "Bearer"}),
])
def test_every_operation_documents_auth_and_error_shape(client: TestClient, dialect: str, schemes: set[str]) -> None:
    document = client.get(f"/openapi/{dialect}.json").json()
    assert set(document["components"]["securitySchemes"]) == schemes
    for operation in _operations(document):
        assert operation["security"], operation["operationId"]
        errors = {status: r for status, r in operation["responses"].items() if status >= "400"}
        assert {"401", "404", "422", "429", "500"} <= set(errors), operation["operationId"]
        assert all(r["content"]["application/json"]["schema"]["required"] == ["error" + ("s" if dialect == "quickblox"
                                                                                           else "")]
                   for r in errors.values())


def test_both_dreamfactory_surfaces_are_documented_with_their_own_error_shape(client: TestClient) -> None:
    paths = client.get("/openapi/dreamfactory.json").json()["paths"]
    v2 = paths["/api/v2/{service}/_table/{table}"]["get"]["responses"]["404"]["content"]["application/json"]
    legacy = paths["/rest/{service}/{table}"]["get"]["responses"]["404"]["content"]["application/json"]
    assert v2["schema"]["properties"]["error"]["type"] == "object"
    assert legacy["schema"]["properties"]["error"]["type"] == "array"
    assert "post" in paths["/api/v2/user/session"] and "post" in paths["/rest/user/session"]


def test_quickblox_paths_carry_typed_path_parameters(client: TestClient) -> None:
    user = client.get("/openapi/quickblox.json").json()["paths"]["/users/{user_id}.json"]
    assert set(user) == {"get", "put", "delete"}
    assert user["get"]["parameters"][0] == {"name": "user_id", "in": "path", "required": True,
                                            "schema": {"type": "integer"}}


def test_unknown_dialect_is_404(client: TestClient) -> None:
    response = client.get("/openapi/parse.json")
    assert response.status_code == 404
    assert "quickblox" in response.json()["error"]


async def _handler() -> None: ...


def _build(routes: list[Route], operations: dict[Any, Operation]) -> dict[str, Any]:
    return build_document(title="t", description="d", mounts=[Mount("", routes, {"type": "object"})],
                          operations=operations, key=lambda method, route: (method, route.path),
                          security_schemes={}, security=[])


def test_a_route_without_declaration_fails_the_build() -> None:
    with pytest.raises(UndeclaredRoutes, match="undeclared routes: \\['DELETE /x'\\]"):
        _build([Route("/x", _handler, methods=["GET", "DELETE"])], {("GET", "/x"): Operation("x", "t")})


def test_a_declaration_without_route_fails_the_build() -> None:
    with pytest.raises(UndeclaredRoutes, match="not served: \\[\"\\('POST', '/x'\\)\"\\]"):
        _build([Route("/x", _handler, methods=["GET"])],
               {("GET", "/x"): Operation("x", "t"), ("POST", "/x"): Operation("x", "t")})


def _documented(client: TestClient, path: str, method: str, status: str) -> dict[str, Any]:
    responses = client.get("/openapi/dreamfactory.json").json()["paths"][path][method]["responses"]
    assert status in responses, sorted(responses)
    schema: dict[str, Any] = responses[status]["content"]["application/json"]["schema"]
    return schema


def test_dreamfactory_answers_match_their_documented_schemas(client: TestClient, qb: QB) -> None:
    """Found by the fuzz run: writes answer 200 (not 201), and `count_only` a bare number."""
    qb.apply_class({"name": "ScoreTable", "fields": {"score_value": "Integer"}})
    qb.make_user("ann")
    headers = {"X-DreamFactory-Api-Key": qb.credentials.auth_key, "X-DreamFactory-Session-Token": qb.token("ann")}
    path = "/api/v2/{service}/_table/{table}"
    created = client.post("/api/v2/db/_table/ScoreTable", json={"resource": [{"score_value": 1}]}, headers=headers)
    assert created.status_code == 200, created.text
    Draft202012Validator(_documented(client, path, "post", "200")).validate(created.json())
    counted = client.get("/api/v2/db/_table/ScoreTable", params={"count_only": "true"}, headers=headers)
    assert counted.status_code == 200 and counted.json() == 1
    Draft202012Validator(_documented(client, path, "get", "200")).validate(counted.json())
