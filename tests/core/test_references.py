"""Reference fields in the core (every dialect): Option/Option[] with options as rows with stable ids,
User/User[] and Record/Record[], checked on every write, filtered like the other types, and options
managed one by one. Against real SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.fields.references import DEFAULT_OPTION_COLOR
from objectbase.core.permissions import Access, Action, Permission
from objectbase.core.query import ast
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.schema import ClassDef
from objectbase.core.updates import FieldChange
from objectbase.core.users import NewUser
from tests.conftest import QB

LEAD_FIELDS: dict[str, Any] = {
    "title": "String",
    "priority": {"type": "Option", "options": ["Low", {"text": "High", "color": "#FF0000"}]},
    "labels": {"type": "Option[]", "options": ["hot", "cold", {"text": "new", "color": 4278190335}]},
    "owner": {"type": "User"}, "watchers": {"type": "User[]"},
    "deal": {"type": "Record", "class": "Deal"}, "related": {"type": "Record[]", "class": "Lead"},
}
LEAD: dict[str, Any] = {"name": "Lead", "fields": LEAD_FIELDS}
DEAL = {"name": "Deal", "fields": {"amount": "Integer"}}


def lead_class(qb: QB) -> ClassDef:
    return qb.services.classes.get_class(qb.admin, "Lead")


def option_ids(qb: QB, field: str) -> dict[str, int]:
    return {o.text: o.id for o in lead_class(qb).fields[field].options}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    return {key: [e.message for e in errors] for key, errors in error.field_errors.items()}


@pytest.fixture
def leads(qb: QB) -> QB:
    qb.apply_class([LEAD, DEAL])
    return qb


def user_actor(qb: QB, login: str) -> Actor:
    return Actor(ActorKind.USER, qb.app_id, user_id=qb.make_user(login))


def create(qb: QB, actor: Actor, values: dict[str, Any], class_name: str = "Lead",
           read: Permission | None = None) -> Any:
    permissions = {Action.READ: read} if read else None
    return qb.services.records.create_records(actor, class_name, [NewRecord(values, permissions)]).records[0]


def test_the_class_file_gives_options_ids_colours_and_targets(leads: QB) -> None:
    cls = lead_class(leads)
    deal = leads.services.classes.get_class(leads.admin, "Deal")
    priority = cls.fields["priority"].options
    assert [(o.text, o.color, o.position) for o in priority] == [
        ("Low", DEFAULT_OPTION_COLOR, 0), ("High", 0xFFFF0000, 1)]
    assert DEFAULT_OPTION_COLOR == 4288585374
    assert priority[0].id < priority[1].id
    assert [(o.text, o.color) for o in cls.fields["labels"].options][2] == ("new", 4278190335)
    assert (cls.fields["deal"].target_class_id, cls.fields["related"].target_class_id) == (deal.id, cls.id)
    assert cls.fields["owner"].options == () and cls.fields["owner"].target_class_id is None


def test_re_applying_adds_options_and_never_drops_one(leads: QB) -> None:
    before = option_ids(leads, "priority")
    changed = {**LEAD, "fields": {**LEAD_FIELDS, "priority": {"type": "Option", "options": [
        {"text": "High", "color": "#00FF00"}, "Urgent"]}}}
    leads.apply_class([changed, DEAL])
    options = lead_class(leads).fields["priority"].options
    # "Low" was left out of the file: kept, with its id; "High" keeps its id and takes the new colour.
    assert [(o.text, o.id) for o in options][:2] == [("Low", before["Low"]), ("High", before["High"])]
    assert [o.text for o in options] == ["Low", "High", "Urgent"]
    assert options[1].color == 0xFF00FF00
    event = [e for e in leads.events("Lead") if e.kind == "class.updated"][-1]
    assert [o["text"] for o in event.new["options"]["priority"]] == ["Low", "High", "Urgent"]


def test_a_record_field_must_name_a_class_and_keeps_it(qb: QB) -> None:
    with pytest.raises(ValidationError) as raised:
        qb.apply_class({"name": "A", "fields": {"b": {"type": "Record", "class": "Missing"}}})
    assert set(raised.value.field_errors) == {"b"}
    assert qb.services.classes.list_classes(qb.admin) == []
    qb.apply_class([{"name": "A", "fields": {"b": {"type": "Record", "class": "B"}}},
                    {"name": "B", "fields": {}}, {"name": "C", "fields": {}}])
    with pytest.raises(ConflictError):
        qb.apply_class({"name": "A", "fields": {"b": {"type": "Record", "class": "C"}}})


def test_values_are_cast_and_checked_on_create(leads: QB) -> None:
    writer = user_actor(leads, "writer")
    other = leads.make_user("other")
    deal = create(leads, writer, {"amount": 5}, "Deal")
    ids = option_ids(leads, "labels")
    record = create(leads, writer, {"title": "t", "priority": "High", "labels": ["new", str(ids["hot"])],
                                    "owner": str(other), "watchers": [other, writer.user_id],
                                    "deal": deal.seq, "related": []})
    assert record.values["priority"] == option_ids(leads, "priority")["High"]
    # Plural values keep their order.
    assert record.values["labels"] == [ids["new"], ids["hot"]]
    assert record.values["watchers"] == [other, writer.user_id]
    assert (record.values["owner"], record.values["deal"]) == (other, deal.seq)
    linked = create(leads, writer, {"related": [record.seq]})
    assert linked.values["related"] == [record.seq]


@pytest.mark.parametrize(("values", "message"), [
    ({"priority": "Medium"}, "priority has no option 'Medium'"),
    ({"priority": 999999}, "priority has no option 999999"),
    ({"priority": True}, "priority is not an option id or text"),
    ({"labels": ["hot", "warm"]}, "labels has an element that has no option 'warm'"),
    ({"owner": 99999999}, "owner is not a user of this app (99999999)"),
    ({"owner": "someone"}, "owner is not a user id"),
    ({"watchers": [99999998]}, "watchers is not a user of this app (99999998)"),
    ({"deal": 99999997}, "deal is not a record of Deal you can read (99999997)"),
    ({"related": ["x"]}, "related has an element that is not a record id"),
])
def test_bad_references_fail_the_write_and_change_nothing(leads: QB, values: dict[str, Any], message: str) -> None:
    writer = user_actor(leads, "writer")
    events_before = len(leads.events())
    with pytest.raises(ValidationError) as raised:
        create(leads, writer, values)
    assert field_errors(raised.value) == {next(iter(values)): [message]}
    assert leads.count("Lead") == 0 and len(leads.events()) == events_before


def test_a_user_of_another_app_is_not_a_user_of_this_one(leads: QB) -> None:
    other_app = leads.services.apps.create_app("other")
    stranger = leads.services.users.create_user(Actor.admin(other_app.app_id),
                                                NewUser({"login": "stranger"}, "password1", ()))
    with pytest.raises(ValidationError) as raised:
        create(leads, user_actor(leads, "writer"), {"owner": stranger.id})
    assert "owner is not a user of this app" in field_errors(raised.value)["owner"][0]


def test_a_record_the_actor_cannot_read_cannot_be_referenced(leads: QB) -> None:
    alice, bob = user_actor(leads, "alice"), user_actor(leads, "bob")
    private = create(leads, alice, {"amount": 1}, "Deal", read=Permission(Access.OWNER))
    with pytest.raises(ValidationError) as raised:
        create(leads, bob, {"deal": private.seq})
    assert field_errors(raised.value) == {"deal": [f"deal is not a record of Deal you can read ({private.seq})"]}
    # A record of another class is not one of the target class either.
    lead = create(leads, alice, {"title": "x"})
    with pytest.raises(ValidationError):
        create(leads, alice, {"deal": lead.seq})
    assert create(leads, alice, {"deal": private.seq}).values["deal"] == private.seq


def test_batches_name_the_failing_item(leads: QB) -> None:
    writer = user_actor(leads, "writer")
    items = [NewRecord({"owner": writer.user_id}), NewRecord({"owner": 99999999})]
    with pytest.raises(ValidationError) as raised:
        leads.services.records.create_records(writer, "Lead", items)
    assert set(raised.value.field_errors) == {"record[1].owner"}
    assert leads.count("Lead") == 0


def test_updates_are_checked_too(leads: QB) -> None:
    writer = user_actor(leads, "writer")
    record = create(leads, writer, {"priority": "Low", "labels": ["hot"]})
    ids = option_ids(leads, "labels")
    records = leads.services.records
    updated = records.update_records(writer, "Lead", [RecordChange(record.id, [
        FieldChange("priority", "set", "High"), FieldChange("labels", "push", ["cold", "new"])])]).records[0]
    assert updated.values["priority"] == option_ids(leads, "priority")["High"]
    assert updated.values["labels"] == [ids["hot"], ids["cold"], ids["new"]]
    for change in (FieldChange("owner", "set", 99999999), FieldChange("labels", "push", ["warm"]),
                   FieldChange("watchers", "push", [99999999])):
        with pytest.raises(ValidationError) as raised:
            records.update_records(writer, "Lead", [RecordChange(record.id, [change])])
        assert set(raised.value.field_errors) == {change.field}
    assert records.get_records(writer, "Lead", [record.id]).records[0].values == updated.values


@pytest.fixture
def filtered(leads: QB) -> tuple[QB, Actor, list[Any]]:
    writer = user_actor(leads, "writer")
    other = leads.make_user("other")
    deals = [create(leads, writer, {"amount": n}, "Deal") for n in (1, 2)]
    rows = [
        {"title": "a", "priority": "Low", "labels": ["hot", "new"], "owner": other, "deal": deals[0].seq,
         "watchers": [other]},
        {"title": "b", "priority": "High", "labels": ["cold"], "owner": writer.user_id, "deal": deals[1].seq},
        {"title": "c", "labels": ["hot"]},
    ]
    return leads, writer, [create(leads, writer, row) for row in rows] + deals


def titles(qb: QB, actor: Actor, where: ast.Node) -> list[str]:
    found = qb.services.records.find_records(actor, "Lead", ast.Query(where=where, sort=(ast.SortKey("title"),)))
    return [r.values["title"] for r in found.records]


def test_filters_on_reference_fields(filtered: tuple[QB, Actor, list[Any]]) -> None:
    qb, writer, (a, b, _c, deal1, _deal2) = filtered
    hot, new = option_ids(qb, "labels")["hot"], option_ids(qb, "labels")["new"]
    assert titles(qb, writer, ast.Compare("priority", "eq", "High")) == ["b"]
    assert titles(qb, writer, ast.Compare("priority", "eq", str(option_ids(qb, "priority")["Low"]))) == ["a"]
    assert titles(qb, writer, ast.Compare("priority", "ne", "High")) == ["a", "c"]
    assert titles(qb, writer, ast.In("priority", ("Low", "High"))) == ["a", "b"]
    assert titles(qb, writer, ast.In("priority", ("High",), negate=True)) == ["a", "c"]
    assert titles(qb, writer, ast.Compare("labels", "eq", ("hot", "new"))) == ["a"]
    assert titles(qb, writer, ast.ArrayHas("labels", (hot, "cold"), mode="any")) == ["a", "b", "c"]
    assert titles(qb, writer, ast.Compare("labels", "eq", new)) == ["a"]
    assert titles(qb, writer, ast.Compare("owner", "eq", writer.user_id)) == ["b"]
    assert titles(qb, writer, ast.Compare("deal", "eq", deal1.seq)) == ["a"]
    assert titles(qb, writer, ast.In("deal", (deal1.seq, None))) == ["a", "c"]
    assert titles(qb, writer, ast.Compare("watchers", "eq", (a.user_id,))) == []
    assert titles(qb, writer, ast.In("related", (b.seq,))) == []
    with pytest.raises(ValidationError):
        titles(qb, writer, ast.Compare("priority", "eq", "Nope"))
    with pytest.raises(ValidationError):
        titles(qb, writer, ast.Compare("priority", "gt", "Low"))


def test_option_operations_keep_ids(leads: QB) -> None:
    options = leads.services.options
    added = options.add_option(leads.admin, "Lead", "priority", "Urgent", 0xFF112233)
    assert (added.text, added.color, added.position) == ("Urgent", 0xFF112233, 2)
    renamed = options.change_option(leads.admin, "Lead", "priority", added.id, text="Critical")
    assert (renamed.id, renamed.text, renamed.color) == (added.id, "Critical", 0xFF112233)
    ids = option_ids(leads, "priority")
    order = [ids["Critical"], ids["Low"], ids["High"]]
    assert [o.id for o in options.reorder_options(leads.admin, "Lead", "priority", order)] == order
    assert [o.id for o in lead_class(leads).fields["priority"].options] == order
    # Writes by the new text find the same option.
    record = create(leads, user_actor(leads, "w"), {"priority": "Critical"})
    assert record.values["priority"] == added.id
    assert [e.kind for e in leads.events("Lead")][-3:] == ["class.updated"] * 3


@pytest.mark.parametrize(("call", "error"), [
    (lambda o, a: o.add_option(a, "Lead", "priority", "Low"), ConflictError),
    (lambda o, a: o.add_option(a, "Lead", "priority", ""), ValidationError),
    (lambda o, a: o.add_option(a, "Lead", "priority", "x", -1), ValidationError),
    (lambda o, a: o.add_option(a, "Lead", "title", "x"), ValidationError),
    (lambda o, a: o.add_option(a, "Lead", "nope", "x"), NotFoundError),
    (lambda o, a: o.change_option(a, "Lead", "priority", 99999999, text="x"), NotFoundError),
    (lambda o, a: o.reorder_options(a, "Lead", "priority", [1]), ValidationError),
    (lambda o, a: o.delete_option(a, "Lead", "priority", 99999999), NotFoundError),
])
def test_bad_option_operations_change_nothing(leads: QB, call: Any, error: type[Exception]) -> None:
    before = lead_class(leads)
    with pytest.raises(error):
        call(leads.services.options, leads.admin)
    assert lead_class(leads).fields == before.fields


def test_only_the_administrator_manages_options(leads: QB) -> None:
    with pytest.raises(PermissionDeniedError):
        leads.services.options.add_option(user_actor(leads, "u"), "Lead", "priority", "x")


def test_an_option_in_use_is_deleted_only_when_cleared(filtered: tuple[QB, Actor, list[Any]]) -> None:
    qb, writer, (a, _b, c, _d1, _d2) = filtered
    options = qb.services.options
    hot, low = option_ids(qb, "labels")["hot"], option_ids(qb, "priority")["Low"]
    with pytest.raises(ConflictError) as raised:
        options.delete_option(qb.admin, "Lead", "labels", hot)
    assert raised.value.code == "option_in_use" and raised.value.details["records"] == 2
    assert hot in option_ids(qb, "labels").values()
    events_before = len(qb.events())
    assert options.delete_option(qb.admin, "Lead", "labels", hot, clear=True) == 2
    assert options.delete_option(qb.admin, "Lead", "priority", low, clear=True) == 1
    assert "hot" not in option_ids(qb, "labels") and "Low" not in option_ids(qb, "priority")
    found = {r.id: r.values for r in qb.services.records.get_records(writer, "Lead", [a.id, c.id]).records}
    assert found[a.id]["labels"] == [option_ids(qb, "labels")["new"]] and found[a.id]["priority"] is None
    assert found[c.id]["labels"] == []
    kinds = [e.kind for e in qb.events()[events_before:]]
    assert kinds.count("record.updated") == 3 and kinds.count("class.updated") == 2
    # An unused option goes without asking.
    unused = options.add_option(qb.admin, "Lead", "labels", "unused")
    assert options.delete_option(qb.admin, "Lead", "labels", unused.id) == 0
    assert "unused" not in option_ids(qb, "labels")


def test_a_class_other_classes_refer_to_is_not_deleted(leads: QB) -> None:
    with pytest.raises(ConflictError) as raised:
        leads.services.classes.delete_class(leads.admin, "Deal")
    assert raised.value.code == "class_referenced" and raised.value.details["fields"] == ["Lead.deal"]
    # A class referring to itself only may go (and takes its references with it).
    leads.services.classes.delete_class(leads.admin, "Lead")
    leads.services.classes.delete_class(leads.admin, "Deal")
    assert leads.services.classes.list_classes(leads.admin) == []
