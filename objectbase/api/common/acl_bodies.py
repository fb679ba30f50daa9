"""Permission objects as JSON writes them, `{"access": <name>, <members key>: [...]}`, -> core `Permission`s.

QuickBlox's wire and the class file format share this shape; each declares its own vocabulary (access
names and the keys that list members), so neither is bound to the other's spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from objectbase.core.errors import ValidationError
from objectbase.core.permissions import Access, Permission, validate_permission

__all__ = ["AclVocabulary", "parse_permission"]

# Splits a members value (a list, or a comma-joined string); None when an item is not text.
MemberReader = Callable[[Any], "tuple[str, ...] | None"]


@dataclass(frozen=True)
class AclVocabulary:
    # Wire name -> access level.
    access_names: Mapping[str, Access]
    # Access level -> keys that may hold its members, first found wins.
    member_keys: Mapping[Access, tuple[str, ...]]
    read_members: MemberReader

    def name_of(self, access: Access) -> str:
        return next(name for name, level in self.access_names.items() if level is access)


def _members(vocabulary: AclVocabulary, raw: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, ...] | None:
    for key in keys:
        if key in raw and raw[key] is not None:
            return vocabulary.read_members(raw[key])
    return None


def parse_permission(raw: Any, vocabulary: AclVocabulary, *, field_name: str,
                     record_level: bool) -> Permission | None:
    """One action's permission; None when the body leaves it to the default (`{}`, no access)."""
    if raw is None or raw == {} or raw == "":
        return None
    if not isinstance(raw, Mapping):
        raise ValidationError.single(field_name, "invalid", "must be an object with an access level")
    access_text = raw.get("access")
    if access_text in (None, ""):
        return None
    access = vocabulary.access_names.get(access_text) if isinstance(access_text, str) else None
    if access is None:
        raise ValidationError.single(
            field_name, "invalid", f"has an unknown access level; use one of {', '.join(vocabulary.access_names)}",
        )
    members: tuple[str, ...] = ()
    if access in vocabulary.member_keys:
        found = _members(vocabulary, raw, vocabulary.member_keys[access])
        if found is None:
            noun = "ids" if access is Access.USERS else "groups"
            raise ValidationError.single(field_name, "invalid",
                                         f"needs a list of {noun} for {vocabulary.name_of(access)}")
        members = found
    return validate_permission(Permission(access, members), field_name, record_level=record_level)
