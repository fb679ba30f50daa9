"""D5: get records by id(s), with class and record permissions checked in the core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import QB


def create(qb: QB, headers: dict[str, str], **body: Any) -> str:
    response = qb.client.post("/data/ScoreTable.json", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["_id"])


@pytest.fixture
def scores(qb: QB) -> QB:
    qb.apply_class()
    return qb


def test_get_one_and_many_by_id(scores: QB) -> None:
    scores.make_user("owner")
    headers = scores.headers("owner")
    first = create(scores, headers, score_value=1)
    second = create(scores, headers, score_value=2)
    one = scores.client.get(f"/data/ScoreTable/{first}.json", headers=headers)
    assert one.status_code == 200
    body = one.json()
    assert body["class_name"] == "ScoreTable" and body["skip"] == 0 and body["limit"] == 100
    assert [i["_id"] for i in body["items"]] == [first]
    assert body["items"][0]["permissions"]["update"] == {"access": "owner"}
    many = scores.client.get(f"/data/ScoreTable/{second},{first}.json", headers=headers).json()
    assert [i["score_value"] for i in many["items"]] == [2, 1]
    assert "not_found" not in many


def test_missing_ids_are_listed_and_all_missing_is_404(scores: QB) -> None:
    scores.make_user("owner")
    headers = scores.headers("owner")
    found = create(scores, headers)
    missing = "5d866b53a28f9a5ad51cb562"
    partly = scores.client.get(f"/data/ScoreTable/{found},{missing},junk.json", headers=headers)
    assert partly.status_code == 200
    assert partly.json()["not_found"] == {"ids": [missing, "junk"]}
    nothing = scores.client.get(f"/data/ScoreTable/{missing}.json", headers=headers)
    assert nothing.status_code == 404
    assert nothing.json() == {"errors": ["Record not found"]}


# Who may read a record with this read permission: owner, a listed user, a user in a listed group,
# another user, an application session, the API key.
READ_MATRIX = [
    ("open", {"access": "open"}, {"owner", "listed", "grouped", "other", "app", "api_key"}),
    ("owner", {"access": "owner"}, {"owner", "api_key"}),
    ("users-ids", {"access": "open_for_users_ids", "ids": ["LISTED"]}, {"listed", "api_key"}),
    ("groups", {"access": "open_for_groups", "groups": ["golf"]}, {"grouped", "api_key"}),
]


@pytest.mark.parametrize("name, read, readers", READ_MATRIX, ids=[m[0] for m in READ_MATRIX])
def test_record_read_permission(scores: QB, name: str, read: dict[str, Any], readers: set[str]) -> None:
    scores.make_user("owner")
    listed = scores.make_user("listed")
    scores.make_user("grouped", tags="golf,tennis")
    scores.make_user("other", tags="chess")
    if "ids" in read:
        read = {**read, "ids": [str(listed)]}
    record = create(scores, scores.headers("owner"), score_value=5, permissions={"read": read})
    callers = {who: scores.headers(who) for who in ("owner", "listed", "grouped", "other")}
    callers["app"] = scores.headers()
    callers["api_key"] = scores.api_key_headers
    for who, headers in callers.items():
        response = scores.client.get(f"/data/ScoreTable/{record}.json", headers=headers)
        assert response.status_code == (200 if who in readers else 404), (who, response.text)
        listing = scores.client.get("/data/ScoreTable.json", headers=headers).json()
        assert [i["_id"] for i in listing["items"]] == ([record] if who in readers else []), who
        count = scores.client.get("/data/ScoreTable.json?count=1", headers=headers).json()
        assert count == {"class_name": "ScoreTable", "items_count": 1 if who in readers else 0}, who


def test_on_behalf_of_is_checked_as_that_user(scores: QB) -> None:
    owner = scores.make_user("owner")
    other = scores.make_user("other")
    record = create(scores, scores.headers("owner"), permissions={"read": {"access": "owner"}})
    as_owner = {**scores.api_key_headers, "On-Behalf-Of": str(owner)}
    as_other = {**scores.api_key_headers, "On-Behalf-Of": str(other)}
    assert scores.client.get(f"/data/ScoreTable/{record}.json", headers=as_owner).status_code == 200
    assert scores.client.get(f"/data/ScoreTable/{record}.json", headers=as_other).status_code == 404


def test_class_permissions_override_record_permissions_when_switched_on(qb: QB) -> None:
    qb.apply_class({"name": "Secrets", "fields": {"text": "String"},
                    "permissions": {"read": {"access": "owner"}},
                    "use_class_permissions": {"read": True}})
    qb.make_user("owner")
    qb.make_user("other")
    response = qb.client.post("/data/Secrets.json", json={"text": "x", "permissions": {"read": {"access": "open"}}},
                              headers=qb.headers("owner"))
    record = response.json()["_id"]
    assert qb.client.get(f"/data/Secrets/{record}.json", headers=qb.headers("owner")).status_code == 200
    assert qb.client.get(f"/data/Secrets/{record}.json", headers=qb.headers("other")).status_code == 404
    assert qb.client.get("/data/Secrets.json?count=1", headers=qb.headers("other")).json()["items_count"] == 0


def test_class_read_not_allowed_hides_everything_but_from_the_api_key(qb: QB) -> None:
    qb.apply_class({"name": "Hidden", "fields": {"text": "String"},
                    "permissions": {"read": {"access": "not_allowed"}}, "use_class_permissions": {"read": True}})
    qb.make_user("owner")
    record = qb.client.post("/data/Hidden.json", json={"text": "x"}, headers=qb.headers("owner")).json()["_id"]
    assert qb.client.get(f"/data/Hidden/{record}.json", headers=qb.headers("owner")).status_code == 404
    assert qb.client.get(f"/data/Hidden/{record}.json", headers=qb.api_key_headers).status_code == 200
