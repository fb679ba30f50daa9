"""R4 (PATCH: datums replaced per property, state, archive, trash, metadatums, several at once in
one transaction) and R5 (permanent delete from the trash), contract §6, §9, §10."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.records_setup import LEAD, Lead, lead
from tests.api.tracy.seed_schemas import assert_valid


def _ok(leads: Lead, record_id: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = leads.patch(record_id, body, headers)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    assert_valid(record, "Record")
    return record


def _kinds(record: dict[str, Any]) -> list[str]:
    return [e["eventType"]["id"] for e in record["events"]]


def test_patch_replaces_the_datums_of_each_property_named(tracy: Tracy) -> None:
    leads = lead(tracy)
    red, green, blue = (leads.option("tags", t) for t in ("red", "green", "blue"))
    record = leads.create(leads.datum("company", "stringValue", "ACME"), leads.datum("visits", "integerValue", 1),
                          leads.datum("tags", "optionValue", {"id": red}),
                          leads.datum("tags", "optionValue", {"id": green}))
    company_id = next(d["id"] for d in record["datums"] if d["property"]["id"] == leads.prop("company"))
    changed = _ok(leads, record["id"], {"datums": [
        leads.datum("company", "stringValue", "ACME Ltd"),
        leads.datum("tags", "optionValue", {"id": green}), leads.datum("tags", "optionValue", {"id": blue}),
        {"property": {"id": leads.prop("visits")}}]})
    values = leads.values(changed)
    assert values["company"] == ["ACME Ltd"] and "visits" not in values
    assert [o["text"] for o in values["tags"]] == ["green", "blue"]
    # A changed value keeps its datum's id.
    assert next(d["id"] for d in changed["datums"] if d["property"]["id"] == leads.prop("company")) == company_id
    # One event per elementary change, each with the old and new value in its slot.
    assert _kinds(changed) == ["recordCreated", "datumChanged", "datumRemoved", "datumRemoved", "datumAdded"]
    company = changed["events"][1]
    assert (company["oldStringValue"], company["newStringValue"]) == ("ACME", "ACME Ltd")
    assert company["property"]["id"] == leads.prop("company") and company["oldIntegerValue"] is None
    assert changed["events"][2]["oldIntegerValue"] == 1
    assert changed["events"][3]["oldOptionValue"]["id"] == red
    assert changed["events"][4]["newOptionValue"]["id"] == blue
    assert len({e["id"] for e in changed["events"]}) == 5
    assert leads.read(record["id"]) == changed


def test_state_change_with_datums_is_one_transaction(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create(metadatums=[{"representation": {"id": 1}, "decimalValue": 1},
                                      {"representation": {"id": 2}, "decimalValue": 5}])
    moved = _ok(leads, record["id"], {"state": {"id": leads.state("Doing")},
                                      "datums": [leads.datum("amount", "decimalValue", 9.5)],
                                      "metadatums": [{"representation": {"id": 1}, "decimalValue": 3}]})
    assert moved["state"]["id"] == leads.state("Doing")
    assert _kinds(moved) == ["recordCreated", "datumAdded", "stateChanged"]
    assert moved["events"][2]["oldState"]["id"] == leads.state("New")
    assert moved["events"][2]["newState"]["id"] == leads.state("Doing")
    (transition,) = moved["transitions"]
    assert transition["oldState"]["id"] == leads.state("New") and transition["record"] is None
    assert sorted((m["representation"]["id"], m["decimalValue"]) for m in moved["metadatums"]) == [(1, 3.0), (2, 5.0)]
    # A failing part undoes the others.
    before = leads.snapshot()
    assert_problem(leads.patch(record["id"], {"datums": [leads.datum("amount", "decimalValue", 1.0)],
                                              "state": {"id": leads.state("Doing")}}), 400, "state")
    assert_problem(leads.patch(record["id"], {"datums": [leads.datum("amount", "decimalValue", 1.0)],
                                              "state": {"id": 99999}}), 400, "state")
    assert leads.snapshot() == before


def test_required_properties_block_a_state_change(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create()
    tracy.qb.apply_class({**LEAD, "required": ["visits", "amount"]})
    before = leads.snapshot()
    body = assert_problem(leads.patch(record["id"], {"state": {"id": leads.state("Done")}}), 400)
    assert set(body["errors"]) == {"visits", "amount"}
    assert leads.snapshot() == before
    moved = _ok(leads, record["id"], {"state": {"id": leads.state("Done")},
                                      "datums": [leads.datum("visits", "integerValue", 2),
                                                 leads.datum("amount", "decimalValue", 2.0)]})
    assert moved["state"]["id"] == leads.state("Done")


def test_archive_freezes_and_unarchive_thaws(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create()
    archived = _ok(leads, record["id"], {"archived": "1999-01-01T00:00:00.000Z"})
    assert archived["archived"] is not None and archived["archived"] > "2020" and archived["removed"] is None
    assert _kinds(archived)[-1] == "recordArchived"
    # Sending the mark again changes nothing.
    assert _ok(leads, record["id"], {"archived": "2030-01-01T00:00:00.000Z"}) == archived
    before = leads.snapshot()
    body = assert_problem(leads.patch(record["id"], {"datums": [leads.datum("visits", "integerValue", 1)]}), 400)
    assert "archived" in body["detail"]
    assert_problem(leads.patch(record["id"], {"state": {"id": leads.state("Doing")}}), 400)
    assert leads.snapshot() == before
    # Unarchive and change in one request.
    thawed = _ok(leads, record["id"], {"archived": None, "datums": [leads.datum("visits", "integerValue", 1)]})
    assert thawed["archived"] is None and _kinds(thawed)[-2:] == ["recordUnarchived", "datumAdded"]
    # Change and archive in one request.
    frozen = _ok(leads, record["id"], {"archived": "x", "datums": [leads.datum("visits", "integerValue", 2)]})
    assert frozen["archived"] is not None and _kinds(frozen)[-2:] == ["datumChanged", "recordArchived"]
    assert_problem(leads.patch(record["id"], {"archived": 5}), 400, "archived")


def test_trash_restore_and_permanent_delete(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("ann")
    ann = tracy.bearer("ann")
    record = leads.create(headers=ann, metadatums=[{"representation": {"id": 1}, "decimalValue": 1}])
    removed = _ok(leads, record["id"], {"removed": "2025-01-01T00:00:00.000Z"}, ann)
    # The remover sees the result, but no longer the history (the trash is the administrators').
    assert removed["removed"] is not None and removed["events"] == []
    assert _kinds(leads.read(record["id"]))[-1] == "recordRemoved"
    # Only administrators and owners see the trash; the owner of the record does not restore it.
    assert_problem(leads.get(record["id"], ann), 404)
    assert_problem(leads.patch(record["id"], {"removed": None}, ann), 404)
    assert leads.read(record["id"])["removed"] == removed["removed"]
    before = leads.snapshot()
    assert_problem(leads.patch(record["id"], {"datums": [leads.datum("visits", "integerValue", 1)]}), 400)
    assert leads.snapshot() == before
    restored = _ok(leads, record["id"], {"removed": None})
    assert restored["removed"] is None and _kinds(restored)[-1] == "recordRestored"
    # Permanent delete: only from the trash, only by administrators and owners.
    delete = f"/v1/records/{record['id']}"
    assert_problem(tracy.post(delete, None, method="DELETE"), 409)
    assert_problem(tracy.post(delete, None, ann, method="DELETE"), 403)
    _ok(leads, record["id"], {"removed": "x"}, ann)
    assert_problem(tracy.post(delete, None, ann, method="DELETE"), 404)  # the trash is not hers to see
    response = tracy.post(delete, None, method="DELETE")
    assert response.status_code == 200 and response.json() == {}
    assert_problem(leads.get(record["id"]), 404)
    assert_problem(tracy.post(delete, None, method="DELETE"), 404)
    count, _events, rows = leads.snapshot()
    assert count == 0 and rows == []
    # The history stays.
    kinds = [e.kind for e in tracy.qb.events() if e.record_seq == record["id"]]
    assert kinds[0] == "record.created" and kinds[-1] == "record.deleted"


def test_only_permitted_actors_change_records(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("ann")
    tracy.qb.make_user("bob")
    ann, bob = tracy.bearer("ann"), tracy.bearer("bob")
    record = leads.create(headers=ann)
    before = leads.snapshot()
    for body in ({"state": {"id": leads.state("Doing")}}, {"archived": "x"}, {"removed": "x"},
                 {"datums": [leads.datum("visits", "integerValue", 1)]}):
        assert_problem(leads.patch(record["id"], body, bob), 403)
    assert_problem(leads.patch(record["id"], {"archived": "x"}, tracy.app_headers), 403)
    assert_problem(leads.patch(record["id"], {"archived": "x"}, {}), 401)
    assert leads.snapshot() == before
    assert _ok(leads, record["id"], {"state": {"id": leads.state("Doing")}}, ann)["state"]["id"] == leads.state("Doing")


def test_refused_patches(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create()
    before = leads.snapshot()
    for body, key in (({"bogus": 1}, "bogus"), ({"datums": [leads.datum("company", "decimalValue", 1.0)]},
                                                 "datums[0].decimalValue"),
                      ({"datums": [leads.datum("company", "stringValue", "a"),
                                   leads.datum("company", "stringValue", "b")]}, "datums[1]"),
                      ({"state": {"id": "x"}}, "state.id"), ({"dataset": {"id": leads.id + 1}}, "dataset"), ({"metadatums": [{"decimalValue": 1}]},
                                                          "metadatums[0].representation")):
        assert_problem(leads.patch(record["id"], body), 400, key)
    assert_problem(leads.patch(record["id"] + 1000, {"archived": "x"}), 404)
    assert leads.snapshot() == before
