"""V1–V4: datums one by one — add, change (the id stays), remove, list — with the record's
permissions and history (contract §4, §5.2)."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.records_setup import lead, valid
from tests.api.tracy.seed_schemas import assert_valid


def _datum(response: Any) -> dict[str, Any]:
    return valid(response, "Datum")


def test_add_change_remove_and_list_datums(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create()
    ref = {"id": record["id"]}
    red, blue = leads.option("tags", "red"), leads.option("tags", "blue")
    first = _datum(tracy.post("/v1/datums", {"record": ref, **leads.datum("tags", "optionValue", {"id": red})}))
    second = _datum(tracy.post("/v1/datums", {"record": ref, **leads.datum("tags", "optionValue", {"id": blue})}))
    assert first["record"]["id"] == record["id"] and first["optionValue"]["text"] == "red"
    assert second["id"] != first["id"] and second["optionValue"]["id"] == blue
    visits = _datum(tracy.post("/v1/datums", {"record": ref, **leads.datum("visits", "integerValue", 3)}))
    changed = _datum(tracy.post(f"/v1/datums/{visits['id']}", {"integerValue": 4}, method="PATCH"))
    assert changed["id"] == visits["id"] and changed["integerValue"] == 4
    assert _datum(tracy.get(f"/v1/datums/{visits['id']}")) == changed
    green = leads.option("tags", "green")
    changed = _datum(tracy.post(f"/v1/datums/{first['id']}", leads.datum("tags", "optionValue", {"id": green}),
                                method="PATCH"))
    assert changed["id"] == first["id"] and changed["optionValue"]["id"] == green
    response = tracy.get("/v1/datums", {"recordId": record["id"], "propertyId": leads.prop("tags")})
    assert response.status_code == 200
    listed = response.json()
    assert_valid(listed, "Datum[]")
    assert [d["id"] for d in listed] == [first["id"], second["id"]]
    removed = tracy.post(f"/v1/datums/{first['id']}", None, method="DELETE")
    assert removed.status_code == 200 and removed.json() == {}
    assert [d["id"] for d in tracy.get("/v1/datums", {"recordId": record["id"]}).json()
            if d["property"]["id"] == leads.prop("tags")] == [second["id"]]
    kinds = [e["eventType"]["id"] for e in leads.read(record["id"])["events"]]
    assert kinds == ["recordCreated", "datumAdded", "datumAdded", "datumAdded", "datumChanged", "datumChanged",
                     "datumRemoved"]
    assert_problem(tracy.post(f"/v1/datums/{first['id']}", None, method="DELETE"), 404)


def test_refused_datum_writes_change_nothing(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("bob")
    record = leads.create()
    company = next(d for d in record["datums"] if d["property"]["id"] == leads.prop("company"))
    ref = {"id": record["id"]}
    before = leads.snapshot()
    for body, key in (({"record": ref, **leads.datum("company", "stringValue", "again")}, None),
                      ({"record": ref, **leads.datum("visits", "stringValue", "3")}, "stringValue"),
                      ({"record": ref, "property": {"id": leads.prop("visits")}}, "integerValue"),
                      ({**leads.datum("visits", "integerValue", 3)}, "record"),
                      ({"record": ref, "property": {"id": 99999}, "integerValue": 1}, "property"),
                      ({"record": ref, **leads.datum("visits", "integerValue", 3), "bogus": 1}, "bogus")):
        assert_problem(tracy.post("/v1/datums", body), 400, key)
    assert_problem(tracy.post("/v1/datums", {"record": {"id": record["id"] + 99},
                                             **leads.datum("visits", "integerValue", 3)}), 404)
    assert_problem(tracy.post(f"/v1/datums/{company['id']}", {"integerValue": 3}, method="PATCH"), 400,
                   "integerValue")
    assert_problem(tracy.post(f"/v1/datums/{company['id']}", {"stringValue": None}, method="PATCH"), 400)
    assert_problem(tracy.post(f"/v1/datums/{company['id']}", {**leads.datum("visits", "integerValue", 3)},
                              method="PATCH"), 400, "property")
    bob = tracy.bearer("bob")
    assert_problem(tracy.post(f"/v1/datums/{company['id']}", {"stringValue": "x"}, bob, method="PATCH"), 403)
    assert_problem(tracy.post(f"/v1/datums/{company['id']}", None, bob, method="DELETE"), 403)
    assert_problem(tracy.post(f"/v1/datums/{company['id'] + 999}", {"stringValue": "x"}, method="PATCH"), 404)
    assert_problem(tracy.get("/v1/datums"), 400, "recordId")
    assert_problem(tracy.get("/v1/datums", {"recordId": record["id"] + 99}), 404)
    assert leads.patch(record["id"], {"archived": "x"}).status_code == 200
    before = leads.snapshot()
    assert_problem(tracy.post(f"/v1/datums/{company['id']}", {"stringValue": "x"}, method="PATCH"), 400)
    assert_problem(tracy.post("/v1/datums", {"record": ref, **leads.datum("visits", "integerValue", 3)}), 400)
    assert leads.snapshot() == before
