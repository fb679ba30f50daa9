"""Class files are parsed outside the core, against the reserved words of every dialect."""

from __future__ import annotations

import pytest

from objectbase.api.common.class_files import parse_class_specs
from objectbase.api.field_names import RESERVED_FIELD_NAMES, read_class_file
from objectbase.api.quickblox.field_names import RESERVED_FIELD_NAMES as QUICKBLOX_RESERVED
from objectbase.core.errors import ValidationError
from objectbase.core.permissions import Access, Action, Permission


def test_every_dialects_words_are_reserved() -> None:
    assert QUICKBLOX_RESERVED <= RESERVED_FIELD_NAMES
    with pytest.raises(ValidationError) as raised:
        read_class_file({"name": "T", "fields": {"search_criteria": "String", "Inc": "Integer"}})
    assert {k: [e.code for e in v] for k, v in raised.value.field_errors.items()} == {
        "fields.search_criteria": ["reserved_name"], "fields.Inc": ["reserved_name"]}


def test_the_reserved_set_is_the_callers() -> None:
    spec = {"name": "T", "fields": {"inc": "Integer", "hits": "Integer"}}
    # No dialect's words are built into the parser: with none reserved, `inc` is a field like any other.
    (parsed,) = parse_class_specs(spec, reserved_names=frozenset())
    assert [f.name for f in parsed.fields] == ["inc", "hits"]
    with pytest.raises(ValidationError) as raised:
        parse_class_specs(spec, reserved_names=frozenset({"hits"}))
    assert set(raised.value.field_errors) == {"fields.hits"}


def test_access_names_become_neutral_levels() -> None:
    (spec,) = read_class_file({"name": "T", "fields": {"n": "String"}, "permissions": {
        "read": {"access": "open_for_groups", "user_groups": "golf, tennis"},
        "update": {"access": "open_for_users_ids", "ids": [3, "12"]}, "delete": {"access": "not_allowed"}}})
    assert spec.permissions.acl[Action.READ] == Permission(Access.GROUPS, ("golf", "tennis"))
    assert spec.permissions.acl[Action.UPDATE] == Permission(Access.USERS, ("3", "12"))
    assert spec.permissions.acl[Action.DELETE] == Permission(Access.NOT_ALLOWED)
    assert spec.permissions.acl[Action.CREATE] == Permission(Access.OPEN)


def test_reference_fields_by_string_and_by_object() -> None:
    (spec,) = read_class_file({"name": "Lead", "fields": {
        "stage": {"type": "Option", "options": ["New", {"text": "Won", "color": "#00FF00"},
                                                {"text": "Lost", "color": "#80FF0000"}, {"text": "Odd", "color": 7}]},
        "tags": {"type": "Option[]", "options": ["a"]}, "bare": {"type": "Option"},
        "owner": {"type": "User"}, "team": "User[]", "deal": {"type": "Record", "class": "Deal"},
        "deals": {"type": "Record[]", "class": "Deal"}}})
    fields = {f.name: f for f in spec.fields}
    assert [(o.text, o.color) for o in fields["stage"].options] == [
        ("New", None), ("Won", 0xFF00FF00), ("Lost", 0x80FF0000), ("Odd", 7)]
    assert fields["bare"].options == ()
    assert {n: f.type.name for n, f in fields.items()} == {
        "stage": "Option", "tags": "Option[]", "bare": "Option", "owner": "User", "team": "User[]",
        "deal": "Record", "deals": "Record[]"}
    assert (fields["deal"].target, fields["deals"].target, fields["owner"].target) == ("Deal", "Deal", None)


@pytest.mark.parametrize("field", [
    {"type": "Option", "options": "a,b"},
    {"type": "Option", "options": ["a", "a"]},
    {"type": "Option", "options": [""]},
    {"type": "Option", "options": [{"text": "a", "color": "red"}]},
    {"type": "Option", "options": [{"text": "a", "color": -1}]},
    {"type": "Option", "options": [{"text": "a", "color": 2**32}]},
    {"type": "Record"},
    {"type": "Record", "class": "no such; name"},
    {"type": "User", "class": "Deal"},
    {"type": "String", "options": ["a"]},
    {"type": "Reference"},
])
def test_bad_reference_fields_name_the_field(field: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as raised:
        read_class_file({"name": "Lead", "fields": {"f": field}})
    assert [key.split(".")[:2] for key in raised.value.field_errors] == [["fields", "f"]]
