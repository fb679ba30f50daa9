"""Metadatum rows: per-record, per-representation data the core stores but does not interpret (e.g. a
record's order in a kanban column): a number or a link to another record (its `_seq`). The core
models a representation only as an integer id. Writes need the record's update permission, reads
its read permission; a record's metadatum rows are deleted with it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from objectbase.core.actor import Actor
from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.models import Metadatum, Record
from objectbase.core.permissions import Action, is_allowed
from objectbase.core.schema import ClassDef
from objectbase.core.unit_of_work import Storage, writes

if TYPE_CHECKING:  # records.py's transaction includes these rows, so it imports this module
    from objectbase.core.records import RecordService, RecordTransaction

__all__ = ["MetadatumService"]


def _checked_value(decimal_value: float | None, record_value: int | None) -> None:
    if decimal_value is not None and (isinstance(decimal_value, bool) or not isinstance(decimal_value, (int, float))
                                      or not math.isfinite(decimal_value)):
        raise ValidationError.single("decimal_value", "invalid", "decimal_value must be a finite number")
    if record_value is not None and (isinstance(record_value, bool) or not isinstance(record_value, int)):
        raise ValidationError.single("record_value", "invalid", "record_value must be a record's integer id")


def _require(actor: Actor, action: Action, cls: ClassDef, record: Record) -> None:
    if not is_allowed(actor, action, cls.permissions, record.user_id, record.acl):
        raise PermissionDeniedError()


def _not_found() -> NotFoundError:
    return NotFoundError("Metadatum not found", code="metadatum_not_found")


class MetadatumService:
    def __init__(self, storage: Storage[RecordTransaction], records: RecordService) -> None:
        self.storage = storage
        self.records = records

    def _record(self, actor: Actor, class_name: str, record_id: str, action: Action) -> tuple[ClassDef, Record]:
        cls, record = self.records.get_record(actor, class_name, record_id)
        _require(actor, action, cls, record)
        return cls, record

    def metadatum_list(self, actor: Actor, class_name: str, record_id: str) -> list[Metadatum]:
        with self.storage.transaction(write=False) as tx:
            cls, record = self._record(actor, class_name, record_id, Action.READ)
            assert record.seq is not None
            return tx.select_metadatum_rows(cls.id, record.seq)

    @writes
    def add_metadatum(self, actor: Actor, class_name: str, record_id: str, representation: int,
                      decimal_value: float | None = None, record_value: int | None = None) -> Metadatum:
        if isinstance(representation, bool) or not isinstance(representation, int) or not 0 < representation < 2**31:
            raise ValidationError.single("representation", "invalid", "representation must be a positive 32-bit id")
        _checked_value(decimal_value, record_value)
        with self.storage.transaction(write=True) as tx:
            cls, record = self._record(actor, class_name, record_id, Action.UPDATE)
            assert record.seq is not None
            return tx.insert_metadatum(actor.app_id, cls.id, record.seq, representation, decimal_value, record_value)

    def _owned(self, actor: Actor, tx: RecordTransaction, metadatum_id: int, action: Action) -> Metadatum:
        """The metadatum, if the actor may `action` its record (not found when it may not read it)."""
        found = tx.select_metadatum(actor.app_id, metadatum_id)
        located = None if found is None else self.records.get_record_by_seq(actor, tx, found.class_id,
                                                                          found.record_seq)
        if found is None or located is None:
            raise _not_found()
        _require(actor, action, *located)
        return found

    def get_metadatum(self, actor: Actor, metadatum_id: int) -> Metadatum:
        with self.storage.transaction(write=False) as tx:
            return self._owned(actor, tx, metadatum_id, Action.READ)

    @writes
    def change_metadatum(self, actor: Actor, metadatum_id: int, decimal_value: float | None,
                         record_value: int | None) -> Metadatum:
        _checked_value(decimal_value, record_value)
        with self.storage.transaction(write=True) as tx:
            found = self._owned(actor, tx, metadatum_id, Action.UPDATE)
            tx.update_metadatum(metadatum_id, decimal_value, record_value)
            return Metadatum(found.id, found.class_id, found.record_seq, found.representation, decimal_value,
                             record_value)

    @writes
    def remove_metadatum(self, actor: Actor, metadatum_id: int) -> None:
        with self.storage.transaction(write=True) as tx:
            self._owned(actor, tx, metadatum_id, Action.UPDATE)
            tx.delete_metadatum(metadatum_id)
