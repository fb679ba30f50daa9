"""DS3: creating, changing and deleting datasets, with their stored position, path and disabled flag."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.classes import class_snapshot
from objectbase.core.errors import ValidationError
from objectbase.core.records import NewRecord
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.schema_helpers import add_record, lead, schema_snapshot, user_headers, valid_answer


def _create(tracy: Tracy, body: dict[str, Any]) -> dict[str, Any]:
    return valid_answer(tracy.post("/v1/datasets", body), "Dataset")


def _catalogue(tracy: Tracy) -> list[tuple[str, int, str | None, bool]]:
    return [(d["name"], d["position"], d["path"], d["isDisabled"]) for d in tracy.get("/v1/datasets").json()]


def _patch(tracy: Tracy, dataset_id: int, body: dict[str, Any]) -> dict[str, Any]:
    return valid_answer(tracy.post(f"/v1/datasets/{dataset_id}", body, method="PATCH"), "Dataset")


def test_datasets_are_created_in_the_catalogue(tracy: Tracy) -> None:
    leads = _create(tracy, {"name": "Leads", "path": "Sales/CRM"})
    assert (leads["position"], leads["path"], leads["isDisabled"], leads["states"], leads["properties"]) == (
        0, "Sales/CRM", False, [], [p for p in leads["properties"] if p["propertyType"]["isAutomatic"]])
    _create(tracy, {"name": "Deals", "isDisabled": True})
    first = _create(tracy, {"name": "Notes", "position": 0, "id": 77, "states": None, "properties": None})
    assert first["position"] == 0 and first["id"] != 77
    assert _catalogue(tracy) == [("Notes", 0, None, False), ("Leads", 1, "Sales/CRM", False), ("Deals", 2, None, True)]
    # The class every dialect sees, with a class.created event.
    assert tracy.qb.services.classes.get_class(tracy.qb.admin, "Leads").path == "Sales/CRM"
    assert "class.created" in [e.kind for e in tracy.qb.events("Leads")]


def test_a_dataset_is_renamed_moved_filed_and_disabled(tracy: Tracy) -> None:
    leads = lead(tracy)
    record_id = add_record(tracy, {"company": "ACME"})
    other = _create(tracy, {"name": "Other"})
    renamed = _patch(tracy, leads["id"], {"name": "Prospect", "path": "Sales", "position": 1})
    assert (renamed["id"], renamed["name"], renamed["path"], renamed["position"]) == (leads["id"], "Prospect",
                                                                                     "Sales", 1)
    assert [s["id"] for s in renamed["states"]] == [s["id"] for s in leads["states"]]
    assert _catalogue(tracy) == [("Other", 0, None, False), ("Prospect", 1, "Sales", False)]
    # Its records stay, now under the new name (QuickBlox's too).
    response = tracy.qb.client.get(f"/data/Prospect/{record_id}.json", headers=tracy.qb.api_key_headers)
    assert response.status_code == 200, response.text
    # A PATCH changes only what it sends; null path = top level.
    assert _patch(tracy, leads["id"], {"isDisabled": True})["path"] == "Sales"
    top = _patch(tracy, leads["id"], {"path": None, "position": 0})
    assert (top["path"], top["isDisabled"], top["position"]) == (None, True, 0)
    assert _patch(tracy, other["id"], {"name": "Other"})["position"] == 1
    assert _patch(tracy, leads["id"], {"position": 99})["position"] == 1


def test_a_disabled_dataset_takes_no_new_records(tracy: Tracy) -> None:
    leads = lead(tracy)
    record_id = add_record(tracy, {"company": "ACME"})
    _patch(tracy, leads["id"], {"isDisabled": True})
    with pytest.raises(ValidationError) as refused:
        tracy.qb.services.records.create_records(tracy.qb.admin, "Lead", [NewRecord({"company": "B"})])
    assert refused.value.code == "class_disabled"
    with pytest.raises(ValidationError):
        tracy.qb.services.records.duplicate(tracy.qb.admin, "Lead", record_id)
    response = tracy.qb.client.post("/data/Lead.json", json={"company": "B"}, headers=tracy.qb.api_key_headers)
    assert response.status_code == 422, response.text
    assert tracy.qb.count("Lead") == 1
    _patch(tracy, leads["id"], {"isDisabled": False})
    add_record(tracy, {"company": "C"})


def test_a_dataset_with_records_is_deleted_only_with_confirm(tracy: Tracy) -> None:
    first = _create(tracy, {"name": "First"})
    leads = lead(tracy)
    last = _create(tracy, {"name": "Last"})
    add_record(tracy, {"company": "ACME"})
    before = schema_snapshot(tracy)
    refused = tracy.qb.client.delete(f"/v1/datasets/{leads['id']}", headers=tracy.owner_headers)
    assert_problem(refused, 409)
    assert_problem(tracy.qb.client.delete(f"/v1/datasets/{leads['id']}", params={"confirm": "yes"},
                                          headers=tracy.owner_headers), 400, "confirm")
    assert schema_snapshot(tracy) == before
    deleted = tracy.qb.client.delete(f"/v1/datasets/{leads['id']}", params={"confirm": "true"},
                                     headers=tracy.owner_headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert _catalogue(tracy) == [("First", 0, None, False), ("Last", 1, None, False)]
    assert_problem(tracy.get(f"/v1/datasets/{leads['id']}"), 404)
    assert tracy.qb.events("Lead")[-1].kind == "class.deleted"
    # An empty one needs no confirmation.
    assert tracy.qb.client.delete(f"/v1/datasets/{first['id']}", headers=tracy.owner_headers).status_code == 200
    assert _catalogue(tracy) == [("Last", 0, None, False)]
    assert last["id"] == tracy.get("/v1/datasets").json()[0]["id"]


def test_a_dataset_record_properties_link_to_is_not_deleted(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.apply_class({"name": "Deal", "fields": {"lead": {"type": "Record", "class": "Lead"}}})
    before = schema_snapshot(tracy)
    assert_problem(tracy.qb.client.delete(f"/v1/datasets/{leads['id']}", params={"confirm": "true"},
                                          headers=tracy.owner_headers), 409)
    assert schema_snapshot(tracy) == before


def test_only_administrators_change_datasets(tracy: Tracy) -> None:
    leads = lead(tracy)
    callers = (tracy.app_headers, user_headers(tracy, "ann"))
    before = schema_snapshot(tracy)
    for headers in callers:
        assert_problem(tracy.post("/v1/datasets", {"name": "X"}, headers=headers), 403)
        assert_problem(tracy.post(f"/v1/datasets/{leads['id']}", {"name": "X"}, headers=headers, method="PATCH"),
                       403)
        assert_problem(tracy.qb.client.delete(f"/v1/datasets/{leads['id']}", headers=headers), 403)
        assert_problem(tracy.qb.client.delete("/v1/datasets/999999", headers=headers), 403)
    assert schema_snapshot(tracy) == before
    created = tracy.post("/v1/datasets", {"name": "X"}, headers=user_headers(tracy, "boss", admin=True))
    assert created.status_code == 200, created.text


def test_bad_dataset_bodies_change_nothing(tracy: Tracy) -> None:
    leads = lead(tracy)
    _create(tracy, {"name": "Other"})
    before = schema_snapshot(tracy)
    member_errors: list[tuple[dict[str, Any], str]] = [
        ({"name": "bad name"}, "name"), ({"name": "x" * 65}, "name"), ({"name": "X\x00"}, "name"),
        ({"name": 5}, "name"), ({"name": "9lives"}, "name"),
        ({"name": "X", "path": ""}, "path"), ({"name": "X", "path": "/Sales"}, "path"),
        ({"name": "X", "path": "a//b"}, "path"), ({"name": "X", "path": "a" * 256}, "path"),
        ({"name": "X", "path": 5}, "path"), ({"name": "X", "path": "a\nb"}, "path"),
        ({"name": "X", "position": -1}, "position"), ({"name": "X", "position": 0.5}, "position"),
        ({"name": "X", "position": 2**31}, "position"), ({"name": "X", "position": 2**63}, "$"),
        ({"name": "X", "isDisabled": "yes"}, "isDisabled"), ({"name": "X", "isDisabled": 1}, "isDisabled"),
        ({"name": "X", "bogus": 1}, "bogus"), ({"name": "X", "states": [{"bogus": 1}]}, "states[0].bogus"),
    ]
    for body, key in member_errors:
        assert_problem(tracy.post("/v1/datasets", body), 400, key)
        assert_problem(tracy.post(f"/v1/datasets/{leads['id']}", body, method="PATCH"), 400, key)
    assert_problem(tracy.post("/v1/datasets", {"path": "Sales"}), 400, "name")
    assert_problem(tracy.post("/v1/datasets", {"name": ""}), 400, "name")
    assert_problem(tracy.post("/v1/datasets", {"name": "Lead"}), 409)
    assert_problem(tracy.post(f"/v1/datasets/{leads['id']}", {"name": "Other"}, method="PATCH"), 409)
    assert_problem(tracy.post("/v1/datasets/999999", {"name": "X"}, method="PATCH"), 404)
    assert_problem(tracy.post("/v1/datasets/-1", {"name": "X"}, method="PATCH"), 404)
    assert_problem(tracy.qb.client.delete("/v1/datasets/999999", headers=tracy.owner_headers), 404)
    assert_problem(tracy.qb.client.post("/v1/datasets", content=b'{"name": "X",}',
                                        headers={**tracy.owner_headers, "Content-Type": "text/json"}), 400)
    assert schema_snapshot(tracy) == before


def test_a_class_file_may_file_and_disable_a_class_and_keeps_both_when_silent(tracy: Tracy) -> None:
    tracy.qb.apply_class({"name": "Lead", "fields": {"company": "String"}, "path": "Sales", "disabled": True})
    assert _catalogue(tracy) == [("Lead", 0, "Sales", True)]
    tracy.qb.apply_class({"name": "Lead", "fields": {"company": "String", "city": "String"}})
    assert _catalogue(tracy) == [("Lead", 0, "Sales", True)]
    tracy.qb.apply_class({"name": "Lead", "fields": {"company": "String"}, "path": None, "disabled": False})
    assert _catalogue(tracy) == [("Lead", 0, None, False)]
    _patch(tracy, tracy.get("/v1/datasets").json()[0]["id"], {"path": "A/B", "isDisabled": True})
    snapshot = class_snapshot(tracy.qb.services.classes.get_class(tracy.qb.admin, "Lead"))
    assert (snapshot["path"], snapshot["disabled"]) == ("A/B", True)
    for bad in ({"path": "a//b"}, {"disabled": "yes"}):
        with pytest.raises(ValidationError):
            tracy.qb.apply_class({"name": "Lead", "fields": {"company": "String"}, **bad})


def test_the_openapi_document_lists_the_schema_writes(tracy: Tracy) -> None:
    paths = tracy.qb.client.get("/v1/openapi.json").json()["paths"]
    for noun in ("datasets", "properties", "options", "states"):
        assert {"get", "post"} <= set(paths[f"/v1/{noun}"])
        assert {"patch", "delete"} <= set(paths[f"/v1/{noun}/{{id}}"])
    assert paths["/v1/states"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/State"}
    confirm = next(p for p in paths["/v1/datasets/{id}"]["delete"]["parameters"] if p["name"] == "confirm")
    assert confirm == {"name": "confirm", "in": "query", "required": False, "schema": {"type": "boolean"}}
