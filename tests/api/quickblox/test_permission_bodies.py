"""QuickBlox ACL bodies -> the core's typed permissions, merged in the core, rendered back unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.api.quickblox.permissions import parse_record_permissions, render_permissions
from objectbase.core.errors import ValidationError
from objectbase.core.permissions import (
    DEFAULT_RECORD_PERMISSIONS, Access, Action, Permission, merge_record_permissions,
)


@pytest.mark.parametrize(("raw", "sent"), [
    (None, None),
    ("", None),
    ({}, {}),
    ({"read": {}}, {}),
    ({"read": {"access": ""}}, {}),
    ({"update": {"access": "open_for_users_ids", "users_ids": "3, 12,3"}},
     {Action.UPDATE: Permission(Access.USERS, ("3", "12"))}),
    ({"read": {"access": "open_for_groups", "users_groups": ["golf", "man,golf"]}},
     {Action.READ: Permission(Access.GROUPS, ("golf", "man"))}),
    ({"delete": {"access": "owner"}, "create": {"access": "open"}}, {Action.DELETE: Permission(Access.OWNER)}),
])
def test_only_the_actions_sent_are_parsed(raw: Any, sent: dict[Action, Permission] | None) -> None:
    assert parse_record_permissions(raw) == sent


@pytest.mark.parametrize(("raw", "field"), [
    ([], "permissions"),
    ({"read": {"access": "users"}}, "permissions.read"),  # the core's names are not QuickBlox's
    ({"read": {"access": "not_allowed"}}, "permissions.read"),
    ({"update": {"access": "open_for_users_ids", "ids": "bob"}}, "permissions.update"),
])
def test_bad_bodies_name_the_field(raw: Any, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_record_permissions(raw)
    assert set(raised.value.field_errors) == {field}


def test_sent_actions_merge_over_the_base() -> None:
    sent = {Action.READ: Permission(Access.GROUPS, ("golf",))}
    merged = merge_record_permissions(DEFAULT_RECORD_PERMISSIONS, sent)
    assert merged == {**DEFAULT_RECORD_PERMISSIONS, Action.READ: Permission(Access.GROUPS, ("golf",))}
    assert merge_record_permissions(merged, None) == merged
    with pytest.raises(ValidationError):
        merge_record_permissions(merged, {Action.CREATE: Permission(Access.OPEN)})
    with pytest.raises(ValidationError):
        merge_record_permissions(merged, {Action.UPDATE: Permission(Access.USERS, ("x",))})


def test_rendering_uses_quickblox_names() -> None:
    acl = {Action.READ: Permission(Access.OPEN), Action.UPDATE: Permission(Access.USERS, ("3", "12")),
           Action.DELETE: Permission(Access.GROUPS, ("golf",))}
    assert render_permissions(acl) == {
        "read": {"access": "open"}, "update": {"access": "open_for_users_ids", "users_ids": ["3", "12"]},
        "delete": {"access": "open_for_groups", "user_groups": ["golf"]}}
    assert parse_record_permissions(render_permissions(acl)) == acl
