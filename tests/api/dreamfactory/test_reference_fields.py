"""Reference fields through DreamFactory: read as integer ids, filtered (`=`, `!=`, `IN`; `=` on an
array is "holds"), a Record field's belongs-to `<Target>_by_<field>` embedded under the actor's read
ACL, and the schema's mapping (§10): integers with `ref_table` for User/Record, a `picklist` for
Option; tables created with `picklist` / `ref_table`. Both surfaces, both databases."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.actor import Actor
from objectbase.core.query import ast
from tests.api.dreamfactory.conftest import DF, OPEN, OWNER
from tests.api.dreamfactory.wire import SURFACES, Wire
from tests.conftest import QB

CLASSES = [
    {"name": "Deal", "fields": {"amount": "Integer"}},
    {"name": "Lead", "fields": {
        "title": "String",
        "priority": {"type": "Option", "options": ["Low", {"text": "High", "color": "#FF0000"}]},
        "labels": {"type": "Option[]", "options": ["hot", "cold"]},
        "owner": {"type": "User"},
        "deal": {"type": "Record", "class": "Deal"}, "deals": {"type": "Record[]", "class": "Deal"},
    }},
]


def seqs(df: DF, table: str, ids: list[str]) -> list[int]:
    found = {r.id: r.seq for r in df.qb.services.records.get_records(df.qb.admin, table, ids).records}
    return [int(found[i] or 0) for i in ids]


def option_ids(df: DF, field: str) -> dict[str, int]:
    return {o.text: o.id for o in df.qb.services.classes.get_class(df.qb.admin, "Lead").fields[field].options}


@pytest.fixture
def leads(df: DF) -> tuple[DF, Actor, Actor, list[int]]:
    """Deals d0 (open), d1 (readable by its owner, alice, only); leads a, b, c by alice."""
    df.qb.apply_class(CLASSES)
    alice, bob = df.user("alice"), df.user("bob")
    deals = seqs(df, "Deal", df.create(alice, "Deal", [{"amount": 1}]) +
                 df.create(alice, "Deal", [{"amount": 2}], read=OWNER))
    df.create(alice, "Lead", [
        {"title": "a", "priority": "Low", "labels": ["hot"], "owner": bob.user_id, "deal": deals[0],
         "deals": [deals[1], deals[0]]},
        {"title": "b", "priority": "High", "labels": ["cold", "hot"], "owner": alice.user_id, "deal": deals[1]},
        {"title": "c"},
    ], read=OPEN)
    return df, alice, bob, deals


def titles(df: DF, params: dict[str, Any], login: str = "bob") -> list[str]:
    found = df.items(df.get("Lead", {"order": "title", **params}, headers=df.user_headers(login)))
    return [item["title"] for item in found]


def test_reads_render_integer_ids(leads: tuple[DF, Actor, Actor, list[int]]) -> None:
    df, alice, bob, deals = leads
    first = df.items(df.get("Lead", {"order": "title"}, headers=df.user_headers("bob")))[0]
    assert (first["priority"], first["labels"], first["owner"], first["deal"], first["deals"]) == (
        option_ids(df, "priority")["Low"], [option_ids(df, "labels")["hot"]], bob.user_id, deals[0],
        [deals[1], deals[0]])


def test_filters(leads: tuple[DF, Actor, Actor, list[int]]) -> None:
    df, alice, bob, deals = leads
    assert titles(df, {"filter": "priority = 'High'"}) == ["b"]
    assert titles(df, {"filter": f"priority = {option_ids(df, 'priority')['Low']}"}) == ["a"]
    assert titles(df, {"filter": "priority != 'High'"}) == ["a", "c"]
    assert titles(df, {"filter": "priority IN ('Low', 'High')"}) == ["a", "b"]
    assert titles(df, {"filter": "labels = 'hot'"}) == ["a", "b"]
    assert titles(df, {"filter": "labels = 'hot' AND labels = 'cold'"}) == ["b"]
    assert titles(df, {"filter": f"owner = {alice.user_id}"}) == ["b"]
    assert titles(df, {"filter": f"deal = {deals[1]}"}) == ["b"]
    assert titles(df, {"filter": f"deals IN ({deals[0]})"}) == ["a"]
    assert titles(df, {"filter": "deal IS NULL"}) == ["c"]


@pytest.mark.parametrize("text", ["priority = 'Medium'", "priority > 'Low'", "owner = 'x'"])
def test_bad_filters_are_400(leads: tuple[DF, Actor, Actor, list[int]], text: str) -> None:
    df = leads[0]
    df.error(df.get("Lead", {"filter": text}, headers=df.user_headers("bob")), 400)


def test_a_bad_reference_in_a_write_is_400_and_writes_nothing(leads: tuple[DF, Actor, Actor, list[int]]) -> None:
    df, _, _, deals = leads
    before = df.qb.count("Lead")
    for body in ({"deal": 99999999}, {"priority": "Medium"}, {"owner": 99999999}, {"deals": [deals[0], 99999999]}):
        response = df.qb.client.post(df.url("Lead"), json={df.wrapper: [body]}, headers=df.user_headers("bob"))
        df.error(response, 400)
        # v2 words a failed first item as a batch error, with the item's own message in the context.
        assert f"Field '{list(body)[0]}': " in response.text
    # bob cannot read d1, so he cannot point at it either.
    response = df.qb.client.post(df.url("Lead"), json={df.wrapper: [{"deal": deals[1]}]},
                                 headers=df.user_headers("bob"))
    df.error(response, 400)
    assert f"Field 'deal': is not a record of Deal you can read ({deals[1]})." in response.text
    assert df.qb.count("Lead") == before


def test_belongs_to_is_embedded_under_the_read_acl(leads: tuple[DF, Actor, Actor, list[int]]) -> None:
    df, _, _, deals = leads
    params = {"related": "Deal_by_deal,Deal_by_deals", "order": "title", "fields": "title",
              "Deal_by_deal.fields": "amount"}
    as_alice = df.items(df.get("Lead", params, headers=df.user_headers("alice")))
    assert [(r["title"], r["Deal_by_deal"]) for r in as_alice] == [
        ("a", {"_id": as_alice[0]["Deal_by_deal"]["_id"], "amount": 1}),
        ("b", {"_id": as_alice[1]["Deal_by_deal"]["_id"], "amount": 2}), ("c", None)]
    # Record[]: every record, in the field's order.
    assert [[d["amount"] for d in r["Deal_by_deals"]] for r in as_alice] == [[2, 1], [], []]
    # bob may not read d1: it is left out (null for a belongs-to).
    as_bob = df.items(df.get("Lead", params, headers=df.user_headers("bob")))
    assert [r["Deal_by_deal"] and r["Deal_by_deal"]["amount"] for r in as_bob] == [1, None, None]
    assert [[d["amount"] for d in r["Deal_by_deals"]] for r in as_bob] == [[1], [], []]
    one_id = as_bob[0]["_id"]
    item = df.get("Lead", {"related": "Deal_by_deal"}, record_id=one_id, headers=df.user_headers("bob"))
    assert item.status_code == 200 and item.json()["Deal_by_deal"]["amount"] == 1
    assert item.json()["deal"] == deals[0]


def test_star_embeds_references_and_children(leads: tuple[DF, Actor, Actor, list[int]]) -> None:
    df = leads[0]
    found = df.items(df.get("Lead", {"related": "*", "order": "title"}, headers=df.user_headers("alice")))
    assert set(found[0]) >= {"Deal_by_deal", "Deal_by_deals", "Lead_by__parent_id", "Deal_by__parent_id"}


def admin(qb: QB, wire: Wire) -> dict[str, str]:
    return wire.app(qb.credentials.api_key)


@pytest.mark.parametrize("wire", SURFACES)
def test_the_schema_maps_reference_types(qb: QB, wire: Wire) -> None:
    qb.apply_class(CLASSES)
    table = qb.client.get(wire.schema("Lead"), headers=admin(qb, wire)).json()
    fields = {f["name"]: f for f in table["field"]}
    keys = ("type", "db_type", "is_foreign_key", "ref_table", "ref_field", "picklist")
    assert {n: tuple(fields[n][k] for k in keys) for n in ("priority", "labels", "owner", "deal", "deals")} == {
        "priority": ("integer", "bigint", False, None, None, ["Low", "High"]),
        "labels": ("string", "json", False, None, None, ["hot", "cold"]),
        "owner": ("integer", "bigint", True, "user", "id", None),
        "deal": ("integer", "bigint", True, "Deal", "_seq", None),
        "deals": ("string", "json", True, "Deal", "_seq", None),
    }
    priority = qb.services.classes.get_class(qb.admin, "Lead").fields["priority"].options
    assert fields["priority"]["native"] == [{"id": o.id, "text": o.text, "color": o.color} for o in priority]
    assert {"name": "Deal_by_deal", "type": "belongs_to", "field": "deal", "ref_table": "Deal",
            "ref_field": "_seq"} in table["related"]
    assert {"name": "Deal_by_deals", "type": "has_many", "field": "deals", "ref_table": "Deal",
            "ref_field": "_seq"} in table["related"]
    one = qb.client.get(wire.schema("Lead", "deal"), headers=admin(qb, wire)).json()
    assert one == fields["deal"]


@pytest.mark.parametrize("wire", SURFACES)
def test_tables_are_created_with_reference_fields(qb: QB, wire: Wire) -> None:
    table = {"name": "Ticket", "field": [
        {"name": "level", "type": "Option", "picklist": ["P1", "P2"]},
        {"name": "assignee", "type": "User"},
        {"name": "parent", "type": "Record", "ref_table": "Ticket"},
    ]}
    response = qb.client.post(wire.schema(), json=[table], headers=admin(qb, wire))
    assert response.status_code == 200, response.text
    cls = qb.services.classes.get_class(qb.admin, "Ticket")
    assert [o.text for o in cls.fields["level"].options] == ["P1", "P2"]
    assert cls.fields["parent"].target_class_id == cls.id
    assert cls.fields["assignee"].type.name == "User"
    bad = {"name": "Bad", "field": [{"name": "parent", "type": "Record", "ref_table": "Nowhere"}]}
    assert qb.client.post(wire.schema(), json=[bad], headers=admin(qb, wire)).status_code == 400
    assert [c.name for c in qb.services.classes.list_classes(qb.admin)] == ["Ticket"]
    assert qb.services.records.count_records(qb.admin, "Ticket", ast.TRUE) == 0


@pytest.mark.parametrize("wire", SURFACES)
def test_a_table_a_record_field_refers_to_is_not_dropped(qb: QB, wire: Wire) -> None:
    qb.apply_class(CLASSES)
    response = qb.client.delete(wire.schema("Deal"), headers=admin(qb, wire))
    assert response.status_code == 409, response.text
    assert sorted(c.name for c in qb.services.classes.list_classes(qb.admin)) == ["Deal", "Lead"]
