"""D1: create one record — seed 000 value for value, casting, permissions, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import QB

SEED_REQUEST = {
    "score_value": 665, "progress": "0.12", "expert_mode": False, "game_mode_name": "deathmatch",
    "user_location": "11.13, 45.52", "date": "2019-09-21 21:21:00", "completed_levels": [1, 2, 3],
}
SEED_FIELDS = {
    "_parent_id": None, "completed_levels": [1, 2, 3], "date": "2019-09-21T21:21:00Z", "expert_mode": False,
    "game_mode_name": "deathmatch", "progress": 0.12, "score_value": 665, "user_avatar": None,
    "user_location": [11.13, 45.52],
}
DEFAULT_PERMISSIONS = {"read": {"access": "open"}, "update": {"access": "owner"}, "delete": {"access": "owner"}}
GROUP_PERMISSIONS = {"read": {"access": "owner"},
                     "update": {"access": "open_for_groups", "user_groups": ["world"]},
                     "delete": {"access": "owner"}}
# Seed 000's "with permissions" examples, as the documentation writes them (trailing commas included).
SEED_PERMISSIONS_BODY = """{
  "score_value":665, "progress":"0.12", "expert_mode":false, "game_mode_name":"deathmatch",
  "user_location":"11.13, 45.52", "date":"2019-09-21 21:21:00",
  "completed_levels":[ 1, 2, 3 ],
  "permissions": {
    "read": { "access":"owner", },
    "update": { "access":"open_for_groups", "user_groups":[ "world" ] }
  }
}"""


def assert_seed_record(body: dict[str, Any], user_id: int, permissions: dict[str, Any]) -> None:
    assert list(body) == sorted(k for k in body if k != "permissions") + ["permissions"]
    assert re.fullmatch(r"[0-9a-f]{24}", body["_id"])
    assert isinstance(body["created_at"], int) and body["created_at"] == body["updated_at"]
    assert body["user_id"] == user_id
    assert {k: v for k, v in body.items() if k in SEED_FIELDS} == SEED_FIELDS
    assert set(body) == set(SEED_FIELDS) | {"_id", "created_at", "updated_at", "user_id", "permissions"}
    assert body["permissions"] == permissions


@pytest.fixture
def scores(qb: QB) -> QB:
    qb.apply_class()
    return qb


def test_seed_000_create_record_with_a_user_token(scores: QB) -> None:
    user_id = scores.make_user("player")
    response = scores.client.post("/data/ScoreTable.json", json=SEED_REQUEST, headers=scores.headers("player"))
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert_seed_record(body, user_id, DEFAULT_PERMISSIONS)
    created = [e for e in scores.events(body["_id"]) if e.kind == "record.created"]
    assert len(created) == 1 and created[0].actor_user_id == user_id
    assert created[0].new["score_value"] == 665 and created[0].old is None


def test_seed_000_create_record_with_permissions(scores: QB) -> None:
    user_id = scores.make_user("player")
    response = scores.client.post("/data/ScoreTable.json", content=SEED_PERMISSIONS_BODY,
                                  headers={**scores.headers("player"), "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert_seed_record(response.json(), user_id, GROUP_PERMISSIONS)


def test_seed_000_create_record_with_an_api_key(scores: QB) -> None:
    response = scores.client.post("/data/ScoreTable.json", json=SEED_REQUEST, headers=scores.api_key_headers)
    assert response.status_code == 201
    # A bare API key acts for no user: records it creates belong to user 0.
    assert_seed_record(response.json(), 0, DEFAULT_PERMISSIONS)


def test_seed_000_create_record_with_permissions_with_an_api_key_on_behalf_of_a_user(scores: QB) -> None:
    user_id = scores.make_user("player")
    headers = {**scores.api_key_headers, "On-Behalf-Of": str(user_id), "Content-Type": "application/json"}
    response = scores.client.post("/data/ScoreTable.json", content=SEED_PERMISSIONS_BODY, headers=headers)
    assert response.status_code == 201
    assert_seed_record(response.json(), user_id, GROUP_PERMISSIONS)


def test_form_encoded_create_casts_like_json(scores: QB) -> None:
    scores.make_user("player")
    form = ("score_value=665&progress=0.12&expert_mode=false&game_mode_name=deathmatch"
            "&user_location=11.13%2C%2045.52&date=2019-09-21%2021%3A21%3A00&completed_levels[]=1%2C2%2C3"
            "&permissions[read][access]=owner&permissions[update][access]=open_for_users_ids"
            "&permissions[update][ids]=3,12")
    response = scores.client.post("/data/ScoreTable.json", content=form, headers={
        **scores.headers("player"), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: v for k, v in body.items() if k in SEED_FIELDS} == SEED_FIELDS
    assert body["permissions"]["update"] == {"access": "open_for_users_ids", "users_ids": ["3", "12"]}


def test_fields_not_sent_are_null_and_unknown_and_system_keys_are_ignored(scores: QB) -> None:
    scores.make_user("player")
    response = scores.client.post("/data/ScoreTable.json", headers=scores.headers("player"), json={
        "score_value": "7", "nonsense": 1, "_id": "0" * 24, "user_id": 99, "created_at": 1})
    assert response.status_code == 201
    body = response.json()
    assert body["score_value"] == 7 and body["game_mode_name"] is None and "nonsense" not in body
    assert body["_id"] != "0" * 24 and body["user_id"] != 99 and body["created_at"] != 1


@pytest.mark.parametrize("values, field", [
    ({"score_value": "1.5"}, "score_value"),
    ({"score_value": "abc"}, "score_value"),
    ({"progress": "fast"}, "progress"),
    ({"expert_mode": "maybe"}, "expert_mode"),
    ({"date": "yesterday"}, "date"),
    ({"user_location": "200, 10"}, "user_location"),
    ({"user_location": "1"}, "user_location"),
    ({"completed_levels": [1, "two"]}, "completed_levels"),
    ({"game_mode_name": {"a": 1}}, "game_mode_name"),
], ids=["int-from-decimal", "int-from-text", "float", "boolean", "date", "location-range", "location-shape",
        "array-element", "string-from-object"])
def test_a_value_that_cannot_be_cast_is_422_naming_the_field_and_writes_nothing(
        scores: QB, values: dict[str, Any], field: str) -> None:
    scores.make_user("player")
    headers = scores.headers("player")
    events_before = len(scores.events())
    response = scores.client.post("/data/ScoreTable.json", json={"score_value": 1, **values}, headers=headers)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field] and field in errors[field][0]
    assert scores.count() == 0
    assert len(scores.events()) == events_before


@pytest.mark.parametrize("permissions, key", [
    ({"read": {"access": "everyone"}}, "permissions.read"),
    ({"update": {"access": "not_allowed"}}, "permissions.update"),
    ({"delete": {"access": "open_for_users_ids"}}, "permissions.delete"),
    ({"read": {"access": "open_for_users_ids", "ids": ["bob"]}}, "permissions.read"),
], ids=["unknown-level", "not-allowed-on-record", "ids-missing", "ids-not-numbers"])
def test_bad_permissions_are_422(scores: QB, permissions: dict[str, Any], key: str) -> None:
    scores.make_user("player")
    response = scores.client.post("/data/ScoreTable.json", json={"score_value": 1, "permissions": permissions},
                                  headers=scores.headers("player"))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [key]
    assert scores.count() == 0


def test_unknown_class_is_403_undefined_class(scores: QB) -> None:
    scores.make_user("player")
    response = scores.client.post("/data/Nope.json", json={"a": 1}, headers=scores.headers("player"))
    assert response.status_code == 403
    assert response.json() == {"errors": ["Undefined class"]}


def test_an_application_session_cannot_write(scores: QB) -> None:
    response = scores.client.post("/data/ScoreTable.json", json=SEED_REQUEST, headers=scores.headers())
    assert response.status_code == 422
    assert response.json() == {"errors": {"base": ["Forbidden. Need user."]}}
    assert scores.count() == 0


def test_malformed_json_is_400_and_writes_nothing(scores: QB) -> None:
    scores.make_user("player")
    response = scores.client.post("/data/ScoreTable.json", content=b'{"score_value": ',
                                  headers={**scores.headers("player"), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"errors": ["Request body is not valid JSON"]}
    assert scores.count() == 0


@pytest.mark.parametrize("create, allowed", [
    ({"access": "not_allowed"}, {"api_key": True, "member": False, "other": False}),
    ({"access": "open_for_groups", "groups": ["editors"]}, {"api_key": True, "member": True, "other": False}),
    ({"access": "open_for_users_ids", "ids": ["MEMBER"]}, {"api_key": True, "member": True, "other": False}),
    ({"access": "open"}, {"api_key": True, "member": True, "other": True}),
], ids=["not-allowed", "groups", "user-ids", "open"])
def test_class_create_permission_is_checked_in_the_core(qb: QB, create: dict[str, Any],
                                                         allowed: dict[str, bool]) -> None:
    member = qb.make_user("member", tags="editors")
    qb.make_user("other", tags="readers")
    if "ids" in create:
        create = {**create, "ids": [str(member)]}
    qb.apply_class({"name": "Notes", "fields": {"text": "String"}, "permissions": {"create": create}})
    callers = {"api_key": qb.api_key_headers, "member": qb.headers("member"), "other": qb.headers("other")}
    for who, headers in callers.items():
        response = qb.client.post("/data/Notes.json", json={"text": who}, headers=headers)
        assert response.status_code == (201 if allowed[who] else 403), (who, response.text)
    assert qb.count("Notes") == sum(allowed.values())


def test_unknown_on_behalf_of_user_is_401(scores: QB) -> None:
    headers = {**scores.api_key_headers, "On-Behalf-Of": "999999"}
    assert scores.client.post("/data/ScoreTable.json", json={}, headers=headers).status_code == 401


def test_wrong_api_key_is_401(scores: QB) -> None:
    response = scores.client.post("/data/ScoreTable.json", json={}, headers={"Authorization": "ApiKey nope"})
    assert response.status_code == 401
    assert response.json() == {"errors": ["Unauthorized"]}
