"""Access control as data: class and record ACLs, the check for one record, and the filter for many.

A list, count or aggregate must never reveal a record the actor may not read, so the check for
many records is a query-AST predicate that storage compiles into the SQL WHERE clause.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping

from objectbase.core.actor import Actor
from objectbase.core.errors import ValidationError
from objectbase.core.query import ast
from objectbase.core.storable import check_storable

__all__ = [
    "ACCESS_VALUES",
    "ACTION_VALUES",
    "Access",
    "Action",
    "ClassPermissions",
    "DEFAULT_CLASS_PERMISSIONS",
    "DEFAULT_RECORD_PERMISSIONS",
    "Permission",
    "RECORD_ACTIONS",
    "RecordPermissions",
    "acl_filter",
    "class_allows",
    "is_allowed",
    "merge_record_permissions",
    "validate_permission",
]


class Action(str, enum.Enum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


RECORD_ACTIONS = (Action.READ, Action.UPDATE, Action.DELETE)


class Access(str, enum.Enum):
    """Who may: anyone, the owner, nobody, the listed users, or users in the listed groups (tags).

    The values are stored; each dialect maps its own names to them."""

    OPEN = "open"
    OWNER = "owner"
    NOT_ALLOWED = "not_allowed"
    USERS = "users"
    GROUPS = "groups"


# An enum member's `.value` is a descriptor call; what runs for every record written reads these.
ACTION_VALUES = {action: action.value for action in Action}
ACCESS_VALUES = {access: access.value for access in Access}


@dataclass(frozen=True)
class Permission:
    access: Access
    # User ids (as decimal strings) for USERS, group names (user tags) for GROUPS.
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
        if self.access is Access.USERS:
            return str(actor.user_id) in self.members
        if self.access is Access.GROUPS:
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

def validate_permission(permission: Permission, field_name: str, *, record_level: bool) -> Permission:
    """The rules every permission obeys, whichever dialect or file it was read from."""
    check_storable(field_name, permission.members)
    if record_level and permission.access is Access.NOT_ALLOWED:
        raise ValidationError.single(field_name, "invalid", "cannot be not_allowed on a record")
    if permission.access is Access.USERS and not all(m.isdigit() for m in permission.members):
        raise ValidationError.single(field_name, "invalid", "ids must be user ids (integers)")
    return permission


def merge_record_permissions(base: RecordPermissions, sent: Mapping[Action, Permission] | None) -> RecordPermissions:
    """A record's ACL: the actions sent, over `base` (the defaults on create, the current ACL on update)."""
    merged = dict(base)
    for action, permission in (sent or {}).items():
        if action not in RECORD_ACTIONS:
            raise ValidationError.single(f"permissions.{action.value}", "invalid", "is not an action on records")
        merged[action] = validate_permission(permission, f"permissions.{action.value}", record_level=True)
    return merged


def is_allowed(actor: Actor, action: Action, class_permissions: ClassPermissions,
               owner_id: int | None = None, record_acl: RecordPermissions | None = None) -> bool:
    if actor.bypasses_acl:
        return True
    if record_acl is not None and class_permissions.applies_to_records(action):
        return record_acl[action].allows(actor, owner_id)
    return class_permissions.acl[action].allows(actor, owner_id)


# acl_filter's answers by (permissions object, action, who): one object per actor and class, so a
# request rebuilds nothing and storage/shapes.py can reuse the object's split by identity. Keyed by
# the permissions' identity and holding the object, so a changed class (a new object) never hits.
_ACL_FILTERS: dict[tuple[Any, ...], tuple[ClassPermissions, ast.Node]] = {}
_MOST_ACL_FILTERS = 4096


def acl_filter(actor: Actor, action: Action, class_permissions: ClassPermissions) -> ast.Node:
    """The predicate a multi-record read or write adds so that only permitted records match."""
    if actor.bypasses_acl:
        return ast.TRUE
    key = (id(class_permissions), action, actor.kind, actor.user_id, actor.user_tags)
    hit = _ACL_FILTERS.get(key)
    if hit is not None and hit[0] is class_permissions:
        return hit[1]
    node = _acl_filter(actor, action, class_permissions)
    if len(_ACL_FILTERS) >= _MOST_ACL_FILTERS:
        _ACL_FILTERS.clear()
    _ACL_FILTERS[key] = (class_permissions, node)
    return node


def _acl_filter(actor: Actor, action: Action, class_permissions: ClassPermissions) -> ast.Node:
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
        branches.append(ast.And((ast.Compare(access, "eq", Access.USERS.value),
                                 ast.ArrayHas(members, (str(actor.user_id),), mode="any"))))
        if actor.user_tags:
            branches.append(ast.And((ast.Compare(access, "eq", Access.GROUPS.value),
                                     ast.ArrayHas(members, tuple(sorted(actor.user_tags)), mode="any"))))
    return ast.Or(tuple(branches))


def class_allows(actor: Actor, action: Action, class_permissions: ClassPermissions) -> bool:
    """Whether the actor may do `action` on some records of a class: the class ACL decides, or,
    where record ACLs apply, some record may allow it (writes still need a user, as records do)."""
    if actor.bypasses_acl:
        return True
    if action is not Action.READ and not actor.acts_as_user:
        return False
    return class_permissions.applies_to_records(action) or class_permissions.acl[action].allows(actor, None)
