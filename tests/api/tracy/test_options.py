"""O1–O2: options of option properties through `/v1/options`, and `include=properties.options`."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.schema_helpers import add_record, lead, schema_snapshot, user_headers
from tests.api.tracy.seed_schemas import assert_valid

GREY = 0xFF9E9E9E


def _priority(dataset: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in dataset["properties"] if p["name"] == "priority")


def _options(tracy: Tracy, property_id: int) -> list[dict[str, Any]]:
    response = tracy.get("/v1/options", {"propertyId": property_id})
    assert response.status_code == 200, response.text
    options: list[dict[str, Any]] = response.json()
    assert_valid(options, "Option[]")
    return options


def test_options_are_listed_by_position_and_included_in_properties(tracy: Tracy) -> None:
    dataset = lead(tracy)
    priority = _priority(dataset)
    assert [(o["text"], o["color"], o["property"]) for o in priority["options"]] == [
        ("Low", 4278255360, None), ("High", GREY, None)]
    assert next(p for p in dataset["properties"] if p["name"] == "company")["options"] == []
    listed = _options(tracy, priority["id"])
    assert [o["id"] for o in listed] == [o["id"] for o in priority["options"]]
    assert all(o["property"]["id"] == priority["id"] and o["property"]["options"] is None for o in listed)
    assert tracy.get("/v1/options").json() == listed
    # P1 includes options; DS1/DS2 only with properties.options.
    assert tracy.get(f"/v1/properties/{priority['id']}").json()["options"] == priority["options"]
    assert _priority(tracy.get(f"/v1/datasets/{dataset['id']}").json())["options"] is None
    included = tracy.get("/v1/datasets", {"include": "properties.options"}).json()[0]
    assert _priority(included)["options"] == priority["options"] and included["states"] is None
    assert _options(tracy, next(p["id"] for p in dataset["properties"] if p["name"] == "company")) == []


def test_an_option_is_added_changed_and_deleted(tracy: Tracy) -> None:
    priority = _priority(lead(tracy))
    events = len(tracy.qb.events())
    created = tracy.post("/v1/options", {"property": {"id": priority["id"]}, "text": "Urgent"})
    assert created.status_code == 200, created.text
    option = created.json()
    assert_valid(option, "Option")
    assert (option["text"], option["color"], option["property"]["id"]) == ("Urgent", GREY, priority["id"])
    assert [o["text"] for o in _options(tracy, priority["id"])] == ["Low", "High", "Urgent"]
    changed = tracy.post(f"/v1/options/{option['id']}", {"text": "Critical", "color": 0xFFFF0000,
                                                        "property": {"id": priority["id"]}}, method="PATCH")
    assert changed.status_code == 200, changed.text
    assert_valid(changed.json(), "Option")
    assert (changed.json()["id"], changed.json()["text"], changed.json()["color"]) == (
        option["id"], "Critical", 0xFFFF0000)
    recoloured = tracy.post(f"/v1/options/{option['id']}", {"color": 0}, method="PATCH").json()
    assert (recoloured["text"], recoloured["color"]) == ("Critical", 0)
    deleted = tracy.qb.client.delete(f"/v1/options/{option['id']}", headers=tracy.owner_headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert [o["text"] for o in _options(tracy, priority["id"])] == ["Low", "High"]
    assert [e.kind for e in tracy.qb.events()[events:]] == ["class.updated"] * 4


def test_an_option_in_use_is_deleted_only_with_confirm(tracy: Tracy) -> None:
    priority = _priority(lead(tracy))
    low = priority["options"][0]
    record_id = add_record(tracy, {"company": "ACME", "priority": low["id"]})
    before = schema_snapshot(tracy)
    assert_problem(tracy.qb.client.delete(f"/v1/options/{low['id']}", headers=tracy.owner_headers), 409)
    assert schema_snapshot(tracy) == before
    assert_problem(tracy.qb.client.delete(f"/v1/options/{low['id']}", params={"confirm": "maybe"},
                                          headers=tracy.owner_headers), 400, "confirm")
    deleted = tracy.qb.client.delete(f"/v1/options/{low['id']}", params={"confirm": "true"},
                                     headers=tracy.owner_headers)
    assert deleted.status_code == 200, deleted.text
    (record,) = tracy.qb.services.records.get_records(tracy.qb.admin, "Lead", [record_id]).records
    assert record.values["priority"] is None
    assert [e.kind for e in tracy.qb.events(record_id)][-1] == "record.updated"


def test_only_administrators_change_options(tracy: Tracy) -> None:
    priority = _priority(lead(tracy))
    low_id = priority["options"][0]["id"]
    callers = (tracy.app_headers, user_headers(tracy, "ann"))
    before = schema_snapshot(tracy)
    for headers in callers:
        assert_problem(tracy.post("/v1/options", {"property": {"id": priority["id"]}, "text": "X"},
                                  headers=headers), 403)
        assert_problem(tracy.post(f"/v1/options/{low_id}", {"text": "X"}, headers=headers, method="PATCH"), 403)
        assert_problem(tracy.qb.client.delete(f"/v1/options/{low_id}", headers=headers), 403)
        assert_problem(tracy.qb.client.delete("/v1/options/999999", headers=headers), 403)
    assert schema_snapshot(tracy) == before
    admin = user_headers(tracy, "boss", admin=True)
    assert tracy.post(f"/v1/options/{low_id}", {"text": "Lowest"}, headers=admin, method="PATCH").status_code == 200


def test_bad_option_bodies_change_nothing(tracy: Tracy) -> None:
    dataset = lead(tracy)
    priority = _priority(dataset)
    company = next(p for p in dataset["properties"] if p["name"] == "company")
    author = next(p for p in dataset["properties"] if p["name"] == "author")
    low_id = priority["options"][0]["id"]
    before = schema_snapshot(tracy)
    member_errors: list[tuple[dict[str, Any], str]] = [
        ({"text": "X", "color": -1}, "color"), ({"text": "X", "color": 2**32}, "color"),
        ({"text": "X", "color": "red"}, "color"), ({"text": "X", "color": 1.5}, "color"),
        ({"text": "X\x00"}, "text"), ({"text": ""}, "text"), ({"text": 5}, "text"), ({"text": "x" * 256}, "text"),
        ({"text": "X", "position": 1}, "position"), ({"text": "X", "color": 2**64}, "$"),
    ]
    for body, key in member_errors:
        assert_problem(tracy.post("/v1/options", {"property": {"id": priority["id"]}, **body}), 400, key)
        assert_problem(tracy.post(f"/v1/options/{low_id}", body, method="PATCH"), 400, key)
    refused: list[tuple[dict[str, Any], int, str | None]] = [
        ({"text": "X"}, 400, "property"),
        ({"property": {"id": "1"}, "text": "X"}, 400, "property.id"),
        ({"property": {"id": company["id"]}, "text": "X"}, 400, "property.id"),
        ({"property": {"id": author["id"]}, "text": "X"}, 400, "property.id"),
        ({"property": {"id": 999999}, "text": "X"}, 404, None),
        ({"property": {"id": priority["id"]}, "text": "High"}, 409, None),
    ]
    for refused_body, status, refused_key in refused:
        assert_problem(tracy.post("/v1/options", refused_body), status, refused_key)
    assert_problem(tracy.post(f"/v1/options/{low_id}", {"property": {"id": company["id"]}}, method="PATCH"), 400,
                   "property.id")
    assert_problem(tracy.post(f"/v1/options/{low_id}", {"text": "High"}, method="PATCH"), 409)
    assert_problem(tracy.post("/v1/options/999999", {"text": "X"}, method="PATCH"), 404)
    assert_problem(tracy.qb.client.delete("/v1/options/999999", headers=tracy.owner_headers), 404)
    assert_problem(tracy.get("/v1/options", {"propertyId": 999999}), 404)
    assert_problem(tracy.post("/v1/options", {"text": "X"}, content_type="application/xml"), 415)
    assert schema_snapshot(tracy) == before
