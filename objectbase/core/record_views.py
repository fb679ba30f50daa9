"""Records addressed by their integer `_seq` (as integer-keyed dialects name them), read together with
what a full view of a record shows: its values with their datum ids, its metadata, its event
history, its state history, and the users those name. One call reads it all in one snapshot.

A `_seq` is unique across the app's classes, so a record is found by `_seq` alone, looking in every
class the actor may read (one indexed lookup per class)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Protocol, Sequence

from objectbase.core.actor import Actor
from objectbase.core.datum_rows import datum_values
from objectbase.core.elementary import elementary_changes
from objectbase.core.datum_service import FieldDatum
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.event_query import MAX_EVENT_PAGE, EventQuery
from objectbase.core.event_service import EventService
from objectbase.core.models import Event, Metadatum, Record, Transition, User
from objectbase.core.permissions import Action, acl_filter, class_allows
from objectbase.core.query import ast
from objectbase.core.records import CountMode, RecordService, RecordTransaction
from objectbase.core.schema import ClassDef, element_type
from objectbase.core.unit_of_work import Storage, UserRows
from objectbase.core.workflow import by_id_filter

__all__ = ["ALL_PARTS", "EventHistory", "EventHistoryPage", "MAX_HISTORY", "QueryOf", "RecordList", "RecordParts",
           "RecordView", "RecordViewService", "ViewTransaction", "record_not_found"]


# The class -> the (unbound) query of a list (a dialect's filters name the class's fields).
QueryOf = Callable[[ClassDef], ast.Query]


class ViewTransaction(RecordTransaction, UserRows, Protocol):
    """Record rows, and the users a view names."""


@dataclass(frozen=True)
class RecordParts:
    """Which parts of a record a view reads (values with datum ids are always read)."""

    metadata: bool = True
    events: bool = True
    transitions: bool = True


ALL_PARTS = RecordParts()


@dataclass(frozen=True)
class RecordView:
    cls: ClassDef
    record: Record
    data: list[FieldDatum]
    metadata: list[Metadatum] | None = None
    events: list[Event] | None = None
    transitions: list[Transition] | None = None


@dataclass(frozen=True)
class RecordList:
    views: list[RecordView]
    # The users the views' values and events name, by id (users since deleted are absent).
    users: Mapping[int, User] = field(default_factory=dict)
    # Matches before paging (lists), else len(views).
    total: int = 0
    # The classes the actor may read, in creation order (what the views' classes are among).
    classes: tuple[ClassDef, ...] = ()
    # Whether `total` is the planner's estimate (records.CountMode).
    total_estimated: bool = False


# Most events one history read goes through (they are expanded and paged by the dialect).
MAX_HISTORY = 10 * MAX_EVENT_PAGE


@dataclass(frozen=True)
class EventHistory:
    """Events oldest first, with the users they name and the classes the actor may read."""

    events: list[Event]
    users: Mapping[int, User]
    classes: tuple[ClassDef, ...]


@dataclass(frozen=True)
class EventHistoryPage(EventHistory):
    """One page of events (in the query's order), and how many match in all."""

    total: int = 0


def record_not_found() -> NotFoundError:
    return NotFoundError("Record not found", code="record_not_found")


class RecordViewService:
    def __init__(self, storage: Storage[ViewTransaction], records: RecordService, events: EventService) -> None:
        self.storage = storage
        self.records = records
        self.events = events

    # -- finding by `_seq` ----------------------------------------------------------------------
    def readable_classes(self, actor: Actor, tx: RecordTransaction) -> list[ClassDef]:
        classes = self.records.classes.get_classes(actor, tx)
        return [c for c in classes if class_allows(actor, Action.READ, c.permissions)]

    def find_by_seqs(self, actor: Actor, tx: RecordTransaction, seqs: Sequence[int],
                     classes: Sequence[ClassDef] | None = None) -> list[tuple[ClassDef, Record]]:
        """The records with those `_seq`s the actor may read (removed ones for admins only), in
        `seqs` order."""
        wanted = tuple(dict.fromkeys(s for s in seqs if isinstance(s, int) and not isinstance(s, bool)))
        found: dict[int, tuple[ClassDef, Record]] = {}
        for cls in self.readable_classes(actor, tx) if classes is None else classes:
            if len(found) == len(wanted):
                break
            where = ast.conjoin(acl_filter(actor, Action.READ, cls.permissions), by_id_filter(actor))
            missing = [s for s in wanted if s not in found]
            for record in tx.select_records_by_seq(cls, missing, where):
                assert record.seq is not None
                found[record.seq] = (cls, record)
        return [found[s] for s in wanted if s in found]

    def locate(self, actor: Actor, tx: RecordTransaction, seq: int) -> tuple[ClassDef, Record]:
        """The record of this `_seq`, if the actor may read it; not found otherwise."""
        found = self.find_by_seqs(actor, tx, [seq])
        if not found:
            raise record_not_found()
        return found[0]

    # -- views ----------------------------------------------------------------------------------
    def _view(self, actor: Actor, tx: ViewTransaction, cls: ClassDef, record: Record, parts: RecordParts) -> RecordView:
        assert record.seq is not None
        data = [FieldDatum(d, f) for f, d in datum_values(cls, record, tx.select_datum_rows(cls.id, record.seq))]
        view = RecordView(cls, record, data)
        if parts.metadata:
            view = replace(view, metadata=tx.select_metadatum_rows(cls.id, record.seq))
        if parts.events:
            page = self.events.list_events(actor, EventQuery(record_seq=record.seq, class_name=cls.name,
                                                             limit=MAX_EVENT_PAGE))
            view = replace(view, events=page.events)
        if parts.transitions:
            view = replace(view, transitions=tx.select_transitions(cls.id, record.seq))
        return view

    def views(self, actor: Actor, tx: ViewTransaction, found: Sequence[tuple[ClassDef, Record]],
              parts: RecordParts = ALL_PARTS, total: int | None = None) -> RecordList:
        """Views of records already read (and checked), with the users they name."""
        views = [self._view(actor, tx, cls, record, parts) for cls, record in found]
        return RecordList(views, self.users_named(tx, actor, views), len(views) if total is None else total,
                          tuple(self.readable_classes(actor, tx)))

    def users_named(self, tx: UserRows, actor: Actor, views: Sequence[RecordView],
                    more: Sequence[int] = ()) -> dict[int, User]:
        ids: set[int] = set(more)
        for view in views:
            ids.add(view.record.user_id)
            ids.update(d.datum.value for d in view.data if element_type(d.field.type).name == "User")
            ids.update(_users_in_events([view.cls], view.events or ()))
        return self.load_users(tx, actor, ids)

    @staticmethod
    def load_users(tx: UserRows, actor: Actor, ids: set[int]) -> dict[int, User]:
        users = (tx.select_user(actor.app_id, i) for i in sorted(i for i in ids if i))
        return {u.id: u for u in users if u is not None}

    def view_record(self, actor: Actor, seq: int, parts: RecordParts = ALL_PARTS) -> RecordList:
        """One record by `_seq`, viewed whole (or as `parts` says)."""
        with self.storage.transaction(write=False) as tx:
            return self.views(actor, tx, [self.locate(actor, tx, seq)], parts)

    def view_records(self, actor: Actor, class_id: int | None, seqs: Sequence[int] | None, query_of: QueryOf,
                     parts: RecordParts, count_mode: CountMode = "exact") -> RecordList:
        """Records of one class (by id) matching the (unbound) query `query_of` gives for it, paged,
        with the total; `seqs` narrows them to those `_seq`s (then the class may be None: any class;
        the first class's paging applies)."""
        with self.storage.transaction(write=False) as tx:
            classes = self.readable_classes(actor, tx)
            if class_id is not None:
                classes = [c for c in classes if c.id == class_id]
                if not classes:
                    raise NotFoundError("No class of this id exists", code="class_not_found")
            if seqs is None:
                if class_id is None:
                    raise ValidationError.single("class", "required", "a class or a list of records is needed")
                (cls,) = classes
                query = query_of(cls)
                found = self.records.find_records(actor, cls.name, query, count_total=True, count_mode=count_mode)
                listed = self.views(actor, tx, [(cls, r) for r in found.records], parts, found.total)
                return replace(listed, total_estimated=found.total_estimated)
            by_seq = self.find_by_seqs(actor, tx, seqs, classes)
            pages: list[tuple[ClassDef, Record]] = []
            total = 0
            query = ast.Query()
            # Named records are few (a bounded list): each class's matches are narrowed to them by `_id`.
            for cls in classes:
                ids = tuple(r.id for c, r in by_seq if c.id == cls.id)
                if not ids:
                    continue
                query = query_of(cls)
                narrowed = replace(query, where=ast.conjoin(ast.In("_id", ids), query.where), skip=0, limit=None)
                found = self.records.find_records(actor, cls.name, narrowed)
                pages += [(cls, r) for r in found.records]
                total += len(found.records)
            end = None if query.limit is None else query.skip + query.limit
            return self.views(actor, tx, pages[query.skip:end], parts, total)

    def event_history(self, actor: Actor, query: EventQuery, class_id: int | None = None) -> EventHistory:
        """Every event matching the query (up to MAX_HISTORY), of the class `class_id` if given."""
        with self.storage.transaction(write=False) as tx:
            classes = tuple(self.readable_classes(actor, tx))
            if class_id is not None:
                cls = next((c for c in classes if c.id == class_id), None)
                if cls is None:
                    raise NotFoundError("No class of this id exists", code="class_not_found")
                query = replace(query, class_name=cls.name)
            events: list[Event] = []
            while len(events) < MAX_HISTORY:
                page = self.events.list_events(actor, replace(query, offset=len(events), limit=MAX_EVENT_PAGE))
                events += page.events
                if len(page.events) < MAX_EVENT_PAGE:
                    break
            return EventHistory(events, self.load_users(tx, actor, _users_in_events(classes, events)), classes)

    def event_page(self, actor: Actor, query: EventQuery) -> EventHistoryPage:
        """One page of the events matching the query (as `EventService.list_events` pages them), with
        the users they name and the classes the actor may read: what a feed or a timeline shows."""
        with self.storage.transaction(write=False) as tx:
            classes = tuple(self.readable_classes(actor, tx))
            page = self.events.list_events(actor, query)
            # The users of `user.*` events are named too (their subject is the user's id).
            subjects = {int(e.subject_id) for e in page.events
                        if e.kind.startswith("user.") and e.subject_id.isdigit()}
            users = self.load_users(tx, actor, _users_in_events(classes, page.events) | subjects)
            return EventHistoryPage(page.events, users, classes, page.total)


def _users_in_events(classes: Sequence[ClassDef], events: Sequence[Event]) -> set[int]:
    """The acting users, and the users that User values changed from or to."""
    by_id = {c.id: c for c in classes}
    named = {e.actor_user_id for e in events if e.actor_user_id is not None}
    for event in events:
        cls = by_id.get(event.class_id or 0)
        if cls is None:
            continue
        for change in elementary_changes(cls, event):
            if element_type(cls.fields[change.field].type).name == "User":
                named.update(v for v in (change.old_value, change.new_value) if isinstance(v, int))
    return named
