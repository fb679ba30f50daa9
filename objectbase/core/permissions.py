"""Access control as data: class and record ACLs, the check for one record, and the filter for many.

A list, count or aggregate must never reveal a record the actor may not read, so the check for
many records is a query-AST predicate that storage compiles into the SQL WHERE clause.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping

from objectbase.core.actor import Actor
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.query import ast

__all__ = [
    "Access",
    "Action",
    "ClassPermissions",
    "DEFAULT_CLASS_PERMISSIONS",
    "DEFAULT_RECORD_PERMISSIONS",
    "Permission",
    "RECORD_ACTIONS",
    "RecordPermissions",
    "acl_filter",
    "is_allowed",
    "parse_permission",
    "parse_record_permissions",
]


class Action(str, enum.Enum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


RECORD_ACTIONS = (Action.READ, Action.UPDATE, Action.DELETE)


class Access(str, enum.Enum):
    OPEN = "open"
    OWNER = "owner"
    NOT_ALLOWED = "not_allowed"
    OPEN_FOR_USERS_IDS = "open_for_users_ids"
    OPEN_FOR_GROUPS = "open_for_groups"


@dataclass(frozen=True)
class Permission:
    access: Access
    # User ids (as strings, as QuickBlox renders them) or group names (user tags).
    members: tuple[str, ...] = ()

    def allows(self, actor: Actor, owner_id: int | None) -> bool:
        if actor.bypasses_acl:
            return True
        if self.access is Access.OPEN:
            return True
        if not actor.acts_as_user or actor.user_id is None:
            return False
        if self.access is Access.OWNER:
            return owner_id == actor.user_id
        if self.access is Access.OPEN_FOR_USERS_IDS:
            return str(actor.user_id) in self.members
        if self.access is Access.OPEN_FOR_GROUPS:
            return not actor.user_tags.isdisjoint(self.members)
        return False


RecordPermissions = Mapping[Action, Permission]


@dataclass(frozen=True)
class ClassPermissions:
    acl: Mapping[Action, Permission]
    # Per action: when True the class ACL decides for every record and record ACLs are ignored.
    use_class: Mapping[Action, bool]

    def applies_to_records(self, action: Action) -> bool:
        return action is not Action.CREATE and not self.use_class.get(action, False)


DEFAULT_CLASS_PERMISSIONS = ClassPermissions(
    acl={Action.CREATE: Permission(Access.OPEN), Action.READ: Permission(Access.OPEN),
         Action.UPDATE: Permission(Access.OWNER), Action.DELETE: Permission(Access.OWNER)},
    use_class={Action.READ: False, Action.UPDATE: False, Action.DELETE: False},
)
DEFAULT_RECORD_PERMISSIONS: RecordPermissions = {
    Action.READ: Permission(Access.OPEN),
    Action.UPDATE: Permission(Access.OWNER),
    Action.DELETE: Permission(Access.OWNER),
}

_MEMBER_KEYS = {
    Access.OPEN_FOR_USERS_IDS: ("ids", "users_ids"),
    Access.OPEN_FOR_GROUPS: ("groups", "user_groups", "users_groups"),
}


def _members(raw: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, ...] | None:
    for key in keys:
        if key in raw and raw[key] is not None:
            value = raw[key]
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, list):
                items = [items]
            members: list[str] = []
            for item in items:
                if isinstance(item, (str, int)) and not isinstance(item, bool):
                    members.extend(p.strip() for p in str(item).split(",") if p.strip())
                else:
                    return None
            return tuple(dict.fromkeys(members))
    return None


def parse_permission(raw: Any, *, field_name: str, record_level: bool, default: Permission) -> Permission:
    """One action's permission from `{"access": ..., "ids"|"groups": ...}`; `{}` means the default."""
    if raw is None or raw == {} or raw == "":
        return default
    if not isinstance(raw, Mapping):
        raise ValidationError.single(field_name, "invalid", "must be an object with an access level")
    access_text = raw.get("access")
    if access_text in (None, ""):
        return default
    try:
        access = Access(access_text)
    except ValueError:
        raise ValidationError.single(
            field_name, "invalid", f"has an unknown access level; use one of {', '.join(a.value for a in Access)}",
        ) from None
    if record_level and access is Access.NOT_ALLOWED:
        raise ValidationError.single(field_name, "invalid", "cannot be not_allowed on a record")
    if access in _MEMBER_KEYS:
        members = _members(raw, _MEMBER_KEYS[access])
        if members is None:
            noun = "ids" if access is Access.OPEN_FOR_USERS_IDS else "groups"
            raise ValidationError.single(field_name, "invalid", f"needs a list of {noun} for {access.value}")
        if access is Access.OPEN_FOR_USERS_IDS and not all(m.isdigit() for m in members):
            raise ValidationError.single(field_name, "invalid", "ids must be user ids (integers)")
        return Permission(access, members)
    return Permission(access)


def parse_record_permissions(raw: Any, base: RecordPermissions = DEFAULT_RECORD_PERMISSIONS) -> RecordPermissions:
    """Record ACL from a request's `permissions`; actions not sent keep `base` (the defaults on create)."""
    if raw is None or raw == "":
        return dict(base)
    if not isinstance(raw, Mapping):
        raise ValidationError({"permissions": [FieldError("invalid", "must be an object")]})
    return {
        action: parse_permission(raw.get(action.value), field_name=f"permissions.{action.value}",
                                 record_level=True, default=base[action])
        for action in RECORD_ACTIONS
    }


def is_allowed(actor: Actor, action: Action, class_permissions: ClassPermissions,
               owner_id: int | None = None, record_acl: RecordPermissions | None = None) -> bool:
    if actor.bypasses_acl:
        return True
    if record_acl is not None and class_permissions.applies_to_records(action):
        return record_acl[action].allows(actor, owner_id)
    return class_permissions.acl[action].allows(actor, owner_id)


def acl_filter(actor: Actor, action: Action, class_permissions: ClassPermissions) -> ast.Node:
    """The predicate a multi-record read or write adds so that only permitted records match."""
    if actor.bypasses_acl:
        return ast.TRUE
    if not class_permissions.applies_to_records(action):
        permission = class_permissions.acl[action]
        if permission.access is Access.OWNER:
            return ast.Compare("user_id", "eq", actor.user_id) if actor.acts_as_user else ast.FALSE
        return ast.TRUE if permission.allows(actor, None) else ast.FALSE
    access = ast.AclAccess(action.value)
    branches: list[ast.Node] = [ast.Compare(access, "eq", Access.OPEN.value)]
    if actor.acts_as_user and actor.user_id is not None:
        members = ast.AclMembers(action.value)
        branches.append(ast.And((ast.Compare(access, "eq", Access.OWNER.value),
                                 ast.Compare("user_id", "eq", actor.user_id))))
        branches.append(ast.And((ast.Compare(access, "eq", Access.OPEN_FOR_USERS_IDS.value),
                                 ast.ArrayHas(members, (str(actor.user_id),), mode="any"))))
        if actor.user_tags:
            branches.append(ast.And((ast.Compare(access, "eq", Access.OPEN_FOR_GROUPS.value),
                                     ast.ArrayHas(members, tuple(sorted(actor.user_tags)), mode="any"))))
    return ast.Or(tuple(branches))
