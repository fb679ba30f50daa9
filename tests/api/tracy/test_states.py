"""ST1–ST2: a dataset's states through `/v1/states`, and DS1/DS2 `include=states`."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.schema_helpers import add_record, lead, schema_snapshot, user_headers
from tests.api.tracy.seed_schemas import assert_valid

GREY = 0xFF9E9E9E


def test_states_are_listed_by_position_and_included_in_datasets(tracy: Tracy) -> None:
    dataset = lead(tracy)
    assert_valid(dataset, "Dataset")
    assert [(s["name"], s["position"], s["color"]) for s in dataset["states"]] == [
        ("New", 0, GREY), ("Won", 1, 4280391411)]
    assert all(s["dataset"] is None for s in dataset["states"])  # the back-reference
    listed = tracy.get("/v1/states", {"datasetId": dataset["id"]})
    assert listed.status_code == 200
    assert_valid(listed.json(), "State[]")
    assert [s["id"] for s in listed.json()] == [s["id"] for s in dataset["states"]]
    assert all(s["dataset"]["id"] == dataset["id"] and s["dataset"]["states"] is None for s in listed.json())
    assert tracy.get("/v1/states").json() == listed.json()
    # Included only when asked for in lists; DS2 includes them by default.
    assert tracy.get("/v1/datasets").json()[0]["states"] is None
    assert tracy.get("/v1/datasets", {"include": "states"}).json()[0]["states"] == dataset["states"]
    assert tracy.get(f"/v1/datasets/{dataset['id']}").json()["states"] == dataset["states"]


def test_a_state_is_created_changed_moved_and_deleted(tracy: Tracy) -> None:
    dataset = lead(tracy)
    events = len(tracy.qb.events())
    created = tracy.post("/v1/states", {"dataset": {"id": dataset["id"]}, "name": "Lost", "position": 1})
    assert created.status_code == 200, created.text
    state = created.json()
    assert_valid(state, "State")
    assert (state["name"], state["color"], state["position"], state["dataset"]["id"]) == ("Lost", GREY, 1,
                                                                                        dataset["id"])
    names = [s["name"] for s in tracy.get("/v1/states", {"datasetId": dataset["id"]}).json()]
    assert names == ["New", "Lost", "Won"]
    changed = tracy.post(f"/v1/states/{state['id']}", {"name": "Gone", "color": 0xFFFF0000, "position": 5,
                                                      "dataset": {"id": dataset["id"]}}, method="PATCH")
    assert changed.status_code == 200, changed.text
    assert_valid(changed.json(), "State")
    assert (changed.json()["id"], changed.json()["name"], changed.json()["color"], changed.json()["position"]) == (
        state["id"], "Gone", 0xFFFF0000, 2)
    # A PATCH changes only what it sends.
    renamed = tracy.post(f"/v1/states/{state['id']}", {"name": "Lost"}, method="PATCH").json()
    assert (renamed["color"], renamed["position"]) == (0xFFFF0000, 2)
    deleted = tracy.qb.client.delete(f"/v1/states/{state['id']}", headers=tracy.owner_headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert [s["name"] for s in tracy.get("/v1/states", {"datasetId": dataset["id"]}).json()] == ["New", "Won"]
    # Every change is in the history, in its own transaction.
    assert [e.kind for e in tracy.qb.events()[events:]] == ["class.updated"] * 4


def test_the_first_state_of_a_dataset_takes_in_its_records(tracy: Tracy) -> None:
    tracy.qb.apply_class({"name": "Note", "fields": {"text": "String"}})
    record_id = add_record(tracy, {"text": "x"}, "Note")
    (dataset,) = tracy.get("/v1/datasets").json()
    state = tracy.post("/v1/states", {"dataset": {"id": dataset["id"]}, "name": "Open"}).json()
    (record,) = tracy.qb.services.records.get_records(tracy.qb.admin, "Note", [record_id]).records
    assert record.state_id == state["id"]


def test_a_state_records_are_in_cannot_be_deleted(tracy: Tracy) -> None:
    dataset = lead(tracy)
    new, won = dataset["states"]
    add_record(tracy, {"company": "ACME"}, state_id=won["id"])
    before = schema_snapshot(tracy)
    assert_problem(tracy.qb.client.delete(f"/v1/states/{won['id']}", headers=tracy.owner_headers), 409)
    assert schema_snapshot(tracy) == before
    assert tracy.qb.client.delete(f"/v1/states/{new['id']}", headers=tracy.owner_headers).status_code == 200


def test_only_administrators_change_states(tracy: Tracy) -> None:
    dataset = lead(tracy)
    state_id = dataset["states"][0]["id"]
    body = {"dataset": {"id": dataset["id"]}, "name": "Lost"}
    callers = (tracy.app_headers, user_headers(tracy, "ann"))
    before = schema_snapshot(tracy)
    for headers in callers:
        assert_problem(tracy.post("/v1/states", body, headers=headers), 403)
        assert_problem(tracy.post(f"/v1/states/{state_id}", {"name": "X"}, headers=headers, method="PATCH"), 403)
        assert_problem(tracy.qb.client.delete(f"/v1/states/{state_id}", headers=headers), 403)
        # Refused before any lookup: an unknown id is no different.
        assert_problem(tracy.qb.client.delete("/v1/states/999999", headers=headers), 403)
    assert_problem(tracy.post("/v1/states", body, headers={}), 401)
    assert schema_snapshot(tracy) == before
    # A user flagged admin may (contract §9).
    created = tracy.post("/v1/states", body, headers=user_headers(tracy, "boss", admin=True))
    assert created.status_code == 200, created.text


# (body without `dataset`, the member the error names); each also as a PATCH of a state.
BAD_MEMBERS: list[tuple[dict[str, Any], str]] = [
    ({"name": "X", "color": -1}, "color"),
    ({"name": "X", "color": 2**32}, "color"),
    ({"name": "X", "color": "red"}, "color"),
    ({"name": "X", "color": True}, "color"),
    ({"name": "X", "position": -1}, "position"),
    ({"name": "X", "position": 2**31}, "position"),
    ({"name": "X", "position": 1.5}, "position"),
    ({"name": "X", "position": 2**70}, "$"),
    ({"name": "X\x00"}, "name"),
    ({"name": ""}, "name"),
    ({"name": 7}, "name"),
    ({"name": "x" * 65}, "name"),
    ({"name": "X", "bogus": 1}, "bogus"),
]


def test_bad_state_bodies_change_nothing(tracy: Tracy) -> None:
    dataset = lead(tracy)
    state_id = dataset["states"][1]["id"]
    before = schema_snapshot(tracy)
    for body, key in BAD_MEMBERS:
        assert_problem(tracy.post("/v1/states", {"dataset": {"id": dataset["id"]}, **body}), 400, key)
        assert_problem(tracy.post(f"/v1/states/{state_id}", body, method="PATCH"), 400, key)
    refused: list[tuple[dict[str, Any], int, str | None]] = [
        ({"name": "X"}, 400, "dataset"),
        ({"dataset": None, "name": "X"}, 400, "dataset"),
        ({"dataset": 3, "name": "X"}, 400, "dataset"),
        ({"dataset": {}, "name": "X"}, 400, "dataset"),
        ({"dataset": {"id": "3"}, "name": "X"}, 400, "dataset.id"),
        ({"dataset": {"id": 2**40}, "name": "X"}, 400, "dataset.id"),
        ({"dataset": {"id": dataset["id"], "bogus": 1}, "name": "X"}, 400, "dataset.bogus"),
        ({"dataset": {"id": 999999}, "name": "X"}, 404, None),
        ({"dataset": {"id": dataset["id"]}, "name": "New"}, 400, "name"),  # taken
    ]
    for refused_body, status, refused_key in refused:
        assert_problem(tracy.post("/v1/states", refused_body), status, refused_key)
    assert_problem(tracy.post(f"/v1/states/{state_id}", {"name": "New"}, method="PATCH"), 400, "name")
    assert schema_snapshot(tracy) == before


def test_bad_requests_for_states(tracy: Tracy) -> None:
    dataset = lead(tracy)
    state_id = dataset["states"][0]["id"]
    other = tracy.post("/v1/datasets", {"name": "Other"}).json()
    before = schema_snapshot(tracy)
    assert_problem(tracy.qb.client.post("/v1/states", content=b"{not json",
                                        headers={**tracy.owner_headers, "Content-Type": "application/json"}), 400)
    assert_problem(tracy.post("/v1/states", {"name": "X"}, content_type="text/plain"), 415)
    assert_problem(tracy.post("/v1/states", [{"name": "X"}]), 400)
    assert_problem(tracy.post(f"/v1/states/{state_id}", {"dataset": {"id": other["id"]}}, method="PATCH"), 400,
                   "dataset.id")
    assert_problem(tracy.post("/v1/states/999999", {"name": "X"}, method="PATCH"), 404)
    assert_problem(tracy.post("/v1/states/abc", {"name": "X"}, method="PATCH"), 400, "id")
    assert_problem(tracy.qb.client.delete("/v1/states/999999", headers=tracy.owner_headers), 404)
    assert_problem(tracy.get("/v1/states", {"datasetId": 999999}), 404)
    assert_problem(tracy.get("/v1/states", {"datasetId": "x"}), 400, "datasetId")
    assert schema_snapshot(tracy) == before
