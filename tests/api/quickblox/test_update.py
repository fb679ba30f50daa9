"""D8 update one, D9 update many, D10 update by criteria; operators (§4.6); permissions; atomicity."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from objectbase.core.records import RecordChange
from objectbase.core.updates import FieldChange
from tests.conftest import QB

CLASS = {"name": "Game", "fields": {"score": "Integer", "rating": "Float", "name": "String", "tags": "String[]",
                                    "levels": "Integer[]", "ratings": "Integer[]", "when": "Date"},
         "required": ["name"]}


@pytest.fixture
def game(qb: QB) -> QB:
    qb.apply_class(CLASS)
    qb.make_user("owner")
    return qb


def create(qb: QB, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = qb.client.post("/data/Game.json", json={"name": "g", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def put(qb: QB, record_id: str, headers: dict[str, str], **kwargs: Any) -> Any:
    return qb.client.put(f"/data/Game/{record_id}.json", headers=headers, **kwargs)


@pytest.mark.parametrize("before, body, after", [
    ({"score": 1}, {"score": "5"}, {"score": 5}),
    ({"score": 10}, {"inc": {"score": -3}}, {"score": 7}),
    ({"rating": 1.5}, {"inc": {"rating": "0.25"}}, {"rating": 1.75}),
    ({}, {"inc": {"score": 2}}, {"score": 2}),
    ({"tags": ["a", "b", "a"]}, {"pull": {"tags": "a"}}, {"tags": ["b"]}),
    ({"ratings": [1, 5, 2, 4]}, {"pull": {"ratings": {"lt": 3}}}, {"ratings": [5, 4]}),
    ({"ratings": [1, 5, 2]}, {"pull": {"ratings": {"in": "1,2"}}}, {"ratings": [5]}),
    ({"tags": ["a", "b", "c"]}, {"pull_all": {"tags": ["a", "c"]}}, {"tags": ["b"]}),
    ({"tags": ["a", "b", "c"]}, {"pop": {"tags": 1}}, {"tags": ["a", "b"]}),
    ({"tags": ["a", "b", "c"]}, {"pop": {"tags": -1}}, {"tags": ["b", "c"]}),
    ({"tags": ["a"]}, {"push": {"tags": ["c", "d"]}}, {"tags": ["a", "c", "d"]}),
    ({"tags": ["a"]}, {"push": {"tags": "b"}}, {"tags": ["a", "b"]}),
    ({"tags": ["a"]}, {"add_to_set": {"tags": ["a", "b", "b"]}}, {"tags": ["a", "b"]}),
    ({"tags": ["a"]}, {"add_to_set": {"tags": "man,car"}}, {"tags": ["a", "man", "car"]}),
    ({"levels": [1, 2, 3]}, {"levels": {"2": "6"}}, {"levels": [1, 2, 6]}),
    ({"score": 1, "tags": ["x"]}, {"score": 2, "push": {"tags": "y"}}, {"score": 2, "tags": ["x", "y"]}),
    ({"score": 1}, {"score": None}, {"score": None}),
    ({"when": "2019-09-21 21:21:00"}, {"when": "2020-01-01"}, {"when": "2020-01-01T00:00:00Z"}),
], ids=["set", "inc", "inc-float", "inc-null", "pull", "pull-lt", "pull-in", "pull_all", "pop-last",
        "pop-first", "push-list", "push-one", "add_to_set", "add_to_set-comma", "by-index", "mixed", "set-null",
        "date"])
def test_update_operators(game: QB, before: dict[str, Any], body: dict[str, Any], after: dict[str, Any]) -> None:
    headers = game.headers("owner")
    record = create(game, headers, **before)
    response = put(game, record["_id"], headers, json=body)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert {k: updated[k] for k in after} == after
    assert updated["permissions"] == record["permissions"] and updated["name"] == "g"
    events = [e for e in game.events(record["_id"]) if e.kind == "record.updated"]
    assert len(events) == 1
    assert {k: events[0].new[k] for k in after} == after


def test_form_encoded_operators(game: QB) -> None:
    headers = game.headers("owner")
    record = create(game, headers, score=1, tags=["a"])
    response = put(game, record["_id"], {**headers, "Content-Type": "application/x-www-form-urlencoded"},
                   content="inc[score]=4&push[tags][]=b&push[tags][]=c&name=renamed")
    assert response.status_code == 200, response.text
    assert (response.json()["score"], response.json()["tags"], response.json()["name"]) == (5, ["a", "b", "c"], "renamed")


def test_the_sdk_resending_a_whole_fetched_record_is_accepted(game: QB) -> None:
    game.make_user("editor")
    headers = game.headers("owner")
    record = create(game, headers, score=1, permissions={"update": {"access": "open"}})
    record["score"] = 2
    # Another user with update rights re-sends everything, including the unchanged permissions.
    response = put(game, record["_id"], game.headers("editor"), json=record)
    assert response.status_code == 200, response.text
    assert response.json()["score"] == 2 and response.json()["created_at"] == record["created_at"]


def test_only_the_owner_changes_permissions(game: QB) -> None:
    game.make_user("editor")
    record = create(game, game.headers("owner"), permissions={"update": {"access": "open"}})
    stolen = put(game, record["_id"], game.headers("editor"), json={"permissions": {"read": {"access": "owner"}}})
    assert stolen.status_code == 403
    owned = put(game, record["_id"], game.headers("owner"),
                json={"permissions": {"read": {"access": "open_for_groups", "groups": "golf,man"}}})
    assert owned.status_code == 200
    assert owned.json()["permissions"]["read"] == {"access": "open_for_groups", "user_groups": ["golf", "man"]}
    assert owned.json()["permissions"]["update"] == {"access": "open"}


def test_reads_show_each_records_own_permissions_after_one_changes(game: QB) -> None:
    """Records with the same ACL share its rendering (core/identity_cache.py); a changed one
    shows its new ACL at once, the others keep theirs."""
    headers = game.headers("owner")
    first, second = create(game, headers, score=1), create(game, headers, score=2)
    ids = f"{first['_id']},{second['_id']}"
    before = game.client.get(f"/data/Game/{ids}.json", headers=headers).json()["items"]
    assert [item["permissions"] for item in before] == [first["permissions"], second["permissions"]]
    assert first["permissions"]["read"] != {"access": "owner"}
    assert put(game, first["_id"], headers, json={"permissions": {"read": {"access": "owner"}}}).status_code == 200
    after = game.client.get(f"/data/Game/{ids}.json", headers=headers).json()["items"]
    assert after[0]["permissions"] == {**first["permissions"], "read": {"access": "owner"}}
    assert after[1]["permissions"] == second["permissions"]


@pytest.mark.parametrize("body, field", [
    ({"score": "x"}, "score"), ({"inc": {"name": 1}}, "name"), ({"push": {"score": 1}}, "score"),
    ({"pop": {"tags": 2}}, "tags"), ({"name": None}, "name"), ({"inc": {"score": 2**63}}, "score"),
    ({"pull": {"ratings": {"regex": "x"}}}, "ratings"), ({"_parent_id": "nope"}, "_parent_id"),
], ids=["cast", "inc-string", "push-scalar", "pop-two", "required-null", "overflow", "pull-bad-op", "bad-parent"])
def test_bad_updates_are_422_and_change_nothing(game: QB, body: dict[str, Any], field: str) -> None:
    headers = game.headers("owner")
    record = create(game, headers, score=2**62 if field == "score" and "inc" in body else 1)
    response = put(game, record["_id"], headers, json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    after = game.client.get(f"/data/Game/{record['_id']}.json", headers=headers).json()["items"][0]
    assert after == record
    assert not [e for e in game.events(record["_id"]) if e.kind == "record.updated"]


def test_update_permissions_and_missing_records(game: QB) -> None:
    game.make_user("other")
    record = create(game, game.headers("owner"))
    assert put(game, record["_id"], game.headers("other"), json={"score": 1}).status_code == 403
    assert put(game, "5d866b53a28f9a5ad51cb562", game.headers("owner"), json={"score": 1}).status_code == 404
    hidden = create(game, game.headers("owner"), permissions={"read": {"access": "owner"}})
    assert put(game, hidden["_id"], game.headers("other"), json={"score": 1}).status_code == 404
    app_session = put(game, record["_id"], game.headers(), json={"score": 1})
    assert app_session.status_code == 422 and app_session.json() == {"errors": {"base": ["Forbidden. Need user."]}}
    as_key = put(game, record["_id"], game.api_key_headers, json={"score": 9})
    assert as_key.status_code == 200 and as_key.json()["score"] == 9


def test_update_many(game: QB) -> None:
    game.make_user("other")
    mine = [create(game, game.headers("owner"), score=i)["_id"] for i in range(2)]
    theirs = create(game, game.headers("other"), score=5)["_id"]
    missing = "5d866b53a28f9a5ad51cb562"
    form = (f"record[1][id]={mine[0]}&record[1][score]=10&record[2][id]={mine[1]}&record[2][inc][score]=5"
            f"&record[3][id]={theirs}&record[3][score]=0&record[4][id]={missing}&record[4][score]=0")
    response = game.client.put("/data/Game/multi.json", content=form, headers={
        **game.headers("owner"), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(i["_id"], i["score"]) for i in body["items"]] == [(mine[0], 10), (mine[1], 6)]
    assert body["not_found"] == {"ids": [missing]} and body["WrongPermissions"] == {"ids": [theirs]}
    assert "permissions" in body["items"][0]


def test_update_by_criteria_touches_only_permitted_matches(game: QB) -> None:
    game.make_user("other")
    owner = game.headers("owner")
    for score in (1, 5, 9):
        create(game, owner, score=score, rating=0.5)
    create(game, game.headers("other"), score=7, rating=0.5)
    response = game.client.put("/data/Game/by_criteria.json", headers=owner, json={
        "search_criteria": {"score": {"gt": 3}}, "rating": 0.9, "inc": {"score": 100}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total_found"] == 2 and body["class_name"] == "Game"
    assert sorted(i["score"] for i in body["items"]) == [105, 109]
    everything = game.client.get("/data/Game.json?sort_asc=score", headers=owner).json()["items"]
    assert [(i["score"], i["rating"]) for i in everything] == [(1, 0.5), (7, 0.5), (105, 0.9), (109, 0.9)]
    nothing = game.client.put("/data/Game/by_criteria.json", headers=owner,
                              content="search_criteria[score][gt]=1000&rating=0.1",
                              params={}, )
    assert nothing.status_code == 200 and nothing.json()["total_found"] == 0
    no_criteria = game.client.put("/data/Game/by_criteria.json", headers=owner, json={"rating": 0.1})
    assert no_criteria.status_code == 422


def test_concurrent_increments_lose_nothing(game: QB) -> None:
    record = create(game, game.headers("owner"), score=0)
    owner = game.services.users.find_user_by(game.admin, "login", "owner")
    from objectbase.core.actor import Actor, ActorKind
    actor = Actor(ActorKind.USER, game.app_id, owner.id)
    change = RecordChange(record["_id"], [FieldChange("score", "inc", 1), FieldChange("tags", "push", ["t"])])
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(10):
                game.services.records.update_records(actor, "Game", [change])
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    final = game.services.records.get_records(actor, "Game", [record["_id"]]).records[0]
    assert final.values["score"] == 80 and len(final.values["tags"]) == 80
