"""Classes (schemas): applied by the app's administrator, cached per worker with a version check."""

from __future__ import annotations

import threading
import time
from typing import Any, Sequence

from objectbase.core.actor import Actor
from objectbase.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from objectbase.core.events import make_event
from objectbase.core.schema import ClassDef, ClassSpec
from objectbase.core.unit_of_work import Storage, Transaction, writes

__all__ = ["ClassService", "class_snapshot"]


def class_snapshot(cls: ClassDef | ClassSpec) -> dict[str, Any]:
    fields = cls.fields.values() if isinstance(cls, ClassDef) else cls.fields
    return {
        "name": cls.name,
        "fields": {f.name: f.type.name for f in fields},
        "indexes": [f.name for f in fields if f.indexed],
        "required": [f.name for f in fields if f.required],
        "permissions": {a.value: {"access": p.access.value, "members": list(p.members)}
                        for a, p in cls.permissions.acl.items()},
        "use_class_permissions": {a.value: on for a, on in cls.permissions.use_class.items()},
        "states": [{"name": s.name, "transitions": list(s.transitions)} for s in cls.states],
    }


def _refuse_type_changes(current: ClassDef, spec: ClassSpec) -> None:
    # Stored values are of the old type; changing it would need a rewrite we never do implicitly.
    for field_spec in spec.fields:
        existing = current.fields.get(field_spec.name)
        if existing is not None and existing.type.name != field_spec.type.name:
            raise ConflictError(
                f"Field {field_spec.name} is {existing.type.name}; changing a field's type is not supported",
                code="field_type_change", details={"field": field_spec.name})


class ClassService:
    def __init__(self, storage: Storage[Transaction]) -> None:
        self.storage = storage
        # app id -> (schema version, classes by name). Another worker's change bumps the app's
        # schema version, which every authentication reads, so a stale entry is never used.
        self._cache: dict[int, tuple[int, dict[str, ClassDef]]] = {}
        self._lock = threading.Lock()

    def _classes(self, tx: Transaction, app_id: int, version: int | None) -> dict[str, ClassDef]:
        cached = self._cache.get(app_id)
        if cached is not None and version is not None and cached[0] == version:
            return cached[1]
        app = tx.select_app(app_id)
        current_version = app.schema_version if app else 0
        classes = {c.name: c for c in tx.select_classes(app_id)}
        with self._lock:
            self._cache[app_id] = (current_version, classes)
        return classes

    def get_class(self, actor: Actor, name: str, tx: Transaction | None = None) -> ClassDef:
        if tx is None:
            with self.storage.transaction(write=False) as own_tx:
                return self.get_class(actor, name, own_tx)
        cls = self._classes(tx, actor.app_id, actor.schema_version).get(name)
        if cls is None:
            raise NotFoundError("No class of this name exists", code="class_not_found")
        return cls

    def get_classes(self, actor: Actor, tx: Transaction) -> list[ClassDef]:
        """Every class of the actor's app (cascades look for children in all of them)."""
        return list(self._classes(tx, actor.app_id, actor.schema_version).values())

    def list_classes(self, actor: Actor) -> list[ClassDef]:
        with self.storage.transaction(write=False) as tx:
            return list(self._classes(tx, actor.app_id, None).values())

    @writes
    def apply_classes(self, actor: Actor, specs: Sequence[ClassSpec]) -> list[ClassDef]:
        """Create or update classes (e.g. read from a class file). New fields add columns; nothing is dropped."""
        if not actor.bypasses_acl:
            raise PermissionDeniedError("Only the app's administrator can change classes", code="admin_only")
        now = time.time()
        applied = []
        with self.storage.transaction(write=True) as tx:
            existing = {c.name: c for c in tx.select_classes(actor.app_id)}
            events = []
            for spec in specs:
                current = existing.get(spec.name)
                if current is None:
                    cls = tx.insert_class(actor.app_id, spec, now)
                    events.append(make_event(actor, "class.created", cls.name, class_id=cls.id,
                                             new=class_snapshot(cls), at=now))
                else:
                    _refuse_type_changes(current, spec)
                    cls = tx.update_class(current, spec, now)
                    events.append(make_event(actor, "class.updated", cls.name, class_id=cls.id,
                                             old=class_snapshot(current), new=class_snapshot(cls), at=now))
                applied.append(cls)
            tx.bump_schema_version(actor.app_id)
            tx.insert_events(events)
        return applied
