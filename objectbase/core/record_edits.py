"""Record writes that change several things at once, each one transaction: create (or duplicate) a
record with its values and metadata; edit a record's values, state, metadata and archive/trash
marks together; add, change or remove one value or one metadatum of a record named by `_seq`.

Every step goes through the record, datum and metadatum services (so permissions, casting, the
event history and the datum rows behave as for any other write), inside one transaction that each
step joins: any failure leaves nothing written. Each step writes its own event, so one request
leaves one event per elementary change.

Values arrive through a `ValuesOf` callback: the dialect reads its wire form against the class the
record turns out to be in (only known inside the transaction, e.g. for a duplicate)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from objectbase.core.actor import Actor
from objectbase.core.datum_service import DatumService
from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.metadatum_service import MetadatumService
from objectbase.core.models import Metadatum, Record
from objectbase.core.query import ast
from objectbase.core.records import NewRecord, RecordChange, RecordService
from objectbase.core.record_views import ALL_PARTS, RecordList, RecordViewService, ViewTransaction
from objectbase.core.schema import ClassDef, FieldDef
from objectbase.core.unit_of_work import Storage, writes
from objectbase.core.updates import FieldChange

__all__ = ["MetadatumValue", "NewValueOf", "RecordDraft", "RecordEdit", "RecordEditService", "ValueOf", "ValuesOf"]

# The class -> the values to set (field name -> client value, cast by the core).
ValuesOf = Callable[[ClassDef], Mapping[str, Any]]
# The class -> (field, client value) of one new value.
ValueOf = Callable[[ClassDef], tuple[FieldDef, Any]]
# The class and a value's field -> the client's new value.
NewValueOf = Callable[[ClassDef, FieldDef], Any]


@dataclass(frozen=True)
class MetadatumValue:
    representation: int
    decimal_value: float | None = None
    record_value: int | None = None


@dataclass(frozen=True)
class RecordDraft:
    """A new record: in class `class_id`, or a copy of the record `original_seq` (then `values`
    replace the copied values of their fields)."""

    values: ValuesOf
    class_id: int | None = None
    original_seq: int | None = None
    # None: the class's first state (a copy: the original's).
    state_id: int | None = None
    metadata: Sequence[MetadatumValue] = ()


@dataclass(frozen=True)
class RecordEdit:
    """What to change; None leaves a part as it is."""

    values: ValuesOf | None = None
    state_id: int | None = None
    archived: bool | None = None
    removed: bool | None = None
    # The record's metadata of each representation named are replaced by these.
    metadata: Sequence[MetadatumValue] | None = None
    # The class the client believes the record in: refused if it is another.
    class_id: int | None = None


class RecordEditService:
    def __init__(self, storage: Storage[ViewTransaction], records: RecordService, views: RecordViewService,
                 datum_values: DatumService, metadata: MetadatumService) -> None:
        self.storage = storage
        self.records = records
        self.views = views
        self.datum_values = datum_values
        self.metadata = metadata

    def _add_metadata(self, actor: Actor, cls: ClassDef, record: Record, items: Sequence[MetadatumValue]) -> None:
        for item in items:
            self.metadata.add_metadatum(actor, cls.name, record.id, item.representation, item.decimal_value,
                                        item.record_value)

    @writes
    def create_record(self, actor: Actor, draft: RecordDraft) -> RecordList:
        with self.storage.transaction(write=True) as tx:
            if draft.original_seq is not None:
                cls, original = self.views.locate(actor, tx, draft.original_seq)
                if draft.class_id is not None and draft.class_id != cls.id:
                    raise ValidationError.single("dataset", "invalid", "a copy is made in the original's class")
                record = self.records.duplicate(actor, cls.name, original.id, dict(draft.values(cls)),
                                                state_id=draft.state_id)
            else:
                chosen = next((c for c in self.views.readable_classes(actor, tx) if c.id == draft.class_id), None)
                if chosen is None:
                    raise NotFoundError("No class of this id exists", code="class_not_found")
                cls = chosen
                if not cls.states:
                    raise ValidationError.single("state", "class_without_states",
                                                 f"{cls.name} has no states; a record needs one")
                values = draft.values(cls)
                record = self.records.create_records(
                    actor, cls.name, [NewRecord(values, state_id=draft.state_id)]).records[0]
            self._add_metadata(actor, cls, record, draft.metadata)
            return self.views.views(actor, tx, [(cls, record)], ALL_PARTS)

    def _update_values(self, actor: Actor, cls: ClassDef, record: Record, values: Mapping[str, Any]) -> None:
        if not values:
            return
        changes = [FieldChange(name, "set", value) for name, value in values.items()]
        result = self.records.update_records(actor, cls.name, [RecordChange(record.id, changes)])
        if result.denied:
            raise PermissionDeniedError()

    @writes
    def edit_record(self, actor: Actor, seq: int, edit: RecordEdit) -> RecordList:
        """Marks come off first and go on last, so one request may restore and change a record, or
        change it and archive it."""
        with self.storage.transaction(write=True) as tx:
            cls, record = self.views.locate(actor, tx, seq)
            if edit.class_id is not None and edit.class_id != cls.id:
                raise ValidationError.single("dataset", "invalid", "a record stays in its class")
            name, rid = cls.name, record.id
            if edit.removed is False and record.removed_at is not None:
                record = self.records.restore(actor, name, rid)
            if edit.archived is False and record.archived_at is not None:
                record = self.records.unarchive(actor, name, rid)
            if edit.values is not None:
                self._update_values(actor, cls, record, edit.values(cls))
            if edit.state_id is not None:
                self.records.change_state(actor, name, rid, edit.state_id)
            if edit.metadata is not None:
                self._replace_metadata(actor, tx, cls, record, edit)
            if edit.archived is True and record.archived_at is None:
                self.records.archive(actor, name, rid)
            if edit.removed is True and record.removed_at is None:
                self.records.remove(actor, name, rid)
            # Read back as changed, even a record the actor has just moved to the trash (and so no
            # longer sees): the actor could read it when the request began.
            (after,) = tx.select_records_by_seq(cls, [seq], ast.TRUE)
            return self.views.views(actor, tx, [(cls, after)], ALL_PARTS)

    def _replace_metadata(self, actor: Actor, tx: ViewTransaction, cls: ClassDef, record: Record,
                            edit: RecordEdit) -> None:
        assert edit.metadata is not None and record.seq is not None
        replaced = {m.representation for m in edit.metadata}
        for old in tx.select_metadatum_rows(cls.id, record.seq):
            if old.representation in replaced:
                self.metadata.remove_metadatum(actor, old.id)
        self._add_metadata(actor, cls, record, edit.metadata)

    @writes
    def delete_record(self, actor: Actor, seq: int) -> None:
        """Delete a record in the trash for good (admins only; 409 for one that is not removed)."""
        with self.storage.transaction(write=True) as tx:
            cls, record = self.views.locate(actor, tx, seq)
            self.records.purge(actor, cls.name, record.id)

    # -- one value ------------------------------------------------------------------------------
    @writes
    def add_value(self, actor: Actor, seq: int, value_of: ValueOf) -> RecordList:
        """Add one value to the record; the result's one view holds only the new datum."""
        with self.storage.transaction(write=True) as tx:
            cls, record = self.views.locate(actor, tx, seq)
            field_def, value = value_of(cls)
            added = self.datum_values.add_datum(actor, cls.name, record.id, field_def.name, value)
            return self._one_datum(actor, tx, cls, added.datum.id)

    @writes
    def change_value(self, actor: Actor, datum_id: int, value_of: NewValueOf) -> RecordList:
        with self.storage.transaction(write=True) as tx:
            cls, _record, found = self.datum_values.get_datum(actor, datum_id)
            self.datum_values.change_datum(actor, datum_id, value_of(cls, found.field))
            return self._one_datum(actor, tx, cls, datum_id)

    def _one_datum(self, actor: Actor, tx: ViewTransaction, cls: ClassDef, datum_id: int) -> RecordList:
        _cls, record, found = self.datum_values.get_datum(actor, datum_id)
        listed = self.views.views(actor, tx, [(cls, record)], ALL_PARTS)
        view = listed.views[0]
        only = type(view)(view.cls, view.record, [found])
        return RecordList([only], listed.users, 1, listed.classes)

    def list_values(self, actor: Actor, seq: int, field_id: int | None) -> RecordList:
        """The record's values (all, or one field's) as a view without the other parts."""
        with self.storage.transaction(write=False) as tx:
            cls, record = self.views.locate(actor, tx, seq)
            listed = self.views.views(actor, tx, [(cls, record)], ALL_PARTS)
            view = listed.views[0]
            data = [d for d in view.data if field_id is None or d.field.id == field_id]
            return RecordList([type(view)(cls, record, data)], listed.users, 1, listed.classes)

    def get_value(self, actor: Actor, datum_id: int) -> RecordList:
        with self.storage.transaction(write=False) as tx:
            cls, _record, _found = self.datum_values.get_datum(actor, datum_id)
            return self._one_datum(actor, tx, cls, datum_id)

    # -- one metadatum --------------------------------------------------------------------------
    @writes
    def add_metadatum(self, actor: Actor, seq: int, value: MetadatumValue) -> tuple[ClassDef, Record, Metadatum]:
        with self.storage.transaction(write=True) as tx:
            cls, record = self.views.locate(actor, tx, seq)
            added = self.metadata.add_metadatum(actor, cls.name, record.id, value.representation,
                                                value.decimal_value, value.record_value)
            return cls, record, added

    def get_metadatum(self, actor: Actor, metadatum_id: int) -> tuple[ClassDef, Record, Metadatum]:
        with self.storage.transaction(write=False) as tx:
            found = self.metadata.get_metadatum(actor, metadatum_id)
            cls, record = self.views.locate(actor, tx, found.record_seq)
            return cls, record, found

    def list_metadata(self, actor: Actor, seq: int) -> tuple[ClassDef, Record, list[Metadatum]]:
        with self.storage.transaction(write=False) as tx:
            cls, record = self.views.locate(actor, tx, seq)
            return cls, record, self.metadata.metadatum_list(actor, cls.name, record.id)

    @writes
    def change_metadatum(self, actor: Actor, metadatum_id: int, value: MetadatumValue
                         ) -> tuple[ClassDef, Record, Metadatum]:
        """A metadatum's new value; its representation stays (`value.representation`: 0, or the same)."""
        with self.storage.transaction(write=True):
            current = self.metadata.get_metadatum(actor, metadatum_id)
            if value.representation not in (0, current.representation):
                raise ValidationError.single("representation", "invalid", "a metadatum stays with its representation")
            self.metadata.change_metadatum(actor, metadatum_id, value.decimal_value, value.record_value)
            return self.get_metadatum(actor, metadatum_id)
