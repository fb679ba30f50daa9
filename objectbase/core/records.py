"""Records of classes: every read and write checks the actor's permissions here, not in adapters."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.classes import ClassService
from objectbase.core.errors import FieldError, LimitExceededError, PermissionDeniedError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.fields import CastError
from objectbase.core.ids import is_object_id, new_object_id
from objectbase.core.models import Record
from objectbase.core.permissions import Action, acl_filter, is_allowed, parse_record_permissions
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import Storage

__all__ = ["MAX_BATCH", "RecordSet", "NewRecord", "RecordService", "cast_values", "record_snapshot"]

# Largest number of records one create or get-by-ids request may name.
MAX_BATCH = 100


@dataclass(frozen=True)
class NewRecord:
    values: Mapping[str, Any]
    permissions: Any = None
    parent_id: Any = None


@dataclass(frozen=True)
class RecordSet:
    cls: ClassDef
    records: list[Record]
    not_found: list[str] = field(default_factory=list)


def record_snapshot(cls: ClassDef, record: Record) -> dict[str, Any]:
    """The record as canonical JSON values, for the event history."""
    data: dict[str, Any] = {name: cls.fields[name].type.to_json(value) for name, value in record.values.items()}
    data.update(_id=record.id, _parent_id=record.parent_id, user_id=record.user_id,
                created_at=record.created_at, updated_at=record.updated_at)
    data["permissions"] = {a.value: {"access": p.access.value, "members": list(p.members)}
                           for a, p in record.acl.items()}
    return data


def cast_values(cls: ClassDef, values: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Cast each known, writable field; unknown and system keys are ignored (clients re-send them)."""
    cast: dict[str, Any] = {}
    errors: dict[str, list[FieldError]] = {}
    for name, raw in values.items():
        field_def = cls.fields.get(name)
        if field_def is None or field_def.type.read_only:
            continue
        try:
            cast[name] = field_def.type.cast(raw)
        except CastError as error:
            errors[prefix + name] = [FieldError("invalid", f"{name} {error}")]
    if errors:
        raise ValidationError(errors)
    return cast


class RecordService:
    def __init__(self, storage: Storage, classes: ClassService) -> None:
        self.storage = storage
        self.classes = classes

    @staticmethod
    def _require_writer(actor: Actor) -> None:
        if actor.kind is ActorKind.APP:
            raise PermissionDeniedError("Forbidden. Need user.", code="need_user")

    def _build(self, actor: Actor, cls: ClassDef, item: NewRecord, now: int, prefix: str) -> Record:
        values = cast_values(cls, item.values, prefix=prefix)
        missing = [f.name for f in cls.fields.values() if f.required and values.get(f.name) is None]
        if missing:
            raise ValidationError({prefix + name: [FieldError("blank", f"{name} can't be blank")] for name in missing})
        parent_id = item.parent_id if item.parent_id not in ("", None) else None
        if parent_id is not None and not (isinstance(parent_id, str) and is_object_id(parent_id)):
            raise ValidationError.single(prefix + "_parent_id", "invalid", "_parent_id is not a record id")
        return Record(
            id=new_object_id(now), class_id=cls.id, user_id=actor.owner_id, parent_id=parent_id,
            created_at=now, updated_at=now,
            values={name: values.get(name) for name in cls.fields},
            acl=parse_record_permissions(item.permissions),
        )

    def create_records(self, actor: Actor, class_name: str, items: Sequence[NewRecord]) -> RecordSet:
        """Create one or many records in one transaction: all are written, or none."""
        self._require_writer(actor)
        if not items:
            raise ValidationError.single("record", "blank", "at least one record is needed")
        if len(items) > MAX_BATCH:
            raise LimitExceededError(f"At most {MAX_BATCH} records per request", code="batch_too_large")
        now = int(time.time())
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            if not is_allowed(actor, Action.CREATE, cls.permissions):
                raise PermissionDeniedError()
            many = len(items) > 1
            records = [self._build(actor, cls, item, now, f"record[{i}]." if many else "")
                       for i, item in enumerate(items)]
            tx.insert_records(cls, records)
            tx.insert_events([make_event(actor, "record.created", r.id, class_id=cls.id, record_seq=r.seq,
                                         new=record_snapshot(cls, r), at=now) for r in records])
        return RecordSet(cls, records)

    def get_records(self, actor: Actor, class_name: str, ids: Sequence[str]) -> RecordSet:
        """Records by id that the actor may read; the rest are reported as not found."""
        if len(ids) > MAX_BATCH:
            raise LimitExceededError(f"At most {MAX_BATCH} ids per request", code="batch_too_large")
        wanted = list(dict.fromkeys(ids))
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            valid = tuple(i for i in wanted if is_object_id(i))
            where = ast.conjoin(ast.In("_id", valid), acl_filter(actor, Action.READ, cls.permissions))
            records = tx.select_records(cls, ast.Query(where=where)) if valid else []
        found = {r.id: r for r in records}
        return RecordSet(cls, [found[i] for i in wanted if i in found], [i for i in wanted if i not in found])

    def find_records(self, actor: Actor, class_name: str, query: ast.Query, *, last: bool = False) -> RecordSet:
        """Records matching the query among those the actor may read. `last`: the last one in sort order."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            where = ast.conjoin(query.where, acl_filter(actor, Action.READ, cls.permissions))
            if last:
                query = replace(query, sort=_reverse(query.sort), skip=0, limit=1)
            return RecordSet(cls, tx.select_records(cls, replace(query, where=where)))

    def count_records(self, actor: Actor, class_name: str, where: ast.Node) -> int:
        """How many records match, counting only those the actor may read."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            return tx.count_records(cls, ast.conjoin(where, acl_filter(actor, Action.READ, cls.permissions)))




def _reverse(sort: tuple[ast.SortKey, ...]) -> tuple[ast.SortKey, ...]:
    keys = sort or (ast.SortKey("_id"),)
    return tuple(ast.SortKey(k.field, not k.descending) for k in keys)
