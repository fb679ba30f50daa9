"""Reference fields through QuickBlox: created by id or option text, rendered as integer ids (arrays
in order), filtered with `eq`/`ne`/`in`/`nin` and `all` like the other arrays; a bad reference is a
422 naming the field and writes nothing. Both databases."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.query import ast
from tests.conftest import QB

CLASSES = [
    {"name": "Deal", "fields": {"amount": "Integer"}},
    {"name": "Lead", "fields": {
        "title": "String",
        "priority": {"type": "Option", "options": ["Low", "High"]},
        "labels": {"type": "Option[]", "options": ["hot", "cold", "new"]},
        "owner": {"type": "User"}, "watchers": {"type": "User[]"},
        "deal": {"type": "Record", "class": "Deal"}, "deals": {"type": "Record[]", "class": "Deal"},
    }},
]


def option_ids(qb: QB, field: str) -> dict[str, int]:
    return {o.text: o.id for o in qb.services.classes.get_class(qb.admin, "Lead").fields[field].options}


def deal_seqs(qb: QB) -> list[int]:
    found = qb.services.records.find_records(qb.admin, "Deal", ast.Query())
    return [r.seq for r in found.records if r.seq is not None]


@pytest.fixture
def leads(qb: QB) -> tuple[QB, dict[str, str], int, list[int]]:
    qb.apply_class(CLASSES)
    writer = qb.make_user("writer")
    headers = qb.headers("writer")
    for amount in (1, 2):
        assert qb.client.post("/data/Deal.json", json={"amount": amount}, headers=headers).status_code == 201
    return qb, headers, writer, deal_seqs(qb)


def test_create_and_read_render_integer_ids(leads: tuple[QB, dict[str, str], int, list[int]]) -> None:
    qb, headers, writer, deals = leads
    labels = option_ids(qb, "labels")
    response = qb.client.post("/data/Lead.json", json={
        "title": "a", "priority": "High", "labels": ["new", labels["hot"]], "owner": writer,
        "watchers": [writer], "deal": deals[1], "deals": [deals[1], deals[0]]}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    expected = {"priority": option_ids(qb, "priority")["High"], "labels": [labels["new"], labels["hot"]],
                "owner": writer, "watchers": [writer], "deal": deals[1], "deals": [deals[1], deals[0]]}
    assert {k: body[k] for k in expected} == expected
    read = qb.client.get(f"/data/Lead/{body['_id']}.json", headers=headers).json()["items"][0]
    assert {k: read[k] for k in expected} == expected


def test_form_bodies_name_options_by_text_or_id(leads: tuple[QB, dict[str, str], int, list[int]]) -> None:
    qb, headers, writer, deals = leads
    labels = option_ids(qb, "labels")
    response = qb.client.post("/data/Lead.json", data={
        "priority": str(option_ids(qb, "priority")["Low"]), "labels[]": f"cold,{labels['new']}",
        "owner": str(writer), "deal": str(deals[0])}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["priority"], body["labels"], body["owner"], body["deal"]) == (
        option_ids(qb, "priority")["Low"], [labels["cold"], labels["new"]], writer, deals[0])


@pytest.mark.parametrize(("values", "field"), [
    ({"priority": "Medium"}, "priority"), ({"labels": ["hot", "warm"]}, "labels"),
    ({"owner": 99999999}, "owner"), ({"watchers": [99999999]}, "watchers"),
    ({"deal": 99999999}, "deal"), ({"deals": ["abc"]}, "deals"),
])
def test_a_bad_reference_is_422_naming_the_field(leads: tuple[QB, dict[str, str], int, list[int]],
                                                 values: dict[str, Any], field: str) -> None:
    qb, headers, _, _ = leads
    events_before = len(qb.events())
    response = qb.client.post("/data/Lead.json", json=values, headers=headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert list(errors) == [field] and field in errors[field][0]
    assert qb.count("Lead") == 0 and len(qb.events()) == events_before


def test_an_update_to_a_bad_reference_is_422(leads: tuple[QB, dict[str, str], int, list[int]]) -> None:
    qb, headers, writer, deals = leads
    record = qb.client.post("/data/Lead.json", json={"deal": deals[0]}, headers=headers).json()
    response = qb.client.put(f"/data/Lead/{record['_id']}.json", json={"deal": 99999999}, headers=headers)
    assert response.status_code == 422 and list(response.json()["errors"]) == ["deal"]
    pushed = qb.client.put(f"/data/Lead/{record['_id']}.json", json={"push": {"watchers": [writer]}},
                           headers=headers)
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["watchers"] == [writer] and pushed.json()["deal"] == deals[0]


def titles(qb: QB, headers: dict[str, str], query: str) -> list[str]:
    response = qb.client.get(f"/data/Lead.json?sort_asc=title&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_filters(leads: tuple[QB, dict[str, str], int, list[int]]) -> None:
    qb, headers, writer, deals = leads
    other = qb.make_user("other")
    rows = [{"title": "a", "priority": "Low", "labels": ["hot", "new"], "owner": other, "deal": deals[0],
             "deals": [deals[0], deals[1]]},
            {"title": "b", "priority": "High", "labels": ["cold"], "owner": writer, "watchers": [other, writer]},
            {"title": "c", "labels": ["hot"], "deals": [deals[1]]}]
    created = qb.client.post("/data/Lead/multi.json", json={"record": {str(i): r for i, r in enumerate(rows)}},
                             headers=headers)
    assert created.status_code == 201, created.text
    labels, priority = option_ids(qb, "labels"), option_ids(qb, "priority")
    assert titles(qb, headers, "priority=High") == ["b"]
    assert titles(qb, headers, f"priority={priority['Low']}") == ["a"]
    assert titles(qb, headers, "priority[ne]=High") == ["a", "c"]
    assert titles(qb, headers, "priority[in]=Low,High") == ["a", "b"]
    assert titles(qb, headers, "priority[nin]=Low") == ["b", "c"]
    assert titles(qb, headers, "labels[all]=hot,new") == ["a"]
    assert titles(qb, headers, f"labels[in]=cold,{labels['new']}") == ["a", "b"]
    assert titles(qb, headers, "labels=hot") == ["a", "c"]
    assert titles(qb, headers, f"owner={writer}") == ["b"]
    assert titles(qb, headers, f"owner[in]={writer},{other}") == ["a", "b"]
    assert titles(qb, headers, f"watchers[all]={writer},{other}") == ["b"]
    assert titles(qb, headers, f"deal={deals[0]}") == ["a"]
    assert titles(qb, headers, f"deals[all]={deals[1]}") == ["a", "c"]
    assert titles(qb, headers, f"deals[nin]={deals[0]}") == ["b", "c"]
    count = qb.client.get("/data/Lead.json?count=1&labels[in]=hot", headers=headers).json()
    assert count["items_count"] == 2


@pytest.mark.parametrize("query", ["priority=Medium", "priority[gt]=Low", "owner=someone", "deal[lt]=3"])
def test_bad_filters_are_422(leads: tuple[QB, dict[str, str], int, list[int]], query: str) -> None:
    qb, headers, _, _ = leads
    response = qb.client.get(f"/data/Lead.json?{query}", headers=headers)
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == [query.split("=")[0].split("[")[0]]
