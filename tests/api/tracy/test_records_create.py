"""R1 (create, duplicate) and R2 (read with `include`), validated against seed 004's schemas, and
every refused create leaving nothing written (contract §5, §8.3, §10)."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.permissions import Access, Action, Permission
from objectbase.core.records import NewRecord
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.records_setup import Lead, lead
from tests.api.tracy.seed_schemas import assert_valid
from tests.core.workflow_helpers import signed_in


def test_seed_004_create_with_every_value_slot(tracy: Tracy) -> None:
    leads = lead(tracy)
    ann = tracy.qb.make_user("ann")
    other = leads.create()
    record = leads.create(
        leads.datum("company", "stringValue", "ACME Ltd"), leads.datum("amount", "decimalValue", 1250.5),
        leads.datum("visits", "integerValue", 7), leads.datum("due", "dateTimeValue", "2025-01-14T10:30:12+01:00"),
        leads.datum("hot", "integerValue", 1), leads.datum("place", "stringValue", "13.4,52.5"),
        leads.datum("tags", "optionValue", {"id": leads.option("tags", "red")}),
        leads.datum("tags", "optionValue", {"id": leads.option("tags", "blue")}),
        leads.datum("stage", "optionValue", {"id": leads.option("stage", "Warm")}),
        leads.datum("owner", "userValue", {"id": ann}), leads.datum("related", "recordValue", {"id": other["id"]}),
        leads.datum("notes", "stringValue", "first"), leads.datum("notes", "stringValue", "second"),
        state={"id": leads.state("New")}, metadatums=[{"representation": {"id": 4}, "decimalValue": 2.5}],
        id=999, archived="2025-01-01T00:00:00.000Z", events=None, transitions=None)
    assert record["id"] != 999 and record["archived"] is None and record["removed"] is None
    assert record["dataset"]["id"] == leads.id and record["dataset"]["properties"] is None
    assert record["state"]["name"] == "New" and record["state"]["dataset"] is None
    values = leads.values(record)
    assert values["company"] == ["ACME Ltd"] and values["amount"] == [1250.5] and values["visits"] == [7]
    assert values["due"] == ["2025-01-14T09:30:12.000Z"] and values["hot"] == [1] and values["place"] == ["13.4,52.5"]
    assert [o["text"] for o in values["tags"]] == ["red", "blue"] and values["stage"][0]["text"] == "Warm"
    assert values["owner"][0]["id"] == ann and values["related"][0]["id"] == other["id"]
    assert values["notes"] == ["first", "second"]
    assert all(d["record"] is None for d in record["datums"])
    ids = [d["id"] for d in record["datums"] if d["id"] > 0]
    assert len(set(ids)) == len(ids)
    # The server's automatic values (an owner key has no user: no author).
    assert "author" not in values and values["createdAt"] == values["updatedAt"]
    (metadatum,) = record["metadatums"]
    assert metadatum["representation"]["id"] == 4 and metadatum["decimalValue"] == 2.5 and metadatum["record"] is None
    (event,) = record["events"]
    assert event["eventType"] == {"id": "recordCreated"} and event["newState"]["id"] == leads.state("New")
    assert event["user"] is None and event["record"] is None
    assert record["transitions"] == []
    assert leads.read(record["id"]) == record


@pytest.mark.parametrize("content_type", ["text/json", "application/json-patch+json", "application/vnd.x+json"])
def test_create_accepts_every_json_content_type(tracy: Tracy, content_type: str) -> None:
    leads = lead(tracy)
    body = {"dataset": {"id": leads.id}, "datums": [leads.datum("company", "stringValue", "x")]}
    response = tracy.post("/v1/records", body, content_type=content_type)
    assert response.status_code == 200, response.text
    assert_problem(tracy.post("/v1/records", body, content_type="text/plain"), 415)


def test_seed_004_duplicate(tracy: Tracy) -> None:
    leads = lead(tracy)
    ann = tracy.qb.make_user("ann")
    headers = tracy.bearer("ann")
    original = leads.create(leads.datum("company", "stringValue", "ACME Ltd"),
                            leads.datum("tags", "optionValue", {"id": leads.option("tags", "green")}),
                            leads.datum("tags", "optionValue", {"id": leads.option("tags", "red")}),
                            leads.datum("amount", "decimalValue", 3.0),
                            metadatums=[{"representation": {"id": 1}, "decimalValue": 1}])
    moved = leads.patch(original["id"], {"state": {"id": leads.state("Doing")}})
    assert moved.status_code == 200, moved.text
    response = tracy.post("/v1/records", {"original": {"id": original["id"]},
                                          "datums": [leads.datum("company", "stringValue", "ACME Ltd (copy)")]},
                          headers=headers)
    assert response.status_code == 200, response.text
    copy = response.json()
    assert_valid(copy, "Record")
    assert copy["id"] != original["id"] and copy["dataset"]["id"] == leads.id
    assert copy["state"]["id"] == leads.state("Doing")
    values = leads.values(copy)
    assert values["company"] == ["ACME Ltd (copy)"] and values["amount"] == [3.0]
    assert [o["text"] for o in values["tags"]] == ["green", "red"]
    assert values["author"][0]["id"] == ann
    assert copy["metadatums"] == [] and copy["transitions"] == []
    (event,) = copy["events"]
    assert event["eventType"] == {"id": "recordDuplicated"} and event["newRecordValue"]["id"] == original["id"]
    assert event["newState"]["id"] == leads.state("Doing") and event["user"]["id"] == ann
    # Datum ids are the copy's own.
    assert not {d["id"] for d in copy["datums"]} & {d["id"] for d in leads.read(original["id"])["datums"]}
    # A state given in the body wins; another dataset is refused.
    again = tracy.post("/v1/records", {"original": {"id": original["id"]}, "state": {"id": leads.state("New")}})
    assert again.status_code == 200 and again.json()["state"]["id"] == leads.state("New")
    before = leads.snapshot()
    assert_problem(tracy.post("/v1/records", {"original": {"id": original["id"]}, "dataset": {"id": leads.id + 99}}),
                   400, "dataset")
    assert_problem(tracy.post("/v1/records", {"original": {"id": 10**12}}), 404)
    assert leads.snapshot() == before


def test_get_record_include(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create()
    shallow = tracy.get(f"/v1/records/{record['id']}", {"include": "datums"}).json()
    assert_valid(shallow, "Record")
    assert shallow["datums"] == record["datums"]
    assert shallow["metadatums"] is None and shallow["events"] is None and shallow["transitions"] is None
    full = tracy.get(f"/v1/records/{record['id']}",
                     {"include": "dataset.states,dataset.properties.options,dataset.properties"}).json()
    assert_valid(full, "Record")
    assert full["datums"] is None
    assert [s["name"] for s in full["dataset"]["states"]] == ["New", "Doing", "Done"]
    by_name = {p["name"]: p for p in full["dataset"]["properties"]}
    assert [o["text"] for o in by_name["stage"]["options"]] == ["Cold", "Warm", "Hot"]
    assert by_name["company"]["options"] == []
    assert_problem(tracy.get(f"/v1/records/{record['id']}", {"include": "bogus"}), 400, "include")
    assert_problem(tracy.get("/v1/records/abc"), 400, "id")
    assert_problem(tracy.get("/v1/records/99999999999999999999"), 400, "id")
    assert_problem(tracy.get(f"/v1/records/{record['id'] + 1000}"), 404)
    assert_problem(tracy.get(f"/v1/records/{record['id']}", headers={}), 401)


def _bad_creates(leads: Lead, other_property: int, user: int) -> list[tuple[Any, str | None]]:
    company = leads.prop("company")
    return [
        ({"datums": [leads.datum("company", "stringValue", "x")]}, "dataset"),
        ({"dataset": {"id": leads.id}}, "datums"),
        ({"dataset": {"id": leads.id}, "datums": []}, "datums"),
        ({"dataset": {"id": leads.id}, "bogus": 1, "datums": [leads.datum("company", "stringValue", "x")]}, "bogus"),
        ({"dataset": {"id": leads.id}, "datums": [{"property": {"id": company}, "stringValue": "x", "bogus": 1}]},
         "datums[0].bogus"),
        ({"dataset": {"id": leads.id}, "datums": [{"property": {"id": company}, "decimalValue": 2.0}]},
         "datums[0].decimalValue"),
        ({"dataset": {"id": leads.id}, "datums": [{"property": {"id": other_property}, "stringValue": "x"}]},
         "datums[0].property"),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("company", "stringValue", "a"),
                                                  leads.datum("company", "stringValue", "b")]}, "datums[1]"),
        ({"dataset": {"id": leads.id}, "datums": [{"property": {"id": -(3 * leads.id + 1)},
                                                   "dateTimeValue": "2025-01-01T00:00:00Z"}]}, "datums[0].property"),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("attachment", "stringValue", "uid")]},
         "datums[0].property"),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("stage", "optionValue", {"id": 99999})]}, None),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("owner", "userValue", {"id": user + 999})]}, None),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("related", "recordValue", {"id": 99999})]}, None),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("hot", "integerValue", 2)]}, "datums[0].integerValue"),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("due", "dateTimeValue", "not a date")]}, None),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("company", "stringValue", "a\u0000b")]},
         "datums[0].stringValue"),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("visits", "integerValue", 2**63)]}, "$"),
        ({"dataset": {"id": leads.id}, "datums": [leads.datum("amount", "decimalValue", 1e999)]}, "$"),
        ({"dataset": {"id": leads.id}, "state": {"id": 99999}, "datums": [leads.datum("company", "stringValue", "x")]},
         "state"),
    ]


def test_refused_creates_write_nothing(tracy: Tracy) -> None:
    tracy.qb.apply_class({"name": "Other", "fields": {"name": "String"}})
    other = tracy.qb.services.classes.get_class(tracy.qb.admin, "Other")
    leads = lead(tracy)
    user = tracy.qb.make_user("ann")
    before = leads.snapshot()
    for body, key in _bad_creates(leads, other.fields["name"].id, user):
        assert_problem(tracy.post("/v1/records", body), 400, key)
    response = tracy.qb.client.post("/v1/records", content=b"{not json", headers={
        "Content-Type": "application/json", **tracy.owner_headers})
    assert_problem(response, 400)
    assert_problem(tracy.post("/v1/records", {"dataset": {"id": leads.id + 99},
                                              "datums": [leads.datum("company", "stringValue", "x")]}), 404)
    # A dataset without states takes no records.
    assert_problem(tracy.post("/v1/records", {"dataset": {"id": other.id},
                                              "datums": [{"property": {"id": other.fields["name"].id},
                                                          "stringValue": "x"}]}), 400, "state")
    assert leads.snapshot() == before


def test_values_and_originals_the_caller_cannot_read(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("ann")
    tracy.qb.make_user("bob")
    bob = tracy.bearer("bob")
    private = NewRecord({"company": "secret"}, permissions={Action.READ: Permission(Access.OWNER)})
    hidden = tracy.qb.services.records.create_records(signed_in(tracy.qb, "ann"), "Lead", [private]).records[0]
    removed = leads.create()
    assert leads.patch(removed["id"], {"removed": "x"}).status_code == 200
    before = leads.snapshot()
    body = {"dataset": {"id": leads.id}, "datums": [leads.datum("related", "recordValue", {"id": hidden.seq})]}
    assert_problem(tracy.post("/v1/records", body, bob), 400, "related")
    assert_problem(tracy.post("/v1/records", {"original": {"id": hidden.seq}}, bob), 404)
    assert_problem(tracy.post("/v1/records", {"original": {"id": removed["id"]}}, bob), 404)
    assert leads.snapshot() == before
    # A copy's plural values are replaced whole by the body's.
    original = leads.create(leads.datum("notes", "stringValue", "a"), leads.datum("notes", "stringValue", "b"))
    copy = tracy.post("/v1/records", {"original": {"id": original["id"]},
                                      "datums": [leads.datum("notes", "stringValue", "c")]}, bob,
                      content_type="application/json-patch+json")
    assert copy.status_code == 200, copy.text
    assert leads.values(copy.json())["notes"] == ["c"]
