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
