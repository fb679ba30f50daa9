"""R3: `GET /v1/records` with every parameter of contract §8.1 and the `X-Total-Count` header."""

from __future__ import annotations

from typing import Any

from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.records_setup import Lead, lead
from tests.api.tracy.seed_schemas import assert_valid


def _list(leads: Lead, headers: dict[str, str] | None = None, /, **params: Any) -> tuple[list[int], int]:
    response = leads.tracy.get("/v1/records", {"datasetId": leads.id, **params}, headers=headers)
    assert response.status_code == 200, response.text
    records = response.json()
    assert_valid(records, "Record[]")
    return [r["id"] for r in records], int(response.headers["x-total-count"])


def _make(leads: Lead) -> list[int]:
    red, blue = leads.option("tags", "red"), leads.option("tags", "blue")
    rows = [("ACME Ltd", 5, 1.5, "2025-01-01T00:00:00Z", 1, [red]),
            ("Globex", 10, 2.5, "2025-02-01T00:00:00Z", 0, [red, blue]),
            ("Initech acme", 15, 3.5, "2025-03-01T00:00:00Z", 1, [])]
    ids = []
    for company, visits, amount, due, hot, tags in rows:
        record = leads.create(leads.datum("company", "stringValue", company),
                              leads.datum("visits", "integerValue", visits),
                              leads.datum("amount", "decimalValue", amount), leads.datum("due", "dateTimeValue", due),
                              leads.datum("hot", "integerValue", hot),
                              *(leads.datum("tags", "optionValue", {"id": t}) for t in tags))
        ids.append(record["id"])
    return ids


def test_list_filters_sorts_and_pages(tracy: Tracy) -> None:
    leads = lead(tracy)
    first, second, third = _make(leads)
    response = tracy.get("/v1/records", {"datasetId": leads.id})
    records = response.json()
    assert [r["id"] for r in records] == [first, second, third] and response.headers["x-total-count"] == "3"
    assert records[0]["datums"] is not None and records[0]["events"] is None and records[0]["metadatums"] is None
    assert _list(leads, limit=1, offset=1) == ([second], 3)
    assert _list(leads, sort="-id") == ([third, second, first], 3)
    assert _list(leads, sort=f"-property:{leads.prop('amount')}")[0] == [third, second, first]
    assert _list(leads, sort="created,-updated")[0] == [first, second, third]
    assert _list(leads, ids=f"{third},{first}") == ([first, third], 2)
    assert _list(leads, search="acme") == ([first, third], 2)
    assert _list(leads, search="BLU") == ([second], 1)
    assert _list(leads, **{f"property[{leads.prop('company')}]": "Globex"}) == ([second], 1)
    assert _list(leads, **{f"property[{leads.prop('hot')}]": "1"}) == ([first, third], 2)
    assert _list(leads, **{f"property[{leads.prop('tags')}]": str(leads.option("tags", "red"))}) == (
        [first, second], 2)
    assert _list(leads, **{f"property[{leads.prop('visits')}][from]": "6",
                           f"property[{leads.prop('visits')}][to]": "15"}) == ([second, third], 2)
    assert _list(leads, **{f"property[{leads.prop('due')}][to]": "2025-02-01T00:00:00.000Z"}) == (
        [first, second], 2)
    assert _list(leads, **{f"property[{-(3 * leads.id + 1)}][from]": "2000-01-01T00:00:00Z"})[1] == 3
    # Across datasets by ids alone.
    response = tracy.get("/v1/records", {"ids": f"{second},{first}", "include": "events"})
    assert [r["id"] for r in response.json()] == [first, second] and response.json()[0]["datums"] is None


def test_list_states_archive_and_trash(tracy: Tracy) -> None:
    leads = lead(tracy)
    tracy.qb.make_user("ann")
    ann = tracy.bearer("ann")
    first, second, third = (leads.create(headers=ann)["id"] for _ in range(3))
    assert leads.patch(second, {"state": {"id": leads.state("Doing")}}, ann).status_code == 200
    assert leads.patch(third, {"archived": "x"}, ann).status_code == 200
    assert leads.patch(first, {"removed": "x"}, ann).status_code == 200
    assert _list(leads, ann) == ([second], 1)
    assert _list(leads, ann, archived="include") == ([second, third], 2)
    assert _list(leads, ann, archived="only") == ([third], 1)
    assert _list(leads, ann, archived="include", sort="state")[0] == [third, second]
    assert _list(leads, ann, archived="include", sort="-state,id")[0] == [second, third]
    assert _list(leads, ann, stateId=str(leads.state("New")), archived="include") == ([third], 1)
    assert _list(leads, ann, stateId=[str(leads.state("New")), str(leads.state("Doing"))]) == ([second], 1)
    assert _list(leads, removed="only") == ([first], 1)
    assert _list(leads, removed="include", archived="include") == ([first, second, third], 3)
    assert_problem(tracy.get("/v1/records", {"datasetId": leads.id, "removed": "include"}, headers=ann), 403)
    # Ids do not reveal the trash either.
    assert _list(leads, ann, ids=f"{first},{second}") == ([second], 1)


def test_list_parameters_are_checked(tracy: Tracy) -> None:
    leads = lead(tracy)
    leads.create()
    dataset = {"datasetId": leads.id}
    for params, key in (({}, "datasetId"), ({**dataset, "limit": 0}, "limit"), ({**dataset, "limit": 1001}, "limit"),
                        ({**dataset, "offset": -1}, "offset"), ({**dataset, "archived": "all"}, "archived"),
                        ({**dataset, "sort": "bogus"}, "sort"),
                        ({**dataset, "sort": f"property:{leads.prop('notes')}"}, "sort"),
                        ({**dataset, "property[99999]": "1"}, "property[99999]"),
                        ({**dataset, f"property[{leads.prop('company')}][from]": "a"},
                         f"property[{leads.prop('company')}][from]"),
                        ({**dataset, "search": "a\u0000"}, "search"), ({"ids": "x"}, "ids"),
                        ({**dataset, "include": "bogus"}, "include"), ({"datasetId": "x"}, "datasetId")):
        assert_problem(tracy.get("/v1/records", params), 400, key)
    assert_problem(tracy.get("/v1/records", {**dataset, f"property[{leads.prop('visits')}]": "x"}), 400)
    assert_problem(tracy.get("/v1/records", {"datasetId": leads.id + 99}), 404)
    # A dataset without states sorts by state too (every record as "none").
    tracy.qb.apply_class({"name": "Other", "fields": {"name": "String"}})
    other = tracy.qb.services.classes.get_class(tracy.qb.admin, "Other")
    response = tracy.get("/v1/records", {"datasetId": other.id, "sort": "-state"})
    assert response.status_code == 200 and response.json() == []
