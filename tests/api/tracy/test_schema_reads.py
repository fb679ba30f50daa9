"""DS1–DS2, P1, PT1, U1 and the OpenAPI document, validated against the seed's own schemas."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML comes with moto (test extra); stubs not needed

from objectbase.api.tracy.openapi import seed
from objectbase.core.users import NewUser
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.seed_schemas import assert_valid
from tests.conftest import SCORE_TABLE

SCORE_TYPES = {"score_value": "integer", "progress": "decimal", "expert_mode": "boolean",
               "game_mode_name": "text", "user_location": "location", "date": "dateTime",
               "completed_levels": "integers", "user_avatar": "file",
               "author": "author", "createdAt": "createdAt", "updatedAt": "updatedAt"}


def _dataset(tracy: Tracy) -> dict[str, Any]:
    tracy.qb.apply_class(SCORE_TABLE)
    response = tracy.get("/v1/datasets")
    assert response.status_code == 200, response.text
    (dataset,) = response.json()
    return dict(dataset)


def test_property_types_catalogue(tracy: Tracy) -> None:
    response = tracy.get("/v1/property-types")
    assert response.status_code == 200
    types = response.json()
    assert_valid(types, "PropertyType[]")
    assert [t["position"] for t in types] == list(range(len(types)))
    by_id = {t["id"]: t for t in types}
    assert by_id["texts"]["isPlural"] and not by_id["text"]["isPlural"]
    assert by_id["author"]["isAutomatic"] and not by_id["location"]["isSortable"]
    assert_problem(tracy.get("/v1/property-types", headers={}), 401)


def test_datasets_list_is_shallow(tracy: Tracy) -> None:
    dataset = _dataset(tracy)
    assert_valid(dataset, "Dataset")
    assert dataset["name"] == "ScoreTable" and dataset["position"] == 0 and dataset["isDisabled"] is False
    assert dataset["properties"] is None and dataset["states"] is None and dataset["path"] is None


def test_dataset_includes_its_properties(tracy: Tracy) -> None:
    dataset_id = _dataset(tracy)["id"]
    response = tracy.get(f"/v1/datasets/{dataset_id}")
    assert response.status_code == 200
    dataset = response.json()
    assert_valid(dataset, "Dataset")
    properties = dataset["properties"]
    assert {p["name"]: p["propertyType"]["id"] for p in properties} == SCORE_TYPES
    assert [p["position"] for p in properties] == list(range(len(SCORE_TYPES)))
    assert all(p["dataset"] is None for p in properties)  # the back-reference
    automatic = [p for p in properties if p["propertyType"]["isAutomatic"]]
    assert [p["name"] for p in automatic] == ["author", "createdAt", "updatedAt"]
    assert all(p["id"] < 0 for p in automatic) and all(p["id"] > 0 for p in properties if p not in automatic)
    # Listed only when asked for.
    assert tracy.get(f"/v1/datasets/{dataset_id}", {"include": ""}).json()["properties"] is None
    assert tracy.get("/v1/datasets", {"include": "properties"}).json()[0]["properties"] == properties


def test_properties_list_and_get(tracy: Tracy) -> None:
    dataset = _dataset(tracy)
    response = tracy.get("/v1/properties", {"datasetId": dataset["id"]})
    assert response.status_code == 200
    properties = response.json()
    assert_valid(properties, "Property[]")
    assert all(p["dataset"]["id"] == dataset["id"] and p["dataset"]["properties"] is None for p in properties)
    for prop in (properties[0], properties[-1]):
        one = tracy.get(f"/v1/properties/{prop['id']}")
        assert one.status_code == 200 and one.json() == prop
    assert tracy.get("/v1/properties").json() == properties


def test_automatic_property_ids_are_stable_and_distinct_between_datasets(tracy: Tracy) -> None:
    tracy.qb.apply_class([SCORE_TABLE, {"name": "Lead", "fields": {"company": "String"}}])
    first = [p["id"] for p in tracy.get("/v1/properties").json()]
    assert len(first) == len(set(first))
    assert [p["id"] for p in tracy.get("/v1/properties").json()] == first


def test_unknown_or_bad_ids_and_params(tracy: Tracy) -> None:
    dataset_id = _dataset(tracy)["id"]
    assert_problem(tracy.get(f"/v1/datasets/{dataset_id + 1000}"), 404)
    assert_problem(tracy.get("/v1/datasets/abc"), 400, "id")
    assert_problem(tracy.get("/v1/datasets/99999999999999999999"), 400, "id")
    assert_problem(tracy.get("/v1/datasets", {"include": "states,bogus"}), 400, "include")
    assert_problem(tracy.get("/v1/properties", {"datasetId": "x"}), 400, "datasetId")
    assert_problem(tracy.get("/v1/properties", {"datasetId": dataset_id + 1000}), 404)
    assert_problem(tracy.get("/v1/properties/123456789"), 404)


def test_datasets_the_caller_may_not_read_are_hidden(tracy: Tracy) -> None:
    tracy.qb.apply_class({**SCORE_TABLE, "permissions": {"read": {"access": "not_allowed"}},
                          "use_class_permissions": {"read": True}})
    (dataset,) = tracy.get("/v1/datasets").json()
    assert tracy.get("/v1/datasets", headers=tracy.app_headers).json() == []
    assert_problem(tracy.get(f"/v1/datasets/{dataset['id']}", headers=tracy.app_headers), 404)


def test_users(tracy: Tracy) -> None:
    admin = NewUser({"login": "boss", "email": "boss@example.com", "full_name": "The Boss"}, "password1",
                    is_admin=True)
    admin_id = tracy.qb.services.users.create_user(tracy.qb.admin, admin).id
    user_id = tracy.qb.make_user("ann")
    response = tracy.get("/v1/users")
    assert response.status_code == 200 and response.headers["x-total-count"] == "2"
    users = response.json()
    assert_valid(users, "User[]")
    by_id = {u["id"]: u for u in users}
    assert by_id[admin_id]["userType"] == {"id": "administrator"} and by_id[admin_id]["name"] == "The Boss"
    assert by_id[user_id]["userType"] == {"id": "user"} and by_id[user_id]["email"] is None
    assert tracy.get("/v1/users", {"limit": 1, "offset": 1}).json() == users[1:]
    assert_problem(tracy.get(f"/v1/users/{user_id + 1000}"), 404)


def test_openapi_document_keeps_the_seed_and_adds_our_endpoints(tracy: Tracy) -> None:
    response = tracy.qb.client.get("/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    original = seed()
    for path, item in original["paths"].items():
        for method, operation in item.items():
            served = doc["paths"][path][method]
            # Ours adds the problem-details error responses (and nothing else) to the seed's operations.
            assert {**served, "responses": {s: served["responses"][s] for s in operation["responses"]}} == operation
            assert served["responses"]["422"]["content"]["application/problem+json"]
    for name, schema in original["components"]["schemas"].items():
        # Object members may be null (members Objectbase does not have, docs/tracy.md); nothing else differs.
        served = copy.deepcopy(doc["components"]["schemas"][name])
        for member in served.get("properties", {}).values():
            if "$ref" in member:
                assert member.pop("nullable") is True
        assert served == schema
    for path in ("/v1/datasets", "/v1/datasets/{id}", "/v1/properties", "/v1/property-types", "/v1/users",
                 "/v1/users/{id}", "/v1/access-tokens", "/v1/health", "/v1/records/{id}", "/v1/datums",
                 "/v1/datums/{id}", "/v1/metadatums", "/v1/metadatums/{id}", "/v1/events", "/v1/events/{id}"):
        assert path in doc["paths"]
    # The packaged JSON is the seed's YAML document, unchanged (when the seed is at hand).
    assert set(doc["paths"]["/v1/records"]) == {"post", "get"}
    seed_file = Path("/work/shared/seeds/004_398d7428f2052596.txt")
    if seed_file.exists():
        text = seed_file.read_text("utf-8").split("````")[1]
        assert yaml.safe_load(text.split("\n", 1)[1]) == original
