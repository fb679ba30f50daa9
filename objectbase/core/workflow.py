"""Workflow rules every dialect shares: which records a read sees (archive, trash), which state a
record starts in, which state changes are allowed, and that archived or removed records are frozen.

The record service applies them (core/records.py); the state catalogue itself is the class
service's (core/classes.py)."""

from __future__ import annotations

from typing import Any, Mapping

from objectbase.core.actor import Actor
from objectbase.core.errors import ConflictError, FieldError, PermissionDeniedError, ValidationError
from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef

__all__ = ["by_id_filter", "check_state_move", "initial_state", "is_admin", "refuse_disabled", "refuse_frozen",
           "refuse_removed", "require_admin", "require_fields", "visibility_filter"]

_ARCHIVED = ast.RecordMark("archived_at")
_REMOVED = ast.RecordMark("removed_at")


def is_admin(actor: Actor) -> bool:
    """The app's administrator: its server API key, or a user created as an admin."""
    return actor.bypasses_acl or actor.is_app_admin_user


def require_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise PermissionDeniedError("Only the app's administrators may do this", code="admin_only")


def _marked(mark: ast.RecordMark, inclusion: ast.Inclusion) -> ast.Node:
    if inclusion == "include":
        return ast.TRUE
    if inclusion == "only":
        return ast.Not(ast.IsNull(mark))
    return ast.IsNull(mark)


def visibility_filter(actor: Actor, archived: ast.Inclusion = "exclude",
                      removed: ast.Inclusion = "exclude") -> ast.Node:
    """The predicate every list, count, aggregate and related read adds (next to the ACL filter):
    archived records only when asked for; removed ones (the trash) only when an admin asks."""
    if removed != "exclude":
        require_admin(actor)
    return ast.conjoin(_marked(_ARCHIVED, archived), _marked(_REMOVED, removed))


def by_id_filter(actor: Actor) -> ast.Node:
    """A read by id finds archived records; removed ones only for an admin (others: not found)."""
    return visibility_filter(actor, "include", "include" if is_admin(actor) else "exclude")


def refuse_removed(record: Record) -> None:
    if record.removed_at is not None:
        raise ConflictError("record is removed", code="record_removed")


def refuse_frozen(record: Record) -> None:
    """An archived or removed record's values and state cannot change."""
    refuse_removed(record)
    if record.archived_at is not None:
        raise ConflictError("record is archived", code="record_archived")


def refuse_disabled(cls: ClassDef) -> None:
    """A disabled class keeps its records (readable, changeable) but takes no new ones."""
    if cls.disabled:
        raise ValidationError({"class": [FieldError("class_disabled", f"{cls.name} is disabled")]},
                              f"{cls.name} is disabled: it takes no new records", code="class_disabled")


def _state_error(code: str, message: str) -> ValidationError:
    return ValidationError({"state": [FieldError(code, message)]}, message, code=code)


def _require_state_of(cls: ClassDef, state_id: int) -> None:
    if not cls.states:
        raise _state_error("class_without_states", f"{cls.name} has no states")
    if cls.state(state_id) is None:
        raise _state_error("state_not_in_class", f"is not a state of {cls.name}")


def require_fields(cls: ClassDef, values: Mapping[str, Any]) -> None:
    """Every required field has a value (before a record enters a state other than the first)."""
    missing = [f.name for f in cls.fields.values() if f.required and values.get(f.name) is None]
    if missing:
        error = ValidationError({name: [FieldError("blank", f"{name} is required")] for name in missing},
                                f"Required fields have no value: {', '.join(missing)}", code="required_fields_missing")
        error.details = {"fields": missing}
        raise error


def initial_state(cls: ClassDef, requested: int | None, values: Mapping[str, Any]) -> int | None:
    """The state a new record starts in: the requested one (a non-first state needs the required
    fields), else the class's first; None for a class without states."""
    if requested is None:
        return cls.states[0].id if cls.states else None
    _require_state_of(cls, requested)
    if requested != cls.states[0].id:
        require_fields(cls, values)
    return requested


def check_state_move(cls: ClassDef, record: Record, target: int) -> None:
    """Refuse a move to a state not of the class, to the current state, one the current state does
    not allow (a state without a transition list allows any move), or with a required field empty."""
    _require_state_of(cls, target)
    if target == record.state_id:
        raise _state_error("state_unchanged", "is the record's current state")
    current = cls.state(record.state_id) if record.state_id is not None else None
    if current is not None and current.transitions and target not in current.transitions:
        raise _state_error("transition_not_allowed", f"{current.name} does not move to this state")
    require_fields(cls, record.values)
