"""Datums as a core API: read a record's values with their stable ids, and add, change or remove
one value by id. Every command goes through `RecordService.update_records`, so casting, permissions,
the event history and the datum rows themselves behave exactly as for any other update."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from objectbase.core.actor import Actor
from objectbase.core.datum_rows import datum_values
from objectbase.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.models import Datum, Record
from objectbase.core.records import RecordChange, RecordService, RecordTransaction
from objectbase.core.schema import ClassDef, FieldDef
from objectbase.core.unit_of_work import Storage, writes
from objectbase.core.updates import FieldChange

__all__ = ["DatumService", "FieldDatum"]


@dataclass(frozen=True)
class FieldDatum:
    datum: Datum
    field: FieldDef


def _datum_not_found() -> NotFoundError:
    return NotFoundError("Datum not found", code="datum_not_found")


class DatumService:
    def __init__(self, storage: Storage[RecordTransaction], records: RecordService) -> None:
        self.storage = storage
        self.records = records

    def datum_list(self, actor: Actor, class_name: str, record_id: str,
                    field_name: str | None = None) -> list[FieldDatum]:
        """The record's datum rows (read permission), in field order then element order."""
        with self.storage.transaction(write=False) as tx:
            cls, record = self.records.get_record(actor, class_name, record_id)
            field_ids = None
            if field_name is not None:
                field_ids = [self._field(cls, field_name).id]
            assert record.seq is not None
            rows = tx.select_datum_rows(cls.id, record.seq, field_ids)
            return [FieldDatum(d, f) for f, d in datum_values(cls, record, rows)]

    def get_datum(self, actor: Actor, datum_id: int) -> tuple[ClassDef, Record, FieldDatum]:
        """One datum with its record and class; not found when the actor may not read the record."""
        with self.storage.transaction(write=False) as tx:
            row = tx.select_datum(actor.app_id, datum_id)
            if row is None:
                raise _datum_not_found()
            located = self.records.get_record_by_seq(actor, tx, row.class_id, row.record_seq)
            if located is None:
                raise _datum_not_found()
            cls, record = located
            for field_def, datum in datum_values(cls, record, [row]):
                return cls, record, FieldDatum(datum, field_def)
            raise _datum_not_found()

    @staticmethod
    def _field(cls: ClassDef, name: str) -> FieldDef:
        field_def = cls.fields.get(name)
        if field_def is None or field_def.type.read_only:
            raise ValidationError.single("field", "invalid", f"{name} is not a writable field of {cls.name}")
        return field_def

    def _update(self, actor: Actor, cls: ClassDef, record_id: str, change: FieldChange) -> None:
        result = self.records.update_records(actor, cls.name, [RecordChange(record_id, [change])])
        if result.denied:
            raise PermissionDeniedError()
        if not result.records:
            raise NotFoundError("Record not found", code="record_not_found")

    @writes
    def add_datum(self, actor: Actor, class_name: str, record_id: str, field_name: str, value: Any) -> FieldDatum:
        """A new value: appended to a plural field, or set on a scalar field that has none."""
        with self.storage.transaction(write=True):
            cls, record = self.records.get_record(actor, class_name, record_id)
            field_def = self._field(cls, field_name)
            if field_def.type.is_array:
                change = FieldChange(field_def.name, "push", [value])
            elif record.values.get(field_def.name) is not None:
                raise ValidationError.single(field_def.name, "taken",
                                             f"{field_def.name} already has a value; change its datum instead")
            else:
                change = FieldChange(field_def.name, "set", value)
            if value is None:
                raise ValidationError.single(field_def.name, "blank", f"{field_def.name} needs a value")
            self._update(actor, cls, record_id, change)
            return self.datum_list(actor, class_name, record_id, field_def.name)[-1]

    @writes
    def change_datum(self, actor: Actor, datum_id: int, value: Any) -> FieldDatum:
        """A new value for one datum, which keeps its id."""
        if value is None:
            raise ValidationError.single("value", "blank", "a datum needs a value; remove it instead")
        with self.storage.transaction(write=True):
            cls, record, found = self.get_datum(actor, datum_id)
            name = found.field.name
            if found.field.type.is_array:
                change = FieldChange(name, "set_index", value, found.datum.position)
            else:
                change = FieldChange(name, "set", value)
            self._update(actor, cls, record.id, change)
            return self.get_datum(actor, datum_id)[2]

    @writes
    def remove_datum(self, actor: Actor, datum_id: int) -> None:
        """Removes the value: a scalar becomes null (refused for a required field), an element leaves
        its array."""
        with self.storage.transaction(write=True):
            cls, record, found = self.get_datum(actor, datum_id)
            name = found.field.name
            value: Any = None
            if found.field.type.is_array:
                elements = list(record.values.get(name) or [])
                del elements[found.datum.position]
                value = elements
            self._update(actor, cls, record.id, FieldChange(name, "set", value))
