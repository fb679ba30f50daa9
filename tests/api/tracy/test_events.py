"""E1–E2: the event history through Tracy (contract §7): oldest first, one event per elementary
change, paging and filters with `X-Total-Count`, and nothing a caller may not read."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from objectbase.core.permissions import Access, Action, Permission
from objectbase.core.records import NewRecord
from tests.api.tracy.records_setup import lead
from tests.core.workflow_helpers import signed_in
from tests.api.tracy.seed_schemas import assert_valid



def _events(tracy: Tracy, headers: dict[str, str] | None = None, /, **params: Any) -> tuple[list[dict[str, Any]], int]:
    response = tracy.get("/v1/events", params, headers=headers)
    assert response.status_code == 200, response.text
    events = response.json()
    assert_valid(events, "Event[]")
    return events, int(response.headers["x-total-count"])


def test_history_lists_filters_and_pages(tracy: Tracy) -> None:
    leads = lead(tracy)
    ann_id = tracy.qb.make_user("ann")
    ann = tracy.bearer("ann")
    record = leads.create(headers=ann)
    other = leads.create()
    assert leads.patch(record["id"], {"state": {"id": leads.state("Doing")},
                                      "datums": [leads.datum("visits", "integerValue", 1),
                                                 leads.datum("owner", "userValue", {"id": ann_id})]},
                       ann).status_code == 200
    events, total = _events(tracy)
    assert total == 5
    assert [(e["eventType"]["id"], e["record"]["id"]) for e in events] == [
        ("recordCreated", record["id"]), ("recordCreated", other["id"]), ("datumAdded", record["id"]),
        ("datumAdded", record["id"]), ("stateChanged", record["id"])]
    assert events[0]["user"]["id"] == ann_id and events[1]["user"] is None
    assert events[3]["newUserValue"]["id"] == ann_id
    assert [e["id"] for e in events] == sorted({e["id"] for e in events})
    assert _events(tracy, recordId=record["id"], limit=2, offset=1) == (events[2:4], 4)
    assert _events(tracy, eventTypeId="datumAdded")[1] == 2
    assert _events(tracy, userId=ann_id)[1] == 4
    assert _events(tracy, datasetId=leads.id)[1] == 5
    assert _events(tracy, createdFrom="2999-01-01T00:00:00Z")[1] == 0
    assert _events(tracy, createdTo=events[-1]["created"])[1] == 5
    for event in (events[0], events[3]):
        response = tracy.get(f"/v1/events/{event['id']}")
        assert response.status_code == 200 and response.json() == event
    # Deleted records keep their history (administrators' only).
    assert leads.patch(other["id"], {"removed": "x"}).status_code == 200
    assert tracy.post(f"/v1/records/{other['id']}", None, method="DELETE").status_code == 200
    history, _total = _events(tracy, recordId=other["id"])
    assert [e["eventType"]["id"] for e in history] == ["recordCreated", "recordRemoved", "recordDeleted"]
    assert history[-1]["record"]["id"] == other["id"]
    for params, key in (({"eventTypeId": "bogus"}, "eventTypeId"), ({"createdFrom": "x"}, "createdFrom"),
                        ({"limit": 0}, "limit"), ({"recordId": "x"}, "recordId")):
        assert_problem(tracy.get("/v1/events", params), 400, key)
    assert_problem(tracy.get(f"/v1/events/{events[-1]['id'] + 1}"), 404)
    assert_problem(tracy.get("/v1/events/x"), 400, "id")
    assert_problem(tracy.get("/v1/events", {"datasetId": leads.id + 99}), 404)


def test_history_shows_only_what_the_caller_may_read(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("ann")
    tracy.qb.make_user("bob")
    ann, bob = tracy.bearer("ann"), tracy.bearer("bob")
    # A record only its owner may read (a record ACL, as the QuickBlox dialect sets them).
    private = NewRecord({"company": "secret"}, permissions={Action.READ: Permission(Access.OWNER)})
    created = tracy.qb.services.records.create_records(signed_in(tracy.qb, "ann"), "Lead", [private]).records[0]
    assert created.seq is not None
    annes = {"id": created.seq}
    bobs = leads.create(headers=bob)
    assert leads.patch(annes["id"], {"datums": [leads.datum("visits", "integerValue", 1)]}, ann).status_code == 200
    seen, total = _events(tracy, bob)
    assert total == 1 and [e["record"]["id"] for e in seen] == [bobs["id"]]
    assert _events(tracy, bob, recordId=annes["id"]) == ([], 0)
    ann_events, _ = _events(tracy, ann)
    assert {e["record"]["id"] for e in ann_events} == {annes["id"], bobs["id"]}  # bob's record is open to read
    for event in (e for e in ann_events if e["record"]["id"] == annes["id"]):
        assert_problem(tracy.get(f"/v1/events/{event['id']}", headers=bob), 404)
    assert_problem(leads.get(annes["id"], bob), 404)
    # The trash hides a record's history from everyone but administrators.
    assert leads.patch(bobs["id"], {"removed": "x"}, bob).status_code == 200
    assert _events(tracy, bob) == ([], 0)
    assert _events(tracy)[1] == 4
    assert_problem(tracy.get("/v1/events", headers={}), 401)
