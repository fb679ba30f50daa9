"""Odd input on the record endpoints is refused or answered, never a 500 (contract §10): every
property filter with values of the wrong kind, huge ids in every member that names something."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.records_setup import lead

_HUGE = 2**62


def test_property_filters_never_fail(tracy: Tracy) -> None:
    leads = lead(tracy)
    leads.create()
    for name in leads.cls.fields:
        for value in ("x", "1,2", "99999999999999999999", "%"):
            for suffix in ("", "[from]"):
                response = tracy.get("/v1/records", {"datasetId": leads.id,
                                                     f"property[{leads.prop(name)}]{suffix}": value})
                assert response.status_code in (200, 400), (name, value, suffix, response.text)
    for text in ("%", "_", "\\", "é", "x" * 5000):
        assert tracy.get("/v1/records", {"datasetId": leads.id, "search": text}).status_code == 200


def test_huge_ids_never_fail(tracy: Tracy) -> None:
    leads = lead(tracy)
    record = leads.create()
    bodies: list[dict[str, Any]] = [
        {"dataset": {"id": _HUGE}, "datums": [leads.datum("company", "stringValue", "x")]},
        {"state": {"id": _HUGE}, "datums": [leads.datum("company", "stringValue", "x")]},
        {"datums": [{"property": {"id": _HUGE}, "stringValue": "x"}]},
        {"datums": [leads.datum("owner", "userValue", {"id": _HUGE})]},
        {"datums": [leads.datum("related", "recordValue", {"id": _HUGE})]},
        {"datums": [leads.datum("tags", "optionValue", {"id": _HUGE})]},
        {"datums": [leads.datum("due", "dateTimeValue", "99999999999999999999")]},
        {"metadatums": [{"representation": {"id": _HUGE}}]},
    ]
    before = leads.snapshot()
    for body in bodies:
        assert tracy.post("/v1/records", {"dataset": {"id": leads.id}, **body}).status_code in (400, 404), body
        assert leads.patch(record["id"], body).status_code in (400, 404), body
    assert tracy.post("/v1/records", {"original": {"id": _HUGE}}).status_code == 404
    for path in ("/v1/events/99999999999999999", "/v1/events/0", "/v1/records/0", "/v1/datums/5",
                 f"/v1/events?recordId={2**63 - 1}", f"/v1/records?ids=0,{_HUGE}", "/v1/datums?recordId=0"):
        assert tracy.get(path).status_code in (200, 400, 404), path
    assert leads.snapshot() == before
