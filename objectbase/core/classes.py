"""Classes (schemas): applied by the app's administrator, cached per worker with a version check."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any, Callable, Mapping, NoReturn, Protocol, Sequence

from objectbase.core.actor import Actor
from objectbase.core.errors import ConflictError, NeedUserError, NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.permissions import Access, Action, class_allows
from objectbase.core.fields.references import DEFAULT_OPTION_COLOR
from objectbase.core.query import ast
from objectbase.core.schema import (
    DEFAULT_STATE_COLOR, ClassDef, ClassSpec, FieldSpec, StateDef, StateSpec, validate_states,
)
from objectbase.core.unit_of_work import (
    AppRows, ClassRows, Committing, EventRows, OptionRows, RecordRows, Storage, writes,
)

__all__ = ["ClassReads", "ClassService", "ClassTransaction", "OnClassDelete", "class_snapshot", "require_admin"]


class ClassReads(ClassRows, AppRows, Protocol):
    """What reading classes needs (every service's transaction has it)."""


class ClassTransaction(Committing, ClassRows, OptionRows, AppRows, EventRows, RecordRows, Protocol):
    """What class management reads and writes (records: whether any is in a state to delete)."""


# Called inside the transaction that drops a class (e.g. to delete its files' bytes after commit).
OnClassDelete = Callable[[ClassTransaction, ClassDef], None]


def class_snapshot(cls: ClassDef | ClassSpec) -> dict[str, Any]:
    fields = cls.fields.values() if isinstance(cls, ClassDef) else cls.fields
    snapshot: dict[str, Any] = {
        "name": cls.name,
        "fields": {f.name: f.type.name for f in fields},
        "indexes": [f.name for f in fields if f.indexed],
        "required": [f.name for f in fields if f.required],
        "permissions": {a.value: {"access": p.access.value, "members": list(p.members)}
                        for a, p in cls.permissions.acl.items()},
        "use_class_permissions": {a.value: on for a, on in cls.permissions.use_class.items()},
        "states": [_state_snapshot(s) for s in (cls.state_specs() if isinstance(cls, ClassDef) else cls.states)],
    }
    if isinstance(cls, ClassDef):  # only a stored class has option ids and target class ids
        defs = cls.fields.values()
        if options := {f.name: [{"id": o.id, "text": o.text, "color": o.color} for o in f.options]
                       for f in defs if f.options}:
            snapshot["options"] = options
        if targets := {f.name: f.target_class_id for f in defs if f.target_class_id is not None}:
            snapshot["targets"] = targets
    return snapshot


def _state_snapshot(state: StateSpec) -> dict[str, Any]:
    # The colour only when it is not the default, so the class-file output of classes without
    # colours stays as it was.
    snapshot: dict[str, Any] = {"name": state.name, "transitions": list(state.transitions)}
    if state.color is not None and state.color != DEFAULT_STATE_COLOR:
        snapshot["color"] = state.color
    return snapshot


def _refuse_type_changes(current: ClassDef, spec: ClassSpec) -> None:
    # Stored values are of the old type; changing it would need a rewrite we never do implicitly.
    for field_spec in spec.fields:
        existing = current.fields.get(field_spec.name)
        if existing is not None and existing.type.name != field_spec.type.name:
            raise ConflictError(
                f"Field {field_spec.name} is {existing.type.name}; changing a field's type is not supported",
                code="field_type_change", details={"field": field_spec.name})


def _target_ids(specs: Sequence[ClassSpec], existing: Mapping[str, ClassDef]) -> None:
    """Every Record field names a class of the app (existing, or applied with it), and keeps it."""
    names = set(existing) | {s.name for s in specs}
    for spec in specs:
        for field_spec in spec.fields:
            if field_spec.target is None:
                continue
            if field_spec.target not in names:
                raise ValidationError.single(field_spec.name, "unknown_class",
                                             f"{field_spec.name} refers to {field_spec.target}, which is not a class")
            current = existing.get(spec.name)
            field_def = current.fields.get(field_spec.name) if current else None
            target = existing.get(field_spec.target)
            if field_def is not None and field_def.target_class_id not in (None, target.id if target else None):
                raise ConflictError(f"Field {field_spec.name} refers to another class; changing it is not supported",
                                    code="field_type_change", details={"field": field_spec.name})


def _add_options(tx: ClassTransaction, cls: ClassDef, spec: ClassSpec) -> None:
    """Options the spec names that the field lacks are appended; a given colour is updated. Options
    the spec leaves out are kept: records may use them (deleting one is an explicit operation)."""
    for field_spec in spec.fields:
        if not field_spec.options:
            continue
        field_def = cls.fields[field_spec.name]
        by_text = {o.text: o for o in field_def.options}
        for option in field_spec.options:
            known = by_text.get(option.text)
            if known is None:
                tx.insert_option(cls.id, field_def.id, option.text,
                                 DEFAULT_OPTION_COLOR if option.color is None else option.color)
            elif option.color is not None and option.color != known.color:
                tx.update_option(cls.id, known.id, {"color": option.color})


def require_admin(actor: Actor) -> None:
    if not actor.bypasses_acl:
        raise PermissionDeniedError("Only the app's administrator can change classes", code="admin_only")


def _removal_refused(field_name: str) -> ValidationError:
    return ValidationError.single(field_name, "field_removal", "removing a field is not supported")


def _spec_of(cls: ClassDef, fields: Sequence[FieldSpec] = ()) -> ClassSpec:
    """The class as a spec (keeping its permissions and states), with `fields` added or re-flagged."""
    current = [FieldSpec(f.name, f.type, f.indexed, f.required) for f in cls.fields.values()]
    given = {f.name: f for f in fields}
    merged = [given.pop(f.name, f) for f in current] + list(given.values())
    return ClassSpec(cls.name, tuple(merged), cls.permissions, cls.state_specs())



def _refuse_dropping_used_states(tx: ClassTransaction, cls: ClassDef, kept: set[str]) -> None:
    """A state some record is in cannot go: every record must stay in a state of its class."""
    for state in cls.states:
        if state.name not in kept:
            count = tx.count_records(cls, ast.Compare(ast.RecordMark("state_id"), "eq", state.id))
            if count:
                raise ConflictError("Records are in this state; move them first", code="state_in_use",
                                    details={"state": state.id, "records": count})


def _state_index(cls: ClassDef, state_id: int) -> int:
    for index, state in enumerate(cls.states):
        if state.id == state_id:
            return index
    raise NotFoundError("No state of this id in the class", code="state_not_found",
                        details={"class": cls.name, "state": state_id})


class ClassService:
    def __init__(self, storage: Storage[ClassTransaction]) -> None:
        self.storage = storage
        # app id -> (schema version, classes by name). Another worker's change bumps the app's
        # schema version, which every authentication reads, so a stale entry is never used.
        self._cache: dict[int, tuple[int, dict[str, ClassDef]]] = {}
        self._lock = threading.Lock()
        self.on_delete: list[OnClassDelete] = []

    def _classes(self, tx: ClassReads, app_id: int, version: int | None) -> dict[str, ClassDef]:
        cached = self._cache.get(app_id)
        if cached is not None and version is not None and cached[0] == version:
            return cached[1]
        app = tx.select_app(app_id)
        current_version = app.schema_version if app else 0
        classes = {c.name: c for c in tx.select_classes(app_id)}
        with self._lock:
            self._cache[app_id] = (current_version, classes)
        return classes

    def get_class(self, actor: Actor, name: str, tx: ClassReads | None = None) -> ClassDef:
        if tx is None:
            with self.storage.transaction(write=False) as own_tx:
                return self.get_class(actor, name, own_tx)
        cls = self._classes(tx, actor.app_id, actor.schema_version).get(name)
        if cls is None:
            raise NotFoundError("No class of this name exists", code="class_not_found", details={"class": name})
        return cls

    def get_classes(self, actor: Actor, tx: ClassReads) -> list[ClassDef]:
        """Every class of the actor's app (cascades look for children in all of them)."""
        return list(self._classes(tx, actor.app_id, actor.schema_version).values())

    def list_classes(self, actor: Actor) -> list[ClassDef]:
        with self.storage.transaction(write=False) as tx:
            return list(self._classes(tx, actor.app_id, None).values())

    def find_classes(self, actor: Actor) -> list[ClassDef]:
        """The classes whose records the actor may read (some or all of them), in creation order."""
        with self.storage.transaction(write=False) as tx:
            return [c for c in self._classes(tx, actor.app_id, actor.schema_version).values()
                    if class_allows(actor, Action.READ, c.permissions)]

    def get_readable_class(self, actor: Actor, name: str) -> ClassDef:
        """A class the actor may read records of (its schema is then no secret either)."""
        cls = self.get_class(actor, name)
        if not class_allows(actor, Action.READ, cls.permissions):
            if not actor.acts_as_user and cls.permissions.acl[Action.READ].access is not Access.NOT_ALLOWED:
                raise NeedUserError()  # a user might: the caller is only the application
            raise PermissionDeniedError("The actor may not read this class", code="permission_denied")
        return cls

    @writes
    def create_classes(self, actor: Actor, specs: Sequence[ClassSpec]) -> list[ClassDef]:
        """Create new classes only: a name already taken is a conflict, and nothing is created."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            taken = {c.name for c in tx.select_classes(actor.app_id)}
            for spec in specs:
                if spec.name in taken:
                    raise ConflictError("A class of this name already exists", code="class_exists",
                                        details={"class": spec.name})
            return self.apply_classes(actor, specs)

    @writes
    def add_fields(self, actor: Actor, changes: Mapping[str, Sequence[FieldSpec]], *,
                   complete: bool = False) -> list[ClassDef]:
        """Add fields to classes (or change their index/required flags), keeping everything else.
        `complete`: each list claims to be every field of its class; one left out would be a removal,
        which is refused (stored values are never dropped through this path)."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            specs = []
            for class_name, fields in changes.items():
                current = self.get_class(actor, class_name, tx)
                lowered = {n.lower(): n for n in current.fields}
                given = {f.name for f in fields}
                for spec in fields:
                    if spec.name not in current.fields and spec.name.lower() in lowered:
                        raise ValidationError.single(spec.name, "duplicate", "differs from another field only in case")
                if complete and (missing := [n for n in current.fields if n not in given]):
                    raise _removal_refused(missing[0])
                specs.append(_spec_of(current, fields))
            return self.apply_classes(actor, specs)

    def delete_field(self, actor: Actor, class_name: str, field_name: str) -> NoReturn:
        """Always refused for a field that exists: dropping a column would drop stored values, which
        no API does implicitly. (Kept here so every dialect gives the same answer.)"""
        require_admin(actor)
        cls = self.get_class(actor, class_name)
        if field_name not in cls.fields:
            raise NotFoundError("No field of this name exists", code="field_not_found",
                                details={"class": class_name, "field": field_name})
        raise _removal_refused(field_name)

    @writes
    def delete_class(self, actor: Actor, class_name: str) -> ClassDef:
        """Drop a class: its table and every record, in one transaction with a `class.deleted` event;
        `on_delete` hooks run inside it (files' bytes go after commit)."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            cls = self.get_class(actor, class_name, tx)
            # Their stored values would name records of a class that is gone.
            referring = [f"{c.name}.{f.name}" for c in tx.select_classes(actor.app_id) if c.id != cls.id
                         for f in c.fields.values() if f.target_class_id == cls.id]
            if referring:
                raise ConflictError("Record fields of other classes refer to this class", code="class_referenced",
                                    details={"class": cls.name, "fields": referring})
            for hook in self.on_delete:
                hook(tx, cls)
            tx.delete_class(cls)
            tx.bump_schema_version(actor.app_id)
            tx.insert_events([make_event(actor, "class.deleted", cls.name, class_id=cls.id,
                                         old=class_snapshot(cls))])
        return cls

    @writes
    def apply_classes(self, actor: Actor, specs: Sequence[ClassSpec]) -> list[ClassDef]:
        """Create or update classes (e.g. read from a class file). New fields add columns; nothing is dropped."""
        require_admin(actor)
        now = time.time()
        applied = []
        with self.storage.transaction(write=True) as tx:
            existing = {c.name: c for c in tx.select_classes(actor.app_id)}
            _target_ids(specs, existing)
            for spec in specs:
                current = existing.get(spec.name)
                if current is None:
                    cls = tx.insert_class(actor.app_id, spec, now)
                else:
                    _refuse_type_changes(current, spec)
                    _refuse_dropping_used_states(tx, current, {s.name for s in spec.states})
                    cls = tx.update_class(current, spec, now)
                _add_options(tx, cls, spec)
                applied.append(cls)
            # Targets last: a Record field may name a class created later in the same file (or its own).
            ids = {c.name: c.id for c in tx.select_classes(actor.app_id)}
            for cls, spec in zip(applied, specs):
                targets = {f.name: ids[f.target] for f in spec.fields
                           if f.target is not None and cls.fields[f.name].target_class_id != ids[f.target]}
                if targets:
                    tx.set_field_targets(cls, targets)
            by_id = {c.id: c for c in tx.select_classes(actor.app_id)}
            applied = [by_id[c.id] for c in applied]
            events = []
            for cls in applied:
                current = existing.get(cls.name)
                if current is None:
                    events.append(make_event(actor, "class.created", cls.name, class_id=cls.id,
                                             new=class_snapshot(cls), at=now))
                else:
                    events.append(make_event(actor, "class.updated", cls.name, class_id=cls.id,
                                             old=class_snapshot(current), new=class_snapshot(cls), at=now))
            tx.bump_schema_version(actor.app_id)
            tx.insert_events(events)
        return applied

    # -- workflow states (DESIGN.md "states"; a record is always in one of its class's) -------
    def _save_states(self, actor: Actor, tx: ClassTransaction, current: ClassDef,
                     states: Sequence[StateSpec], ids: Mapping[str, int]) -> ClassDef:
        """Replace the class's states by `states` (in order); `ids`: name -> the existing state it is."""
        states = validate_states(states)
        kept = set(ids.values())
        _refuse_dropping_used_states(tx, current, {s.name for s in current.states if s.id in kept})
        now = time.time()
        cls = tx.update_class(current, replace(_spec_of(current), states=states), now, state_ids=ids)
        tx.bump_schema_version(actor.app_id)
        tx.insert_events([make_event(actor, "class.updated", cls.name, class_id=cls.id,
                                     old=class_snapshot(current), new=class_snapshot(cls), at=now)])
        return cls

    @staticmethod
    def _moves(cls: ClassDef, targets: Sequence[int]) -> tuple[str, ...]:
        return tuple(cls.states[_state_index(cls, t)].name for t in targets)

    @writes
    def add_state(self, actor: Actor, class_name: str, name: str, *, color: int | None = None,
                  position: int | None = None, transitions: Sequence[int] = ()) -> StateDef:
        """A new state at `position` (0 = first; None or past the end: last)."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            specs = list(current.state_specs())
            index = len(specs) if position is None else max(0, min(position, len(specs)))
            specs.insert(index, StateSpec(name, self._moves(current, transitions), color))
            cls = self._save_states(actor, tx, current, specs, {s.name: s.id for s in current.states})
            return next(s for s in cls.states if s.name == name)

    @writes
    def update_state(self, actor: Actor, class_name: str, state_id: int, *, name: str | None = None,
                     color: int | None = None, position: int | None = None,
                     transitions: Sequence[int] | None = None) -> StateDef:
        """Rename, recolour, move (to index `position`) or change the allowed moves of a state; its id stays."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            index = _state_index(current, state_id)
            specs = list(current.state_specs())
            old = specs.pop(index)
            new_name = old.name if name is None else name
            # Other states' moves to this one follow its new name.
            specs = [replace(s, transitions=tuple(new_name if t == old.name else t for t in s.transitions))
                     for s in specs]
            moves = old.transitions if transitions is None else self._moves(current, transitions)
            moved = StateSpec(new_name, tuple(new_name if t == old.name else t for t in moves),
                              old.color if color is None else color)
            specs.insert(index if position is None else max(0, min(position, len(specs))), moved)
            ids = {s.name: s.id for s in current.states if s.id != state_id} | {new_name: state_id}
            cls = self._save_states(actor, tx, current, specs, ids)
            return next(s for s in cls.states if s.id == state_id)

    @writes
    def delete_state(self, actor: Actor, class_name: str, state_id: int) -> ClassDef:
        """Refused (`state_in_use`) while records are in the state; other states' moves to it go with it."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            gone = current.states[_state_index(current, state_id)].name
            specs = [replace(s, transitions=tuple(t for t in s.transitions if t != gone))
                     for s in current.state_specs() if s.name != gone]
            return self._save_states(actor, tx, current, specs,
                                     {s.name: s.id for s in current.states if s.id != state_id})
