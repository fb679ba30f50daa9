"""Checks on write that User and Record fields name what exists: a user of the app, a record of the
target class that the actor may read. (Option ids are checked by casting: the type has the options.)"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from objectbase.core.actor import Actor
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.permissions import Action, acl_filter
from objectbase.core.schema import ClassDef, FieldDef, element_type
from objectbase.core.unit_of_work import ReferenceRows

__all__ = ["check_references", "checked_fields", "referenced_ids", "references_of"]

_MAX_USER_ID = 2**31 - 1


def references_of(field: FieldDef, value: Any) -> list[int]:
    """The ids one stored value names, in its order (none for null)."""
    if value is None:
        return []
    return list(value) if field.type.is_array else [value]


def referenced_ids(field: FieldDef, values: Iterable[Any]) -> set[int]:
    """Every id the field's values name."""
    return {item for value in values for item in references_of(field, value)}


def checked_fields(cls: ClassDef) -> list[FieldDef]:
    """The fields whose values must name something that exists: User and Record fields."""
    return [f for f in cls.fields.values() if element_type(f.type).name in ("User", "Record")]


def _missing(actor: Actor, tx: ReferenceRows, classes: Sequence[ClassDef], field: FieldDef,
             ids: set[int]) -> tuple[set[int], str]:
    """The ids that name nothing the field may point at, and how to say so."""
    if element_type(field.type).name == "User":
        # User ids are 32-bit in storage: a larger one names no user (and must not reach SQL).
        candidates = {i for i in ids if i <= _MAX_USER_ID}
        return ids - tx.select_user_ids(actor.app_id, candidates), "is not a user of this app"
    target = next((c for c in classes if c.id == field.target_class_id), None)
    if target is None:
        return ids, "refers to a class that no longer exists"
    readable = tx.select_records_by_seq(target, ids, acl_filter(actor, Action.READ, target.permissions))
    return ids - {r.seq for r in readable}, f"is not a record of {target.name} you can read"


def check_references(actor: Actor, tx: ReferenceRows, classes: Sequence[ClassDef], cls: ClassDef,
                     items: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Each item is (error key prefix, values written); a value naming nothing fails the write, the
    error naming the field. One lookup per field for the whole batch."""
    errors: dict[str, list[FieldError]] = {}
    for field in checked_fields(cls):
        written = [(prefix, values[field.name]) for prefix, values in items if values.get(field.name) is not None]
        if not written:
            continue
        missing, message = _missing(actor, tx, classes, field, referenced_ids(field, (v for _, v in written)))
        for prefix, value in written:
            bad = sorted(referenced_ids(field, [value]) & missing)
            if bad:
                errors[prefix + field.name] = [FieldError(
                    "invalid", f"{field.name} {message} ({', '.join(map(str, bad))})")]
    if errors:
        raise ValidationError(errors)
