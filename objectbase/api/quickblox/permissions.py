"""QuickBlox record ACLs (contract §4.4): the request body's `permissions` and their rendering."""

from __future__ import annotations

from typing import Any, Mapping

from objectbase.api.common.acl_bodies import AclVocabulary, parse_permission
from objectbase.api.common.lists import comma_list
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.identity_cache import IdentityCache
from objectbase.core.permissions import RECORD_ACTIONS, Access, Action, Permission, RecordPermissions

__all__ = ["QUICKBLOX_ACL", "parse_record_permissions", "render_permissions"]

# The seeds spell the groups key `user_groups`; the 2017 Swagger says `users_groups`. Both are read,
# `user_groups` is written.
GROUPS_KEY = "user_groups"
USERS_KEY = "users_ids"
QUICKBLOX_ACL = AclVocabulary(
    access_names={"open": Access.OPEN, "owner": Access.OWNER, "not_allowed": Access.NOT_ALLOWED,
                  "open_for_users_ids": Access.USERS, "open_for_groups": Access.GROUPS},
    member_keys={Access.USERS: ("ids", USERS_KEY), Access.GROUPS: ("groups", GROUPS_KEY, "users_groups")},
    read_members=comma_list,
)
_RENDERED_MEMBERS = {Access.USERS: USERS_KEY, Access.GROUPS: GROUPS_KEY}


def parse_record_permissions(raw: Any) -> dict[Action, Permission] | None:
    """The actions a request's `permissions` sets; the core keeps the others as they are (or the defaults)."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, Mapping):
        raise ValidationError({"permissions": [FieldError("invalid", "must be an object")]})
    sent: dict[Action, Permission] = {}
    for action in RECORD_ACTIONS:
        permission = parse_permission(raw.get(action.value), QUICKBLOX_ACL, field_name=f"permissions.{action.value}",
                                      record_level=True)
        if permission is not None:
            sent[action] = permission
    return sent


def _permission(permission: Permission) -> dict[str, Any]:
    body: dict[str, Any] = {"access": QUICKBLOX_ACL.name_of(permission.access)}
    if key := _RENDERED_MEMBERS.get(permission.access):
        body[key] = list(permission.members)
    return body


def _render_permissions(acl: RecordPermissions) -> dict[str, Any]:
    return {action.value: _permission(permission) for action, permission in acl.items()}


# A record's `permissions` body (not to be changed by the caller): most records share their ACL
# object, so most reads find it here (W2 in-process: a twentieth of the request).
render_permissions = IdentityCache(_render_permissions)
