"""Classes (schemas): applied by the app's administrator, cached per worker with a version check."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from types import EllipsisType
from typing import Any, Callable, Mapping, Protocol, Sequence

from objectbase.core.actor import Actor
from objectbase.core.errors import (
    ConflictError, FieldError, NeedUserError, NotFoundError, PermissionDeniedError, ValidationError,
)
from objectbase.core.events import make_event
from objectbase.core.permissions import Access, Action, class_allows
from objectbase.core.fields.references import DEFAULT_OPTION_COLOR
from objectbase.core.query import ast
from objectbase.core.schema import (
    DEFAULT_STATE_COLOR, ClassDef, ClassSpec, FieldDef, FieldSpec, OptionDef, StateDef, StateSpec, validate_name,
    validate_parameters, validate_path, validate_states,
)
from objectbase.core.unit_of_work import (
    AppRows, ClassRows, Committing, EventRows, OptionRows, RecordRows, Storage, writes,
)
from objectbase.core.workflow import is_admin

__all__ = ["ClassReads", "ClassService", "ClassTransaction", "OnClassDelete", "class_snapshot", "record_change",
           "require_admin"]


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
        # The catalogue and display settings only when set, so snapshots of classes without them
        # (and the class-file output) stay as they were.
        if cls.path is not None:
            snapshot["path"] = cls.path
        if cls.disabled:
            snapshot["disabled"] = True
        if titles := [f.name for f in defs if f.title]:
            snapshot["title"] = titles[0]
        if parameters := {f.name: f.parameters for f in defs if f.parameters is not None}:
            snapshot["parameters"] = parameters
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
    """Schema changes are the app's administrators': its API key, or a user created as an admin."""
    if not is_admin(actor):
        raise PermissionDeniedError("Only the app's administrators can change classes", code="admin_only")


def _removal_refused(field_name: str) -> ValidationError:
    return ValidationError({field_name: [FieldError("field_removal", "removing a field drops its values")]},
                           "Removing a field drops every record's value of it; it must be asked for explicitly",
                           code="field_removal")


def _field_named(cls: ClassDef, field_name: str) -> FieldDef:
    field_def = cls.fields.get(field_name)
    if field_def is None:
        raise NotFoundError("No field of this name exists", code="field_not_found",
                            details={"class": cls.name, "field": field_name})
    return field_def


def record_change(actor: Actor, tx: ClassTransaction, old: ClassDef, at: float | None = None) -> ClassDef:
    """After a change to `old`'s rows: the class as it now is; the app's schema version is bumped
    (other workers reload) and a `class.updated` event appended."""
    new = next(c for c in tx.select_classes(actor.app_id) if c.id == old.id)
    tx.bump_schema_version(actor.app_id)
    tx.insert_events([make_event(actor, "class.updated", new.name, class_id=new.id,
                                 old=class_snapshot(old), new=class_snapshot(new), at=at)])
    return new


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
        if tx.schema_changed:
            # Changed in this (uncommitted) transaction: read them as they now are, and cache
            # nothing, since the change may still roll back.
            return {c.name: c for c in tx.select_classes(app_id)}
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

    # -- by id, for dialects that address the schema by integer ids (Tracy). Like `get_class`, no
    # read check: callers show the result only to the admin or after their own read check.
    def get_class_by_id(self, actor: Actor, class_id: int) -> ClassDef:
        with self.storage.transaction(write=False) as tx:
            for cls in self.get_classes(actor, tx):
                if cls.id == class_id:
                    return cls
        raise NotFoundError("No class of this id exists", code="class_not_found", details={"class": class_id})

    def get_class_of_state(self, actor: Actor, state_id: int) -> tuple[ClassDef, StateDef]:
        with self.storage.transaction(write=False) as tx:
            for cls in self.get_classes(actor, tx):
                if (state := cls.state(state_id)) is not None:
                    return cls, state
        raise NotFoundError("No state of this id exists", code="state_not_found", details={"state": state_id})

    def get_class_of_field(self, actor: Actor, field_id: int) -> tuple[ClassDef, FieldDef]:
        with self.storage.transaction(write=False) as tx:
            for cls in self.get_classes(actor, tx):
                for field_def in cls.fields.values():
                    if field_def.id == field_id:
                        return cls, field_def
        raise NotFoundError("No field of this id exists", code="field_not_found", details={"field": field_id})

    def get_class_of_option(self, actor: Actor, option_id: int) -> tuple[ClassDef, FieldDef, OptionDef]:
        with self.storage.transaction(write=False) as tx:
            for cls in self.get_classes(actor, tx):
                for field_def in cls.fields.values():
                    for option in field_def.options:
                        if option.id == option_id:
                            return cls, field_def, option
        raise NotFoundError("No option of this id exists", code="option_not_found", details={"option": option_id})

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

    @writes
    def delete_field(self, actor: Actor, class_name: str, field_name: str, *, drop_data: bool = False) -> ClassDef:
        """Drop a field: its column and so every record's value, its options and datum rows, with a
        `class.updated` event. Refused (`field_removal`) unless `drop_data` says the caller means it:
        no API drops stored values implicitly."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            field_def = _field_named(current, field_name)
            if not drop_data:
                raise _removal_refused(field_name)
            tx.drop_field(current, field_def)
            return record_change(actor, tx, current)

    @writes
    def delete_class(self, actor: Actor, class_name: str, *, only_if_empty: bool = False) -> ClassDef:
        """Drop a class: its table and every record, in one transaction with a `class.deleted` event;
        `on_delete` hooks run inside it (files' bytes go after commit). `only_if_empty`: refused
        (`class_not_empty`) while the class has records, archived and removed ones included."""
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            cls = self.get_class(actor, class_name, tx)
            if only_if_empty and (count := tx.count_records(cls, ast.TRUE)):
                raise ConflictError("The class has records; deleting it deletes them too", code="class_not_empty",
                                    details={"class": cls.name, "records": count})
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

    # -- the catalogue: a class's name, position, folder path and disabled flag -----------------
    @writes
    def create_class(self, actor: Actor, spec: ClassSpec, *, position: int | None = None,
                     path: str | None = None, disabled: bool = False) -> ClassDef:
        """One new class, placed in the catalogue (`position` None: last)."""
        validate_name(spec.name, "name")
        with self.storage.transaction(write=True):
            (cls,) = self.create_classes(actor, [spec])
            if position is None and path is None and not disabled:
                return cls
            return self.change_class(actor, cls.name, position=position, path=path, disabled=disabled)

    @writes
    def change_class(self, actor: Actor, class_name: str, *, name: str | None = None, position: int | None = None,
                     path: str | None | EllipsisType = ..., disabled: bool | None = None) -> ClassDef:
        """Rename the class (its records, ids and references stay), move it to index `position` of
        the catalogue (past the end: last), put it in folder `path` (None: top level; `...`: keep)
        or disable it (no new records) — one `class.updated` event."""
        require_admin(actor)
        values: dict[str, object] = {}
        if name is not None:
            values["name"] = validate_name(name, "name")
        if path is not ...:
            values["path"] = validate_path(path)
        if disabled is not None:
            values["disabled"] = disabled
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            classes = sorted(tx.select_classes(actor.app_id), key=lambda c: (c.position, c.id))
            if name is not None and name != current.name and any(c.name == name for c in classes):
                raise ConflictError("A class of this name already exists", code="class_exists",
                                    details={"class": name})
            tx.update_class_row(current, values, time.time())
            if position is not None:
                order = [c.id for c in classes if c.id != current.id]
                order.insert(min(position, len(order)), current.id)
                tx.reorder_classes(actor.app_id, order)
            return record_change(actor, tx, current)

    # -- fields one by one: add with display settings, change, (delete_field above) -------------
    @writes
    def add_field(self, actor: Actor, class_name: str, spec: FieldSpec, *, position: int | None = None,
                  title: bool = False, parameters: str | None = None) -> ClassDef:
        """A new field (its column added), at index `position` among the fields (None: last)."""
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            if spec.name in current.fields:
                raise ConflictError("A field of this name already exists", code="field_exists",
                                    details={"class": class_name, "field": spec.name})
            parameters = validate_parameters(parameters)
            (added,) = self.add_fields(actor, {class_name: [spec]})
            if position is None and not title and parameters is None:
                return added
            return self.change_field(actor, class_name, spec.name, position=position, title=title or None,
                                     parameters=parameters)

    @writes
    def change_field(self, actor: Actor, class_name: str, field_name: str, *, name: str | None = None,
                     required: bool | None = None, title: bool | None = None,
                     parameters: str | None | EllipsisType = ..., position: int | None = None,
                     indexed: bool | None = None) -> ClassDef:
        """Rename a field (its column and values stay), flag it required, indexed (its index is
        created or dropped) or as the class's title
        (the previous title field stops being one), set its display parameters (None: none; `...`:
        keep) or move it to index `position` among the fields — one `class.updated` event. The
        type never changes here (stored values are of it). Names are checked by the caller
        against its reserved words, as when fields are added."""
        require_admin(actor)
        values: dict[str, object] = {}
        if required is not None:
            values["required"] = required
        if title is not None:
            values["title"] = title
        if parameters is not ...:
            values["parameters"] = validate_parameters(parameters)
        with self.storage.transaction(write=True) as tx:
            current = self.get_class(actor, class_name, tx)
            field_def = _field_named(current, field_name)
            if name is not None and name != field_name:
                validate_name(name, "name")
                if any(n.lower() == name.lower() for n in current.fields if n != field_name):
                    raise ConflictError("Another field has this name (letter case aside)", code="field_exists",
                                        details={"class": class_name, "field": name})
                values["name"] = name
            if title:
                for other in current.fields.values():
                    if other.title and other.id != field_def.id:
                        tx.update_field_row(current, other.id, {"title": False})
            if values:
                tx.update_field_row(current, field_def.id, values)
            if indexed is not None and indexed != field_def.indexed:
                tx.set_field_indexed(current, field_def, indexed)
            if position is not None:
                order = [f.id for f in current.fields.values() if f.id != field_def.id]
                order.insert(min(position, len(order)), field_def.id)
                tx.reorder_fields(current, order)
            return record_change(actor, tx, current)

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
        tx.update_class(current, replace(_spec_of(current), states=states), now, state_ids=ids)
        return record_change(actor, tx, current, now)

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
