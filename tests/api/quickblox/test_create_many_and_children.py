"""D2 create many, D3 create a child, D7 list children."""

from __future__ import annotations

import pytest

from tests.conftest import QB


@pytest.fixture
def scores(qb: QB) -> QB:
    qb.apply_class([{"name": "ScoreTable", "fields": {"score_value": "Integer", "game_mode_name": "String"}},
                    {"name": "Comment", "fields": {"text": "String"}}])
    qb.make_user("player")
    return qb


def test_create_many_with_form_numbering_from_one(scores: QB) -> None:
    form = "record[2][score_value]=20&record[1][score_value]=10&record[10][score_value]=100&record[1][game_mode_name]=a"
    response = scores.client.post("/data/ScoreTable/multi.json", content=form, headers={
        **scores.headers("player"), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 201
    body = response.json()
    assert body["class_name"] == "ScoreTable"
    assert [i["score_value"] for i in body["items"]] == [10, 20, 100]
    assert body["items"][0]["game_mode_name"] == "a" and "permissions" in body["items"][0]
    assert len([e for e in scores.events() if e.kind == "record.created"]) == 3


def test_create_many_with_json_numbering_from_zero(scores: QB) -> None:
    response = scores.client.post("/data/ScoreTable/multi.json", headers=scores.headers("player"),
                                  json={"record": {"0": {"score_value": 1}, "1": {"score_value": "2"}}})
    assert [i["score_value"] for i in response.json()["items"]] == [1, 2]


def test_one_bad_record_fails_the_whole_batch(scores: QB) -> None:
    response = scores.client.post("/data/ScoreTable/multi.json", headers=scores.headers("player"),
                                  json={"record": {"0": {"score_value": 1}, "1": {"score_value": "x"}}})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["record[1].score_value"]
    assert scores.count() == 0


@pytest.mark.parametrize("body", [{"record": {str(i): {"score_value": i} for i in range(101)}},
                                  {"record": "nope"}, {"score_value": 1}, {"record": {}}],
                         ids=["too-many", "not-numbered", "no-record", "empty"])
def test_bad_batches_are_rejected(scores: QB, body: dict[str, object]) -> None:
    response = scores.client.post("/data/ScoreTable/multi.json", json=body, headers=scores.headers("player"))
    assert response.status_code == 422
    assert scores.count() == 0


def test_children_are_created_under_a_parent_and_listed(scores: QB) -> None:
    headers = scores.headers("player")
    parent = scores.client.post("/data/ScoreTable.json", json={"score_value": 1}, headers=headers).json()["_id"]
    child = scores.client.post(f"/data/ScoreTable/{parent}/Comment.json", json={"text": "gg"}, headers=headers)
    assert child.status_code == 201
    assert child.json()["_parent_id"] == parent and child.json()["text"] == "gg"
    scores.client.post("/data/Comment.json", json={"text": "unrelated"}, headers=headers)
    listed = scores.client.get(f"/data/ScoreTable/{parent}/Comment.json", headers=headers).json()
    assert [i["text"] for i in listed["items"]] == ["gg"]
    by_filter = scores.client.get(f"/data/Comment.json?_parent_id={parent}", headers=headers).json()
    assert [i["text"] for i in by_filter["items"]] == ["gg"]


def test_a_child_of_a_missing_or_unreadable_parent_is_404(scores: QB) -> None:
    scores.make_user("secretive")
    hidden = scores.client.post("/data/ScoreTable.json", json={"permissions": {"read": {"access": "owner"}}},
                                headers=scores.headers("secretive")).json()["_id"]
    headers = scores.headers("player")
    for parent in ("5d866b53a28f9a5ad51cb562", hidden, "junk"):
        response = scores.client.post(f"/data/ScoreTable/{parent}/Comment.json", json={"text": "x"}, headers=headers)
        assert response.status_code == 404, parent
    assert scores.count("Comment") == 0
