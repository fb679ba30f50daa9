"""P2: adding, changing and deleting properties (fields) through `/v1/properties`."""

from __future__ import annotations

import json
from typing import Any

from objectbase.api.tracy.property_types import CATALOGUE
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.schema_helpers import add_record, lead, schema_snapshot, user_headers, valid_answer
from tests.conftest import SCORE_TABLE


def _add(tracy: Tracy, dataset_id: int, name: str, type_id: str, **members: Any) -> dict[str, Any]:
    response = tracy.post("/v1/properties", {"dataset": {"id": dataset_id}, "propertyType": {"id": type_id},
                                             "name": name, **members})
    return valid_answer(response, "Property")


def _patch(tracy: Tracy, property_id: int, body: dict[str, Any]) -> dict[str, Any]:
    return valid_answer(tracy.post(f"/v1/properties/{property_id}", body, method="PATCH"), "Property")


def _by_name(tracy: Tracy, dataset_id: int) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in tracy.get("/v1/properties", {"datasetId": dataset_id}).json()}


def test_a_property_of_every_type_adds_a_field(tracy: Tracy) -> None:
    dataset = lead(tracy)
    for kind in CATALOGUE:
        if kind.is_automatic:
            continue
        parameters = json.dumps({"datasetId": dataset["id"]}) if kind.id.startswith("record") else None
        prop = _add(tracy, dataset["id"], f"p_{kind.id}", kind.id, parameters=parameters)
        assert (prop["propertyType"]["id"], prop["dataset"]["id"], prop["parameters"]) == (kind.id, dataset["id"],
                                                                                          parameters)
    cls = tracy.qb.services.classes.get_class(tracy.qb.admin, "Lead")
    assert cls.fields["p_options"].type.name == "Option[]" and cls.fields["p_records"].target_class_id == dataset["id"]
    names = list(_by_name(tracy, dataset["id"]))
    assert names[:4] == ["company", "amount", "priority", "p_text"] and names[-3:] == ["author", "createdAt",
                                                                                       "updatedAt"]


def test_a_property_is_added_with_its_settings_and_takes_values(tracy: Tracy) -> None:
    dataset = lead(tracy)
    events = len(tracy.qb.events())
    prop = _add(tracy, dataset["id"], "city", "text", isRequired=True, isUsedAsTitle=True, position=0,
                parameters='{"maxLength": 80}')
    assert (prop["isRequired"], prop["isUsedAsTitle"], prop["position"], prop["parameters"], prop["options"]) == (
        True, True, 0, '{"maxLength": 80}', [])
    assert [p["name"] for p in tracy.get("/v1/properties", {"datasetId": dataset["id"]}).json()][:2] == [
        "city", "company"]
    assert tracy.get(f"/v1/properties/{prop['id']}").json() == prop
    record_id = add_record(tracy, {"city": "Oslo"})
    (record,) = tracy.qb.services.records.get_records(tracy.qb.admin, "Lead", [record_id]).records
    assert record.values["city"] == "Oslo"
    assert {e.kind for e in tracy.qb.events()[events:events + 2]} == {"class.updated"}


def test_a_record_property_names_its_dataset_in_parameters(tracy: Tracy) -> None:
    dataset = lead(tracy)
    before = schema_snapshot(tracy)
    for parameters in (None, "{}", '{"datasetId": "x"}', '{"datasetId": 999999}', "[1]", "not json"):
        assert_problem(tracy.post("/v1/properties", {"dataset": {"id": dataset["id"]}, "propertyType": {"id": "record"},
                                                     "name": "link", "parameters": parameters}), 400, "parameters")
    assert schema_snapshot(tracy) == before
    link = _add(tracy, dataset["id"], "link", "record", parameters=json.dumps({"datasetId": dataset["id"]}))
    # Another target (any id but its own: ids are shared by every app of the database) is refused.
    other = json.dumps({"datasetId": dataset["id"] + 1})
    assert_problem(tracy.post(f"/v1/properties/{link['id']}", {"parameters": other}, method="PATCH"),
                   400, "parameters")
    # A class file's record field shows its target the same way.
    tracy.qb.apply_class({"name": "Deal", "fields": {"lead": {"type": "Record", "class": "Lead"}}})
    deal = next(d for d in tracy.get("/v1/datasets", {"include": "properties"}).json() if d["name"] == "Deal")
    assert json.loads(deal["properties"][0]["parameters"]) == {"datasetId": dataset["id"]}


def test_a_property_is_renamed_flagged_and_moved(tracy: Tracy) -> None:
    dataset = lead(tracy)
    props = _by_name(tracy, dataset["id"])
    company, amount = props["company"], props["amount"]
    assert _patch(tracy, company["id"], {"isUsedAsTitle": True})["isUsedAsTitle"] is True
    # One title per dataset: the new one takes over.
    assert _patch(tracy, amount["id"], {"isUsedAsTitle": True, "isRequired": True})["isUsedAsTitle"] is True
    props = _by_name(tracy, dataset["id"])
    assert [n for n, p in props.items() if p["isUsedAsTitle"]] == ["amount"] and props["amount"]["isRequired"]
    renamed = _patch(tracy, company["id"], {"name": "firm", "position": 2, "parameters": '{"a": 1}',
                                           "propertyType": {"id": "text"}, "dataset": {"id": dataset["id"]}})
    assert (renamed["id"], renamed["name"], renamed["position"], renamed["parameters"]) == (
        company["id"], "firm", 2, '{"a": 1}')
    assert list(_by_name(tracy, dataset["id"]))[:3] == ["amount", "priority", "firm"]
    # Only what is sent changes; null parameters = none.
    cleared = _patch(tracy, company["id"], {"parameters": None})
    assert (cleared["parameters"], cleared["name"], cleared["position"]) == (None, "firm", 2)
    assert tracy.qb.services.classes.get_class(tracy.qb.admin, "Lead").fields["firm"].id == company["id"]


def test_a_property_is_deleted_with_its_values_only_with_confirm(tracy: Tracy) -> None:
    tracy.qb.apply_class(SCORE_TABLE)  # score_value is indexed: its index goes first
    dataset = tracy.get("/v1/datasets").json()[0]
    props = _by_name(tracy, dataset["id"])
    record_id = add_record(tracy, {"score_value": 7, "progress": 0.5}, "ScoreTable")
    before = schema_snapshot(tracy)
    for params in ({}, {"confirm": "false"}):
        assert_problem(tracy.qb.client.delete(f"/v1/properties/{props['score_value']['id']}", params=params,
                                              headers=tracy.owner_headers), 400, "confirm")
    assert schema_snapshot(tracy) == before
    for name in ("score_value", "completed_levels"):
        deleted = tracy.qb.client.delete(f"/v1/properties/{props[name]['id']}", params={"confirm": "true"},
                                         headers=tracy.owner_headers)
        assert deleted.status_code == 200 and deleted.json() == {}
    left = _by_name(tracy, dataset["id"])
    assert "score_value" not in left and [p["position"] for p in left.values()] == list(range(len(left)))
    (record,) = tracy.qb.services.records.get_records(tracy.qb.admin, "ScoreTable", [record_id]).records
    assert "score_value" not in record.values and record.values["progress"] == 0.5
    assert tracy.qb.events("ScoreTable")[-1].kind == "class.updated"
    # The name can be used again: a new, empty field.
    again = _add(tracy, dataset["id"], "score_value", "integer")
    assert again["id"] != props["score_value"]["id"]
    (record,) = tracy.qb.services.records.get_records(tracy.qb.admin, "ScoreTable", [record_id]).records
    assert record.values["score_value"] is None
    add_record(tracy, {"score_value": 3}, "ScoreTable")


def test_automatic_properties_cannot_be_changed_or_deleted(tracy: Tracy) -> None:
    dataset = lead(tracy)
    author = _by_name(tracy, dataset["id"])["author"]
    before = schema_snapshot(tracy)
    assert_problem(tracy.post(f"/v1/properties/{author['id']}", {"name": "writer"}, method="PATCH"), 400)
    assert_problem(tracy.qb.client.delete(f"/v1/properties/{author['id']}", params={"confirm": "true"},
                                          headers=tracy.owner_headers), 400)
    assert_problem(tracy.post("/v1/properties", {"dataset": {"id": dataset["id"]}, "propertyType": {"id": "author"},
                                                 "name": "writer"}), 400, "propertyType.id")
    assert_problem(tracy.qb.client.delete("/v1/properties/-999999", headers=tracy.owner_headers), 404)
    assert schema_snapshot(tracy) == before


def test_only_administrators_change_properties(tracy: Tracy) -> None:
    dataset = lead(tracy)
    company = _by_name(tracy, dataset["id"])["company"]
    body = {"dataset": {"id": dataset["id"]}, "propertyType": {"id": "text"}, "name": "city"}
    callers = (tracy.app_headers, user_headers(tracy, "ann"))
    before = schema_snapshot(tracy)
    for headers in callers:
        assert_problem(tracy.post("/v1/properties", body, headers=headers), 403)
        assert_problem(tracy.post(f"/v1/properties/{company['id']}", {"name": "x"}, headers=headers,
                                  method="PATCH"), 403)
        assert_problem(tracy.qb.client.delete(f"/v1/properties/{company['id']}", params={"confirm": "true"},
                                              headers=headers), 403)
    assert schema_snapshot(tracy) == before
    assert tracy.post("/v1/properties", body, headers=user_headers(tracy, "boss", admin=True)).status_code == 200


def test_bad_property_bodies_change_nothing(tracy: Tracy) -> None:
    dataset = lead(tracy)
    company = _by_name(tracy, dataset["id"])["company"]
    other = tracy.post("/v1/datasets", {"name": "Other"}).json()
    before = schema_snapshot(tracy)
    member_errors: list[tuple[dict[str, Any], str]] = [
        ({"name": "bad name"}, "name"), ({"name": "_id"}, "name"), ({"name": "x" * 65}, "name"),
        ({"name": "a\x00"}, "name"), ({"name": 5}, "name"),
        ({"isRequired": "yes"}, "isRequired"), ({"isUsedAsTitle": 1}, "isUsedAsTitle"),
        ({"parameters": {"scale": 2}}, "parameters"), ({"parameters": "[2]"}, "parameters"),
        ({"parameters": "{" * 20000}, "parameters"), ({"position": -1}, "position"),
        ({"position": 2**40}, "position"), ({"options": [{"bogus": 1}]}, "options[0].bogus"),
        ({"propertyType": {"id": "integer"}}, "propertyType.id"), ({"propertyType": {"id": 3}}, "propertyType.id"),
        ({"bogus": True}, "bogus"),
    ]
    for changes, key in member_errors:
        body = {"dataset": {"id": dataset["id"]}, "propertyType": {"id": "text"}, "name": "city", **changes}
        if key != "propertyType.id" or changes["propertyType"]["id"] == 3:
            assert_problem(tracy.post("/v1/properties", body), 400, key)
        assert_problem(tracy.post(f"/v1/properties/{company['id']}", changes, method="PATCH"), 400, key)
    refused: list[tuple[dict[str, Any], int, str | None]] = [
        ({"propertyType": {"id": "text"}, "name": "city"}, 400, "dataset"),
        ({"dataset": {"id": dataset["id"]}, "name": "city"}, 400, "propertyType.id"),
        ({"dataset": {"id": dataset["id"]}, "propertyType": {"id": "nope"}, "name": "city"}, 400, "propertyType.id"),
        ({"dataset": {"id": dataset["id"]}, "propertyType": {"id": "text"}}, 400, "name"),
        ({"dataset": {"id": 999999}, "propertyType": {"id": "text"}, "name": "city"}, 404, None),
        ({"dataset": {"id": dataset["id"]}, "propertyType": {"id": "text"}, "name": "company"}, 409, None),
        ({"dataset": {"id": dataset["id"]}, "propertyType": {"id": "text"}, "name": "COMPANY"}, 400, "name"),
    ]
    for refused_body, status, refused_key in refused:
        assert_problem(tracy.post("/v1/properties", refused_body), status, refused_key)
    assert_problem(tracy.post(f"/v1/properties/{company['id']}", {"dataset": {"id": other["id"]}}, method="PATCH"),
                   400, "dataset.id")
    assert_problem(tracy.post(f"/v1/properties/{company['id']}", {"name": "amount"}, method="PATCH"), 409)
    assert_problem(tracy.post("/v1/properties/999999", {"name": "x"}, method="PATCH"), 404)
    assert_problem(tracy.qb.client.delete("/v1/properties/999999", params={"confirm": "true"},
                                          headers=tracy.owner_headers), 404)
    assert schema_snapshot(tracy) == before
