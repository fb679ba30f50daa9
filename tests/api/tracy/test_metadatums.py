"""M1–M2: metadatums added, changed, removed and listed (contract §3.3, §4)."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.records_setup import lead, valid
from tests.api.tracy.seed_schemas import assert_valid


def _metadatum(response: Any) -> dict[str, Any]:
    return valid(response, "Metadatum")


def test_metadatums(tracy: Tracy) -> None:
    leads = lead(tracy)
    record, other = leads.create(), leads.create()
    ref = {"id": record["id"]}
    order = _metadatum(tracy.post("/v1/metadatums", {"record": ref, "representation": {"id": 7}, "decimalValue": 1.5}))
    link = _metadatum(tracy.post("/v1/metadatums", {"record": ref, "representation": {"id": 8},
                                                    "recordValue": {"id": other["id"]}}))
    assert order["record"]["id"] == record["id"] and order["representation"]["id"] == 7
    assert order["decimalValue"] == 1.5 and order["recordValue"] is None
    assert link["recordValue"]["id"] == other["id"] and link["decimalValue"] is None
    changed = _metadatum(tracy.post(f"/v1/metadatums/{order['id']}", {"decimalValue": 2}, method="PATCH"))
    assert changed["id"] == order["id"] and changed["decimalValue"] == 2.0
    response = tracy.get("/v1/metadatums", {"recordId": record["id"]})
    assert response.status_code == 200 and [m["id"] for m in response.json()] == [order["id"], link["id"]]
    assert_valid(response.json(), "Metadatum[]")
    assert [m["id"] for m in tracy.get("/v1/metadatums", {"recordId": record["id"], "representationId": 8}).json()] \
        == [link["id"]]
    assert [m["id"] for m in leads.read(record["id"])["metadatums"]] == [order["id"], link["id"]]
    removed = tracy.post(f"/v1/metadatums/{link['id']}", None, method="DELETE")
    assert removed.status_code == 200 and removed.json() == {}
    assert [m["id"] for m in tracy.get("/v1/metadatums", {"recordId": record["id"]}).json()] == [order["id"]]


def test_refused_metadatum_writes(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("bob")
    record = leads.create()
    ref = {"id": record["id"]}
    order = _metadatum(tracy.post("/v1/metadatums", {"record": ref, "representation": {"id": 7}, "decimalValue": 1}))
    bob = tracy.bearer("bob")
    before = leads.snapshot()
    for body, key in (({"representation": {"id": 7}}, "record"), ({"record": ref}, "representation"),
                      ({"record": ref, "representation": {"id": 7}, "decimalValue": "x"}, "decimalValue"),
                      ({"record": ref, "representation": {"id": 7}, "bogus": 1}, "bogus")):
        assert_problem(tracy.post("/v1/metadatums", body), 400, key)
    assert_problem(tracy.post("/v1/metadatums", {"record": {"id": record["id"] + 99}, "representation": {"id": 7}}),
                   404)
    assert_problem(tracy.post(f"/v1/metadatums/{order['id']}", {"representation": {"id": 8}, "decimalValue": 2},
                              method="PATCH"), 400, "representation")
    assert_problem(tracy.post("/v1/metadatums", {"record": ref, "representation": {"id": 7}}, bob), 403)
    assert_problem(tracy.post(f"/v1/metadatums/{order['id']}", {"decimalValue": 2}, bob, method="PATCH"), 403)
    assert_problem(tracy.post(f"/v1/metadatums/{order['id']}", None, bob, method="DELETE"), 403)
    assert_problem(tracy.post(f"/v1/metadatums/{order['id'] + 99}", None, method="DELETE"), 404)
    assert_problem(tracy.get("/v1/metadatums"), 400, "recordId")
    assert leads.snapshot() == before
