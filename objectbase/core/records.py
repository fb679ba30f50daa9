"""Records of classes: every read and write checks the actor's permissions here, not in adapters."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal, Mapping, Protocol, Sequence

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.batches import MAX_ITEMIZED_BATCH, BatchMode, ItemOutcome, run_items
from objectbase.core.classes import ClassService
from objectbase.core.errors import (
    ConflictError, FieldError, LimitExceededError, NeedUserError, NotFoundError, NotOwnerError, PermissionDeniedError,
    ValidationError,
)
from objectbase.core.datum_rows import plan_created, plan_updated, write_datum_plan
from objectbase.core.events import make_event
from objectbase.core.fields import CastError
from objectbase.core.ids import is_object_id, new_object_id
from objectbase.core.models import Record, Transition
from objectbase.core.permissions import (
    ACCESS_VALUES, ACTION_VALUES, DEFAULT_RECORD_PERMISSIONS, Action, Permission, RecordPermissions, acl_filter, is_allowed,
    merge_record_permissions,
)
from objectbase.core.query import ast
from objectbase.core.query.bind import bind_fields, bind_query, bind_where, check_paging, resolve_field
from objectbase.core.references import check_references, checked_fields, referenced_ids, references_of
from objectbase.core.relations import MAX_CASCADE, collect_descendants
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import (
    AppRows, ClassRows, Committing, DatumRows, EventRows, MetadatumRows, RecordRows, ReferenceRows, Storage,
    TransitionRows, scans, writes,
)
from objectbase.core.updates import FieldChange, apply_changes, cast_changes
from objectbase.core.workflow import (
    by_id_filter, check_state_move, initial_state, is_admin, refuse_disabled, refuse_frozen, refuse_removed,
    require_admin, visibility_filter,
)
from objectbase.core.related import Relation, relations_of

__all__ = [
    "AGGREGATES", "COUNT_MODES", "CountMode", "DeleteResult", "MAX_BATCH", "NewRecord", "RecordChange",
    "RecordCount", "RecordService", "RecordSet",
    "RecordTransaction", "RelatedSet",
    "cast_values", "record_snapshot",
]

# Largest number of records one create or get-by-ids request may name.
MAX_BATCH = 100


class RecordTransaction(Committing, RecordRows, ReferenceRows, ClassRows, AppRows, EventRows, TransitionRows,
                        DatumRows, MetadatumRows, Protocol):
    """What record operations read and write (classes: the schema they bind to)."""



@dataclass(frozen=True)
class NewRecord:
    values: Mapping[str, Any]
    # The actions whose permission is given; the others get the default record ACL.
    permissions: Mapping[Action, Permission] | None = None
    parent_id: str | None = None
    # The workflow state to start in (None: the class's first; a later one needs the required fields).
    state_id: int | None = None


@dataclass(frozen=True)
class RecordChange:
    """What to change in one record: field changes, optionally its permissions and its parent."""

    id: str
    changes: Sequence[FieldChange] = ()
    # The actions whose permission changes, over the record's current ACL.
    permissions: Mapping[Action, Permission] | None = None
    parent_id: str | None = None
    set_parent: bool = False


# How a count is made: "exact" counts every match; "planned" takes the database planner's
# estimate from the table's statistics (PostgreSQL; a fixed cost however many match); "estimated"
# takes the planner's figure when it is at least ESTIMATED_ABOVE, else counts exactly. Both
# estimates fall back to exact where the database has no planner figure (SQLite), and whenever the
# actor may not read every record of the class: statistics cover every row, so an estimate of a
# permission-filtered count would tell something of records the actor may not see.
CountMode = Literal["exact", "planned", "estimated"]
COUNT_MODES: tuple[CountMode, ...] = ("exact", "planned", "estimated")
ESTIMATED_ABOVE = 10_000


@dataclass(frozen=True)
class RecordCount:
    total: int
    estimated: bool = False


def _count(tx: RecordTransaction, cls: ClassDef, where: ast.Node, acl: ast.Node, mode: CountMode) -> RecordCount:
    if mode != "exact" and acl == ast.TRUE:
        planned = tx.estimate_records(cls, where)
        if planned is not None and (mode == "planned" or planned >= ESTIMATED_ABOVE):
            return RecordCount(planned, estimated=True)
    return RecordCount(tx.count_records(cls, where))


@dataclass(frozen=True)
class RecordSet:
    cls: ClassDef
    records: list[Record]
    not_found: list[str] = field(default_factory=list)
    # Records the actor may read but not change.
    denied: list[str] = field(default_factory=list)
    # For by-criteria writes: how many matched (items may be capped).
    total: int = 0
    # For searches: the fields asked for (bound names), None for all.
    fields: tuple[str, ...] | None = None
    # For writes with a batch mode: each item's written record or error, by request index.
    outcomes: tuple[ItemOutcome[Record], ...] = ()
    # Whether `total` is the planner's estimate (CountMode) rather than an exact count.
    total_estimated: bool = False


@dataclass(frozen=True)
class RelatedSet:
    """Related records of one relation, by the id of the record they relate to."""

    cls: ClassDef
    by_record: dict[str, list[Record]]
    # The fields asked for (bound names), None for all.
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DeleteResult:
    deleted: list[str]
    denied: list[str]
    not_found: list[str]
    # Children removed through `_parent_id`, on top of `deleted`.
    cascaded: int = 0
    # With a batch mode: each item's deleted record (as it was) or error, by request index.
    outcomes: tuple[ItemOutcome[Record], ...] = ()
    cls: ClassDef | None = None


# Aggregates `group_by` may calculate, and which field types each applies to.
AGGREGATES: dict[str, tuple[str, ...]] = {
    "avg": ("Integer", "Float"), "sum": ("Integer", "Float"),
    "min": ("Integer", "Float", "Date", "String"), "max": ("Integer", "Float", "Date", "String"),
}
# Records one by-criteria update may change in a single transaction.
MAX_CRITERIA_UPDATE = 1000
# A hook run inside the deleting transaction for each class's deleted records (e.g. file bytes).
DeleteHook = Callable[[RecordTransaction, ClassDef, list[Record]], None]


def record_snapshot(cls: ClassDef, record: Record) -> dict[str, Any]:
    """The record as canonical JSON values, for the event history."""
    data: dict[str, Any] = {name: cls.fields[name].type.to_json(value) for name, value in record.values.items()}
    data.update(_id=record.id, _parent_id=record.parent_id, user_id=record.user_id,
                created_at=record.created_at, updated_at=record.updated_at)
    if record.state_id is not None:
        data["_state_id"] = record.state_id
    data["permissions"] = {ACTION_VALUES[a]: {"access": ACCESS_VALUES[p.access], "members": list(p.members)}
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
    def __init__(self, storage: Storage[RecordTransaction], classes: ClassService) -> None:
        self.storage = storage
        self.classes = classes
        self.on_delete: list[DeleteHook] = []

    @staticmethod
    def _require_ids(size: int) -> None:
        if size == 0:  # e.g. an id list of only commas: naming nothing is a mistake, not a no-op
            raise ValidationError.single("ids", "blank", "at least one record id is needed")

    def _check_batch(self, size: int, mode: BatchMode | None = None, most: int | None = None) -> None:
        self._require_ids(size)
        most = most or (MAX_BATCH if mode is None else MAX_ITEMIZED_BATCH)
        if size > most:
            raise LimitExceededError(f"At most {most} records per request", code="batch_too_large")

    def _wanted(self, ids: Sequence[str]) -> list[str]:
        """The ids of a batch, deduplicated in order, within the batch limit."""
        self._check_batch(len(ids))
        return list(dict.fromkeys(ids))

    def _one_allowed(self, actor: Actor, cls: ClassDef, rows: Mapping[str, Record], record_id: str,
                     action: Action) -> Record:
        """The record a batch item names, or that item's error: not found (also when unreadable) or denied."""
        allowed, denied, _missing = self._sort_by_access(actor, cls, rows, [record_id], action)
        if allowed:
            return allowed[0]
        if denied:
            raise PermissionDeniedError()
        raise NotFoundError("Record not found", code="record_not_found")

    @staticmethod
    def _sort_by_access(actor: Actor, cls: ClassDef, rows: Mapping[str, Record], ids: Sequence[str],
                        action: Action) -> tuple[list[Record], list[str], list[str]]:
        """(allowed records, denied ids, not found ids). Each action's permission stands on its own
        (an actor may update a record it may not read); a refused record the actor cannot read
        counts as not found, so a write never reveals that a record the actor cannot see exists."""
        allowed: list[Record] = []
        denied: list[str] = []
        not_found: list[str] = []
        for record_id in ids:
            record = rows.get(record_id)
            if record is None or (record.removed_at is not None and not is_admin(actor)):
                not_found.append(record_id)
            elif is_allowed(actor, action, cls.permissions, record.user_id, record.acl):
                allowed.append(record)
            elif is_allowed(actor, Action.READ, cls.permissions, record.user_id, record.acl):
                denied.append(record_id)
            else:
                not_found.append(record_id)
        return allowed, denied, not_found

    @staticmethod
    def _shown(actor: Actor, cls: ClassDef, record: Record, item: RecordChange | None = None) -> Record:
        """The record as a write's response may show it: whole to an actor who may read it; to one who
        may only change it, its `_id` and the values the actor itself set (no value it could not
        already know, so update or delete permission never grants read). The owner sees it whole: it
        may change the record's ACL at will, so hiding anything from it would protect nothing."""
        if ((actor.acts_as_user and actor.user_id == record.user_id)
                or is_allowed(actor, Action.READ, cls.permissions, record.user_id, record.acl)):
            return record
        sent = [c.field for c in item.changes if c.op == "set" and c.field in cls.fields] if item else []
        return replace(record, visible_fields=("_id", *dict.fromkeys(sent)))

    def _locked_rows(self, tx: RecordTransaction, cls: ClassDef, ids: Sequence[str]) -> dict[str, Record]:
        valid = tuple({i for i in ids if is_object_id(i)})
        return {r.id: r for r in tx.select_records(cls, ast.Query(where=ast.In("_id", valid)), for_update=True)}

    @staticmethod
    def _require_writer(actor: Actor) -> None:
        if actor.kind is ActorKind.APP:
            raise NeedUserError()

    def _build(self, actor: Actor, cls: ClassDef, item: NewRecord, now: int, prefix: str) -> Record:
        values = cast_values(cls, item.values, prefix=prefix)
        missing = [f.name for f in cls.fields.values() if f.required and values.get(f.name) is None]
        if missing:
            raise ValidationError({prefix + name: [FieldError("blank", f"{name} can't be blank")] for name in missing})
        parent_id = _parent_id(item.parent_id, prefix)
        return Record(
            id=new_object_id(now), class_id=cls.id, user_id=actor.owner_id, parent_id=parent_id,
            created_at=now, updated_at=now,
            values={name: values.get(name) for name in cls.fields},
            acl=merge_record_permissions(DEFAULT_RECORD_PERMISSIONS, item.permissions),
            state_id=initial_state(cls, item.state_id, values),
        )

    def _insert(self, actor: Actor, tx: RecordTransaction, cls: ClassDef, records: list[Record], now: int) -> None:
        many = len(records) > 1
        if checked_fields(cls):
            check_references(actor, tx, self.classes.get_classes(actor, tx), cls,
                             [(f"record[{i}]." if many else "", r.values) for i, r in enumerate(records)])
        tx.insert_records(cls, records)
        write_datum_plan(tx, actor.app_id, cls.id, plan_created(cls, records))
        tx.insert_events([make_event(actor, "record.created", r.id, class_id=cls.id, record_seq=r.seq,
                                     new=record_snapshot(cls, r), at=now) for r in records])

    @writes
    def create_records(self, actor: Actor, class_name: str, items: Sequence[NewRecord], *,
                       parent_class: str | None = None, mode: BatchMode | None = None,
                       most: int | None = None) -> RecordSet:
        """Create one or many records in one transaction: all are written, or none.

        With `parent_class`, every item's parent must be a record of that class the actor can read.
        With a `mode`, each item is written in its own savepoint and kept as the mode says
        (`RecordSet.outcomes`). `most`: the batch limit, when not the clients' (a bulk import's)."""
        self._require_writer(actor)
        if not items:
            raise ValidationError.single("record", "blank", "at least one record is needed")
        self._check_batch(len(items), mode, most)
        now = int(time.time())
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            if not is_allowed(actor, Action.CREATE, cls.permissions):
                raise PermissionDeniedError()
            refuse_disabled(cls)
            if parent_class is not None:
                self._require_parents(actor, tx, parent_class, {str(i.parent_id) for i in items})
            if mode is not None:
                def create_one(item: NewRecord) -> Record:
                    record = self._build(actor, cls, item, now, "")
                    self._insert(actor, tx, cls, [record], now)
                    return record
                return _itemized(cls, run_items(tx, cls, mode, items, create_one))
            many = len(items) > 1
            records = [self._build(actor, cls, item, now, f"record[{i}]." if many else "")
                       for i, item in enumerate(items)]
            self._insert(actor, tx, cls, records, now)
        return RecordSet(cls, records)

    def get_records(self, actor: Actor, class_name: str, ids: Sequence[str], *, max_ids: int = MAX_BATCH,
                    fields: Sequence[str] | None = None, names: ast.NameRules = ast.NameRules()) -> RecordSet:
        """Records by id that the actor may read; the rest are reported as not found. `max_ids`:
        the most ids one call may name (dialects allow what their clients send); `fields`: the
        (unbound) fields asked for, checked and returned bound in `RecordSet.fields`."""
        self._require_ids(len(ids))
        if len(ids) > max_ids:
            raise LimitExceededError(f"At most {max_ids} records per request", code="batch_too_large")
        wanted = list(dict.fromkeys(ids))
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            bound = None if fields is None else bind_fields(cls, tuple(fields), names)
            valid = tuple(i for i in wanted if is_object_id(i))
            # The permission filter first: its split is reused from the last read (storage/shapes.py).
            where = ast.conjoin(acl_filter(actor, Action.READ, cls.permissions), ast.In("_id", valid),
                                by_id_filter(actor))
            records = tx.select_records(cls, ast.Query(where=where)) if valid else []
        found = {r.id: r for r in records}
        return RecordSet(cls, [found[i] for i in wanted if i in found], [i for i in wanted if i not in found],
                         fields=bound)

    def get_record(self, actor: Actor, class_name: str, record_id: str) -> tuple[ClassDef, Record]:
        """One record the actor may read, with its class; not found otherwise."""
        found = self.get_records(actor, class_name, [record_id])
        if not found.records:
            raise NotFoundError("Record not found", code="record_not_found")
        return found.cls, found.records[0]

    def get_record_by_seq(self, actor: Actor, tx: RecordTransaction, class_id: int,
                          record_seq: int) -> tuple[ClassDef, Record] | None:
        """The record of a class id and `_seq` (as side tables name it), if the actor may read it."""
        cls = next((c for c in self.classes.get_classes(actor, tx) if c.id == class_id), None)
        record_id = None if cls is None else tx.record_id_of_seq(cls, record_seq)
        if cls is None or record_id is None:
            return None
        try:
            return self.get_record(actor, cls.name, record_id)
        except NotFoundError:
            return None

    def find_records(self, actor: Actor, class_name: str, query: ast.Query, *, last: bool = False,
                     count_total: bool = False, count_mode: CountMode = "exact") -> RecordSet:
        """Records matching the (unbound) query among those the actor may read. `last`: the last one
        in sort order; `count_total`: also count every match (`RecordSet.total`), in the same snapshot."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            query = bind_query(cls, query)
            acl = acl_filter(actor, Action.READ, cls.permissions)
            where = ast.conjoin(acl, query.where, visibility_filter(actor, query.archived, query.removed))
            if last:
                query = replace(query, sort=_reverse(query.sort), skip=0, limit=1)
            records = tx.select_records(cls, replace(query, where=where))
            counted = _count(tx, cls, where, acl, count_mode) if count_total else RecordCount(len(records))
            return RecordSet(cls, records, total=counted.total, fields=query.fields,
                             total_estimated=counted.estimated)

    def count_records(self, actor: Actor, class_name: str, where: ast.Node,
                      names: ast.NameRules = ast.NameRules(), *, archived: ast.Inclusion = "exclude",
                      removed: ast.Inclusion = "exclude") -> int:
        """How many records match the (unbound) condition, counting only those the actor may read
        (and, as lists, archived and removed ones only when asked for)."""
        return self.count(actor, class_name, where, names, archived=archived, removed=removed).total

    @scans
    def count(self, actor: Actor, class_name: str, where: ast.Node, names: ast.NameRules = ast.NameRules(), *,
              archived: ast.Inclusion = "exclude", removed: ast.Inclusion = "exclude",
              mode: CountMode = "exact") -> RecordCount:
        """`count_records`, with a choice of exact or estimated (see `CountMode`)."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            acl = acl_filter(actor, Action.READ, cls.permissions)
            where = ast.conjoin(acl, bind_where(cls, where, names), visibility_filter(actor, archived, removed))
            return _count(tx, cls, where, acl, mode)

    def relations(self, actor: Actor, class_name: str) -> list[Relation]:
        """The relations records of the class have (what a read may embed)."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            return relations_of(cls, self.classes.get_classes(actor, tx))

    def find_children(self, actor: Actor, parent_class: str, parent_ids: Sequence[str], child_class: str,
                      query: ast.Query) -> RelatedSet:
        """Records of `child_class` whose `_parent_id` is one of `parent_ids`, grouped by parent:
        per parent, the first `query.limit` the actor may read that match the (unbound) query, in
        its order. One statement for all the parents."""
        with self.storage.transaction(write=False) as tx:
            self.classes.get_class(actor, parent_class, tx)
            cls = self.classes.get_class(actor, child_class, tx)
            bound = bind_query(cls, replace(query, skip=0))
            ids = tuple(dict.fromkeys(i for i in parent_ids if is_object_id(i)))
            grouped: dict[str, list[Record]] = {i: [] for i in ids}
            if ids:
                where = ast.conjoin(ast.In("_parent_id", ids), bound.where,
                                    acl_filter(actor, Action.READ, cls.permissions),
                                    visibility_filter(actor, bound.archived, bound.removed))
                for record in tx.select_record_groups(cls, replace(bound, where=where), "_parent_id"):
                    grouped[str(record.parent_id)].append(record)
            return RelatedSet(cls, grouped, bound.fields)

    def find_referenced(self, actor: Actor, source_class: str, sources: Sequence[Record], field_name: str,
                        query: ast.Query) -> RelatedSet:
        """The records the `sources`' Record field points to that the actor may read and that match
        the (unbound) query, by source record id, in the field's order (its sort and limit do not
        apply: a reference names its records). One statement for all the sources."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, source_class, tx)
            field_def = cls.fields.get(field_name)
            target = next((c for c in self.classes.get_classes(actor, tx)
                           if field_def is not None and c.id == field_def.target_class_id), None)
            if field_def is None or target is None:
                raise NotFoundError("No reference of this name exists", code="field_not_found",
                                    details={"class": source_class, "field": field_name})
            bound = bind_query(target, replace(query, skip=0, limit=None, sort=()))
            where = ast.conjoin(bound.where, acl_filter(actor, Action.READ, target.permissions))
            values = [r.values.get(field_name) for r in sources]
            found = {r.seq: r for r in tx.select_records_by_seq(target, referenced_ids(field_def, values), where)}
            by_record = {r.id: [found[seq] for seq in dict.fromkeys(references_of(field_def, value)) if seq in found]
                         for r, value in zip(sources, values)}
            return RelatedSet(target, by_record, bound.fields)

    def _require_parents(self, actor: Actor, tx: RecordTransaction, class_name: str, ids: set[str]) -> None:
        parent_cls = self.classes.get_class(actor, class_name, tx)
        valid = tuple(i for i in ids if is_object_id(i))
        where = ast.conjoin(ast.In("_id", valid), acl_filter(actor, Action.READ, parent_cls.permissions),
                            by_id_filter(actor))
        if len(valid) != len(ids) or tx.count_records(parent_cls, where) != len(ids):
            raise NotFoundError("Parent record not found", code="record_not_found")

    # -- updates --------------------------------------------------------------------------------
    def _change(self, actor: Actor, cls: ClassDef, record: Record, item: RecordChange, now: int) -> Record:
        """The record after the change; raises for an ACL change by a non-owner, a bad value, or a
        record that is archived or removed."""
        refuse_frozen(record)
        values = apply_changes(record.values, cast_changes(cls, list(item.changes)))
        errors: dict[str, list[FieldError]] = {}
        for name, value in values.items():
            field_def = cls.fields[name]
            if value is None and field_def.required:
                errors[name] = [FieldError("blank", f"{name} can't be blank")]
            elif value is not None and value != record.values.get(name) and not field_def.type.is_array:
                try:  # e.g. an `inc` that leaves the 64-bit range
                    field_def.type.cast(value)
                except CastError as error:
                    errors[name] = [FieldError("invalid", f"{name} {error}")]
        if errors:
            raise ValidationError(errors)
        acl: RecordPermissions = record.acl
        if item.permissions is not None:
            acl = merge_record_permissions(record.acl, item.permissions)
            # Clients re-send a fetched record whole; an unchanged ACL is not a change of permissions.
            if acl != record.acl and not (actor.bypasses_acl or actor.user_id == record.user_id):
                raise NotOwnerError()
        parent_id = record.parent_id
        if item.set_parent:
            parent_id = _parent_id(item.parent_id)
        return replace(record, values=values, acl=acl, parent_id=parent_id, updated_at=now)

    def _write_updates(self, actor: Actor, tx: RecordTransaction, cls: ClassDef,
                       pairs: list[tuple[Record, Record]], now: int) -> None:
        if checked_fields(cls):
            # Only values that change are checked: a reference whose target went since stays as it is.
            check_references(actor, tx, self.classes.get_classes(actor, tx), cls,
                             [("", {k: v for k, v in new.values.items() if v != old.values.get(k)})
                              for old, new in pairs])
        tx.update_records(cls, [new for _, new in pairs], [old for old, _ in pairs])
        write_datum_plan(tx, actor.app_id, cls.id, plan_updated(cls, pairs))
        tx.insert_events([make_event(actor, "record.updated", new.id, class_id=cls.id, record_seq=old.seq,
                                     old=record_snapshot(cls, old), new=record_snapshot(cls, new), at=now)
                          for old, new in pairs])

    @writes
    def update_records(self, actor: Actor, class_name: str, items: Sequence[RecordChange], *,
                       mode: BatchMode | None = None) -> RecordSet:
        """Update records by id in one transaction, on locked rows (no lost updates).

        Ids the actor cannot read are reported not found; readable ones it may not update, denied.
        A value that cannot be cast fails the whole request. With a `mode`, each item is its own
        savepoint and a missing or denied id is that item's error (`RecordSet.outcomes`)."""
        self._require_writer(actor)
        self._check_batch(len(items), mode)
        now = int(time.time())
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            rows = self._locked_rows(tx, cls, [i.id for i in items])
            if mode is not None:
                def update_one(item: RecordChange) -> Record:
                    old = self._one_allowed(actor, cls, rows, item.id, Action.UPDATE)
                    new = self._update_one(actor, tx, cls, old, item, now)
                    rows[item.id] = new  # a later item for the same id builds on this change
                    return self._shown(actor, cls, new, item)
                return _itemized(cls, run_items(tx, cls, mode, items, update_one))
            pairs: list[tuple[Record, Record]] = []
            shown: list[Record] = []
            not_found: list[str] = []
            denied: list[str] = []
            for item in items:
                allowed, no, missing = self._sort_by_access(actor, cls, rows, [item.id], Action.UPDATE)
                denied += no
                not_found += missing
                if not allowed:
                    continue
                try:
                    new = self._change(actor, cls, allowed[0], item, now)
                except PermissionDeniedError:
                    if len(items) == 1:
                        raise
                    denied.append(item.id)
                    continue
                rows[item.id] = new  # a later item for the same id builds on this change
                pairs.append((allowed[0], new))
                shown.append(self._shown(actor, cls, new, item))
            self._write_updates(actor, tx, cls, pairs, now)
        return RecordSet(cls, shown, not_found, denied, total=len(pairs))

    def _update_one(self, actor: Actor, tx: RecordTransaction, cls: ClassDef, old: Record, item: RecordChange,
                    now: int) -> Record:
        new = self._change(actor, cls, old, item, now)
        self._write_updates(actor, tx, cls, [(old, new)], now)
        return new

    @writes
    def update_by_criteria(self, actor: Actor, class_name: str, where: ast.Node,
                           change: RecordChange, names: ast.NameRules = ast.NameRules(), *,
                           mode: BatchMode | None = None) -> RecordSet:
        """Apply one change to every record matching the (unbound) `where` that the actor may update;
        with a `mode`, each matched record is an item (`RecordSet.outcomes`, in the default order)."""
        self._require_writer(actor)
        now = int(time.time())
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            matching = ast.conjoin(bind_where(cls, where, names), acl_filter(actor, Action.UPDATE, cls.permissions),
                                   visibility_filter(actor))
            records = tx.select_records(cls, ast.Query(where=matching, limit=MAX_CRITERIA_UPDATE + 1),
                                        for_update=True)
            if len(records) > MAX_CRITERIA_UPDATE:
                raise LimitExceededError(f"The criteria match more than {MAX_CRITERIA_UPDATE} records; narrow them",
                                         code="too_many_matches")
            if mode is not None:
                return _itemized(cls, run_items(
                    tx, cls, mode, records, lambda old: self._shown(
                        actor, cls, self._update_one(actor, tx, cls, old, replace(change, id=old.id), now), change)))
            pairs = [(r, self._change(actor, cls, r, replace(change, id=r.id), now)) for r in records]
            self._write_updates(actor, tx, cls, pairs, now)
        return RecordSet(cls, [self._shown(actor, cls, new, change) for _, new in pairs], total=len(pairs))

    # -- deletes --------------------------------------------------------------------------------
    def _delete(self, actor: Actor, tx: RecordTransaction, cls: ClassDef, records: list[Record]) -> int:
        """Delete the records and, through `_parent_id`, their descendants; returns the descendants' count."""
        now = time.time()
        groups = [(cls, records)] + collect_descendants(
            tx, self.classes.get_classes(actor, tx), [r.id for r in records],
            lambda: LimitExceededError(f"Deleting would remove more than {MAX_CASCADE} child records",
                                       code="cascade_too_large"))
        for group_cls, group in groups:
            tx.delete_records(group_cls, [r.id for r in group])
            seqs = [r.seq for r in group if r.seq is not None]
            tx.delete_datum_rows(group_cls.id, seqs)
            tx.delete_metadatum_rows(group_cls.id, seqs)
            tx.insert_events([make_event(actor, "record.deleted", r.id, class_id=group_cls.id, record_seq=r.seq,
                                         old=record_snapshot(group_cls, r), at=now) for r in group])
            for hook in self.on_delete:
                hook(tx, group_cls, group)
        return sum(len(group) for _, group in groups[1:])

    def _delete_items(self, actor: Actor, tx: RecordTransaction, cls: ClassDef, mode: BatchMode,
                      ids: Sequence[str], matched: Mapping[str, Record] | None = None) -> DeleteResult:
        """Delete by id, one savepoint per id; each row is read again (locked) when its turn comes,
        as an earlier item may have removed it through `_parent_id`: a `matched` record (by
        criteria) removed so counts as deleted, a named id as not found."""
        cascaded: list[int] = []

        def delete_one(record_id: str) -> Record:
            rows = self._locked_rows(tx, cls, [record_id])
            if matched is not None and record_id not in rows:
                return self._shown(actor, cls, matched[record_id])
            record = self._one_allowed(actor, cls, rows, record_id, Action.DELETE)
            cascaded.append(self._delete(actor, tx, cls, [record]))
            return self._shown(actor, cls, record)

        outcomes = run_items(tx, cls, mode, ids, delete_one)
        deleted = [o.result.id for o in outcomes if o.result is not None]
        return DeleteResult(deleted, [], [], sum(cascaded), tuple(outcomes), cls)

    @writes
    def delete_records(self, actor: Actor, class_name: str, ids: Sequence[str], *,
                       mode: BatchMode | None = None) -> DeleteResult:
        """Delete records by id (and their `_parent_id` descendants) in one transaction. With a
        `mode`, each id is an item in request order, a missing or denied one its error."""
        self._require_writer(actor)
        if mode is not None:
            self._check_batch(len(ids), mode)
            with self.storage.transaction(write=True) as tx:
                cls = self.classes.get_class(actor, class_name, tx)
                self._locked_rows(tx, cls, ids)  # lock them all up front, in one statement
                return self._delete_items(actor, tx, cls, mode, ids)
        wanted = self._wanted(ids)
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            rows = self._locked_rows(tx, cls, wanted)
            doomed, denied, not_found = self._sort_by_access(actor, cls, rows, wanted, Action.DELETE)
            cascaded = self._delete(actor, tx, cls, doomed) if doomed else 0
        return DeleteResult([r.id for r in doomed], denied, not_found, cascaded)

    @writes
    def delete_by_criteria(self, actor: Actor, class_name: str, where: ast.Node,
                           names: ast.NameRules = ast.NameRules(), *, mode: BatchMode | None = None,
                           allow_all: bool = False) -> DeleteResult:
        """Delete every record matching the (unbound) `where` that the actor may delete. No criteria
        needs the admin, unless `allow_all` (an explicit "delete all I may", e.g. DreamFactory's
        `force`). With a `mode`, each matched record is an item."""
        self._require_writer(actor)
        if where == ast.TRUE and not (actor.bypasses_acl or allow_all):
            raise ValidationError.single("criteria", "blank",
                                         "criteria are required (deleting a whole class needs the API key)")
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            matching = ast.conjoin(bind_where(cls, where, names), acl_filter(actor, Action.DELETE, cls.permissions),
                                   visibility_filter(actor))
            records = tx.select_records(cls, ast.Query(where=matching, limit=MAX_CASCADE + 1), for_update=True)
            if len(records) > MAX_CASCADE:
                raise LimitExceededError(f"The criteria match more than {MAX_CASCADE} records; narrow them",
                                         code="too_many_matches")
            if mode is not None:
                return self._delete_items(actor, tx, cls, mode, [r.id for r in records], {r.id: r for r in records})
            cascaded = self._delete(actor, tx, cls, records) if records else 0
        return DeleteResult([r.id for r in records], [], [], cascaded)

    # -- reads beyond records -------------------------------------------------------------------
    @scans
    def aggregate(self, actor: Actor, class_name: str, query: ast.Query, group_by: str,
                  calculations: Sequence[tuple[str, str]]) -> tuple[ClassDef, list[dict[str, Any]]]:
        """Per value of `group_by`, the calculated aggregates over the records the actor may read that
        match the (unbound) query; its sort keys name the group or a calculated field."""
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            rules = query.names
            where = bind_where(cls, check_paging(query).where, rules)
            found = resolve_field(cls, group_by, rules)
            if found is None:
                raise ValidationError.single("group_by", "invalid", f"{group_by} is not a field of {cls.name}")
            group_by = found[0]
            calculations = [((resolve_field(cls, name, rules) or (name,))[0], how) for name, how in calculations]
            sort = [replace(k, field=(resolve_field(cls, k.field, rules) or (k.field,))[0]) for k in query.sort]
            for name, how in calculations:
                field_def = cls.fields.get(name)
                if how not in AGGREGATES:
                    raise ValidationError.single(name, "invalid", f"{how!r} is not one of {', '.join(AGGREGATES)}")
                if field_def is None or field_def.type.name not in AGGREGATES[how]:
                    raise ValidationError.single(name, "invalid", f"{how} does not apply to {name}")
            where = ast.conjoin(where, acl_filter(actor, Action.READ, cls.permissions),
                                visibility_filter(actor, query.archived, query.removed))
            return cls, tx.aggregate_records(cls, where, group_by, calculations, sort, query.skip,
                                             query.limit or 100)

    # -- workflow: states, archive, trash, duplicates (the rules are in core/workflow.py) ------
    def _target(self, actor: Actor, tx: RecordTransaction, class_name: str, record_id: str,
                action: Action) -> tuple[ClassDef, Record]:
        """The record, locked, if the actor may do `action` on it (else not found / denied)."""
        cls = self.classes.get_class(actor, class_name, tx)
        return cls, self._one_allowed(actor, cls, self._locked_rows(tx, cls, [record_id]), record_id, action)

    @writes
    def change_state(self, actor: Actor, class_name: str, record_id: str, state_id: int) -> Record:
        """Move a record to another state of its class (an update, for permissions), writing a
        transition and a `record.state_changed` event."""
        self._require_writer(actor)
        at = time.time()
        with self.storage.transaction(write=True) as tx:
            cls, record = self._target(actor, tx, class_name, record_id, Action.UPDATE)
            refuse_frozen(record)
            check_state_move(cls, record, state_id)
            new = replace(record, state_id=state_id, updated_at=int(at))
            tx.update_records(cls, [new])
            if record.state_id is not None and record.seq is not None:  # both always set on a stored record
                tx.insert_transition(actor.app_id, cls.id, record.seq, record.state_id, at)
            tx.insert_events([make_event(actor, "record.state_changed", record.id, class_id=cls.id,
                                         record_seq=record.seq, old={"state": record.state_id},
                                         new={"state": state_id}, at=at)])
        return self._shown(actor, cls, new)

    def _mark(self, actor: Actor, class_name: str, record_id: str, action: Action, kind: str,
              change: Callable[[Record, int], Record]) -> Record:
        """Set or clear a record's archive or trash mark (`change` refuses a record it does not apply to)."""
        self._require_writer(actor)
        at = time.time()
        with self.storage.transaction(write=True) as tx:
            cls, record = self._target(actor, tx, class_name, record_id, action)
            new = change(record, int(at))
            tx.update_records(cls, [new])
            tx.insert_events([make_event(actor, kind, record.id, class_id=cls.id, record_seq=record.seq, at=at,
                                         old=_marks(record), new=_marks(new))])
        return self._shown(actor, cls, new)

    @writes
    def archive(self, actor: Actor, class_name: str, record_id: str) -> Record:
        """Hide a record from lists (it stays readable by id) and freeze its values and state."""
        def archive(record: Record, now: int) -> Record:
            refuse_frozen(record)
            return replace(record, archived_at=now)
        return self._mark(actor, class_name, record_id, Action.UPDATE, "record.archived", archive)

    @writes
    def unarchive(self, actor: Actor, class_name: str, record_id: str) -> Record:
        def unarchive(record: Record, now: int) -> Record:
            refuse_removed(record)
            if record.archived_at is None:
                raise ConflictError("record is not archived", code="record_not_archived")
            return replace(record, archived_at=None)
        return self._mark(actor, class_name, record_id, Action.UPDATE, "record.unarchived", unarchive)

    @writes
    def remove(self, actor: Actor, class_name: str, record_id: str) -> Record:
        """Move a record to the trash: from then on only admins see it (an archived one stays archived)."""
        def remove(record: Record, now: int) -> Record:
            refuse_removed(record)
            return replace(record, removed_at=now)
        return self._mark(actor, class_name, record_id, Action.UPDATE, "record.removed", remove)

    @writes
    def restore(self, actor: Actor, class_name: str, record_id: str) -> Record:
        """Take a record out of the trash (admins only)."""
        require_admin(actor)
        return self._mark(actor, class_name, record_id, Action.READ, "record.restored", _restored)

    @writes
    def purge(self, actor: Actor, class_name: str, record_id: str) -> DeleteResult:
        """Delete a record in the trash for good (admins only), as a delete does: its `_parent_id`
        children and file bytes go too; its events stay in the history."""
        self._require_writer(actor)
        require_admin(actor)
        with self.storage.transaction(write=True) as tx:
            cls, record = self._target(actor, tx, class_name, record_id, Action.READ)
            _require_removed(record)  # only from the trash
            cascaded = self._delete(actor, tx, cls, [record])
        return DeleteResult([record.id], [], [], cascaded, cls=cls)

    @writes
    def duplicate(self, actor: Actor, class_name: str, original_id: str, overrides: Mapping[str, Any] | None = None,
                  *, state_id: int | None = None) -> Record:
        """A new record (owned by the actor, default ACL, no parent) with the original's field values,
        `overrides` replacing whole fields, in the original's state or `state_id`; files are not
        copied (their bytes belong to one record). The original must be readable and not removed."""
        self._require_writer(actor)
        at = time.time()
        now = int(at)
        with self.storage.transaction(write=True) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            if not is_allowed(actor, Action.CREATE, cls.permissions):
                raise PermissionDeniedError()
            refuse_disabled(cls)
            where = ast.conjoin(ast.In("_id", (original_id,)) if is_object_id(original_id) else ast.FALSE,
                                acl_filter(actor, Action.READ, cls.permissions), visibility_filter(actor, "include"))
            found = tx.select_records(cls, ast.Query(where=where))
            if not found:
                raise NotFoundError("Record not found", code="record_not_found")
            original = found[0]
            copied = {n: v for n, v in original.values.items() if not cls.fields[n].type.read_only}
            values = {name: None for name in cls.fields} | copied | cast_values(cls, overrides or {})
            record = Record(
                id=new_object_id(now), class_id=cls.id, user_id=actor.owner_id, parent_id=None,
                created_at=now, updated_at=now, values=values, acl=DEFAULT_RECORD_PERMISSIONS,
                state_id=initial_state(cls, original.state_id if state_id is None else state_id, values))
            if checked_fields(cls) and overrides:
                # Copied references stay as they are; the ones given are checked like any write.
                check_references(actor, tx, self.classes.get_classes(actor, tx), cls,
                                 [("", {k: v for k, v in values.items() if k in overrides})])
            tx.insert_records(cls, [record])
            write_datum_plan(tx, actor.app_id, cls.id, plan_created(cls, [record]))
            tx.insert_events([make_event(actor, "record.duplicated", record.id, class_id=cls.id,
                                         record_seq=record.seq, at=at,
                                         new={"original_seq": original.seq, "original_id": original.id,
                                              "_state_id": record.state_id})])
        return record

    def transitions(self, actor: Actor, class_name: str, record_id: str) -> list[Transition]:
        """The record's state history, oldest first, if the actor may read the record."""
        with self.storage.transaction(write=False) as tx:
            found = self.get_records(actor, class_name, [record_id])
            if not found.records or found.records[0].seq is None:
                raise NotFoundError("Record not found", code="record_not_found")
            return tx.select_transitions(found.cls.id, found.records[0].seq)

    def get_record_permissions(self, actor: Actor, class_name: str, record_id: str) -> Record:
        """A record, for reading its ACL: only its owner (or the administrator) may."""
        found = self.get_records(actor, class_name, [record_id])
        if not found.records:
            raise NotFoundError("Record not found", code="record_not_found")
        record = found.records[0]
        if not (actor.bypasses_acl or (actor.acts_as_user and actor.user_id == record.user_id)):
            raise NotOwnerError()
        return record


def _marks(record: Record) -> dict[str, Any]:
    return {"archived_at": record.archived_at, "removed_at": record.removed_at}


def _require_removed(record: Record) -> None:
    if record.removed_at is None:
        raise ConflictError("record is not removed", code="record_not_removed")


def _restored(record: Record, now: int) -> Record:
    _require_removed(record)
    return replace(record, removed_at=None)


def _itemized(cls: ClassDef, outcomes: list[ItemOutcome[Record]]) -> RecordSet:
    records = [o.result for o in outcomes if o.result is not None]
    return RecordSet(cls, records, total=len(records), outcomes=tuple(outcomes))


def _parent_id(value: str | None, prefix: str = "") -> str | None:
    """A parent given as "" means none; anything else must be a record id."""
    if value in ("", None):
        return None
    if not (isinstance(value, str) and is_object_id(value)):
        raise ValidationError.single(prefix + "_parent_id", "invalid", "_parent_id is not a record id")
    return value


def _reverse(sort: tuple[ast.SortKey, ...]) -> tuple[ast.SortKey, ...]:
    keys = sort or (ast.SortKey("_id"),)
    return tuple(k.reversed() for k in keys)
