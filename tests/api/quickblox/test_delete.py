"""D11 delete one, D12 delete many, D13 delete by criteria; `_parent_id` cascades (§4.8)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import QB


@pytest.fixture
def game(qb: QB) -> QB:
    qb.apply_class([{"name": "Game", "fields": {"score": "Integer"}},
                    {"name": "Move", "fields": {"n": "Integer"}},
                    {"name": "Note", "fields": {"text": "String"}}])
    qb.make_user("owner")
    qb.make_user("other")
    return qb


def create(qb: QB, cls: str, headers: dict[str, str], **body: Any) -> str:
    response = qb.client.post(f"/data/{cls}.json", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["_id"])


def test_delete_one_answers_with_the_summary(game: QB) -> None:
    headers = game.headers("owner")
    record = create(game, "Game", headers, score=1)
    response = game.client.delete(f"/data/Game/{record}.json", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"SuccessfullyDeleted": {"ids": [record]}, "WrongPermissions": {"ids": []},
                               "NotFound": {"ids": []}}
    assert game.count("Game") == 0
    deleted = [e for e in game.events(record) if e.kind == "record.deleted"]
    assert len(deleted) == 1 and deleted[0].old["score"] == 1 and deleted[0].new is None


def test_delete_one_errors(game: QB) -> None:
    record = create(game, "Game", game.headers("owner"))
    assert game.client.delete(f"/data/Game/{record}.json", headers=game.headers("other")).status_code == 403
    missing = game.client.delete("/data/Game/5d866b53a28f9a5ad51cb562.json", headers=game.headers("owner"))
    assert missing.status_code == 404
    assert game.client.delete(f"/data/Game/{record}.json", headers=game.headers()).status_code == 422
    assert game.count("Game") == 1


def test_delete_many_sorts_ids_into_three_lists(game: QB) -> None:
    mine = [create(game, "Game", game.headers("owner")) for _ in range(2)]
    theirs = create(game, "Game", game.headers("other"))
    hidden = create(game, "Game", game.headers("other"), permissions={"read": {"access": "owner"}})
    missing = "5d866b53a28f9a5ad51cb562"
    response = game.client.delete(f"/data/Game/{mine[0]},{theirs},{missing},{mine[1]},{hidden}.json",
                                  headers=game.headers("owner"))
    assert response.status_code == 200
    assert response.json() == {"SuccessfullyDeleted": {"ids": mine}, "WrongPermissions": {"ids": [theirs]},
                               "NotFound": {"ids": [missing, hidden]}}
    assert game.count("Game") == 2


def test_delete_by_criteria_in_the_body_or_the_query(game: QB) -> None:
    owner = game.headers("owner")
    for score in (1, 6, 7, 8):
        create(game, "Game", owner, score=score)
    create(game, "Game", game.headers("other"), score=9)
    body = game.client.request("DELETE", "/data/Game/by_criteria.json", content="score[gt]=5&score[lt]=8",
                               headers={**owner, "Content-Type": "application/x-www-form-urlencoded"})
    assert body.status_code == 200 and body.json() == {"total_deleted": 2}
    query = game.client.delete("/data/Game/by_criteria.json?score[gt]=5", headers=owner)
    assert query.json() == {"total_deleted": 1}
    assert sorted(i["score"] for i in game.client.get("/data/Game.json", headers=owner).json()["items"]) == [1, 9]
    assert game.client.delete("/data/Game/by_criteria.json", headers=owner).status_code == 422
    assert game.client.delete("/data/Game/by_criteria.json?score=12345", headers=owner).json() == {"total_deleted": 0}
    everything = game.client.delete("/data/Game/by_criteria.json", headers=game.api_key_headers)
    assert everything.json() == {"total_deleted": 2}


def test_deleting_a_parent_deletes_children_and_grandchildren_in_every_class(game: QB) -> None:
    owner = game.headers("owner")
    parent = create(game, "Game", owner, score=1)
    sibling = create(game, "Game", owner, score=2)
    # A child owned by someone else, readable only by them: the cascade removes it all the same.
    move = game.client.post(f"/data/Game/{parent}/Move.json", json={"n": 1, "permissions": {
        "read": {"access": "owner"}, "delete": {"access": "owner"}}}, headers=game.headers("other")).json()["_id"]
    note = create(game, "Note", owner, text="deep", _parent_id=move)
    kept = create(game, "Move", owner, n=2, _parent_id=sibling)
    response = game.client.delete(f"/data/Game/{parent}.json", headers=owner)
    assert response.json()["SuccessfullyDeleted"] == {"ids": [parent]}
    assert (game.count("Game"), game.count("Move"), game.count("Note")) == (1, 1, 0)
    remaining = game.client.get("/data/Move.json", headers=owner).json()["items"]
    assert [i["_id"] for i in remaining] == [kept]
    deleted = {e.subject_id for e in game.events() if e.kind == "record.deleted"}
    assert deleted == {parent, move, note}


def test_a_denied_delete_cascades_nothing(game: QB) -> None:
    parent = create(game, "Game", game.headers("owner"))
    create(game, "Move", game.headers("other"), _parent_id=parent)
    game.client.delete(f"/data/Game/{parent}.json", headers=game.headers("other"))
    assert (game.count("Game"), game.count("Move")) == (1, 1)


def test_reading_a_records_permissions_is_for_its_owner(game: QB) -> None:
    record = create(game, "Game", game.headers("owner"),
                    permissions={"update": {"access": "open_for_users_ids", "ids": "3,12"}})
    response = game.client.get(f"/data/Game/{record}.json?permissions=1", headers=game.headers("owner"))
    assert response.status_code == 200
    assert response.json() == {"record_id": record, "permissions": {
        "read": {"access": "open"}, "update": {"access": "open_for_users_ids", "users_ids": ["3", "12"]},
        "delete": {"access": "owner"}}}
    assert game.client.get(f"/data/Game/{record}.json?permissions=1", headers=game.headers("other")).status_code == 403
