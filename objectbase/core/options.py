"""Options of Option fields, managed one by one (the class file only ever adds them): add, change,
reorder, delete. Ids come from the database and never change, so records keep pointing at the same
option through a rename. Deleting an option that records use is refused unless the caller asks to
clear it from them; clearing writes those records (and their events) in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, Sequence

from objectbase.core.actor import Actor
from objectbase.core.classes import ClassService, record_change, require_admin
from objectbase.core.errors import ConflictError, LimitExceededError, NotFoundError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.fields.references import DEFAULT_OPTION_COLOR, OptionDef
from objectbase.core.query import ast
from objectbase.core.records import record_snapshot
from objectbase.core.schema import ClassDef, FieldDef, element_type
from objectbase.core.storable import is_storable_text
from objectbase.core.unit_of_work import (
    AppRows, ClassRows, Committing, EventRows, OptionRows, RecordRows, Storage, writes,
)

__all__ = ["MAX_CLEARED", "OptionService", "OptionTransaction"]

# Records one delete-with-clear may rewrite in a single transaction.
MAX_CLEARED = 1000


class OptionTransaction(Committing, ClassRows, OptionRows, RecordRows, AppRows, EventRows, Protocol):
    """What option management reads and writes (records: those using an option being deleted)."""


def _text(text: object) -> str:
    if not isinstance(text, str) or not text.strip() or len(text) > 255 or not is_storable_text(text):
        raise ValidationError.single("text", "invalid", "an option needs a text of 1 to 255 characters")
    return text


def _color(color: object) -> int:
    if isinstance(color, bool) or not isinstance(color, int) or not 0 <= color <= 0xFFFFFFFF:
        raise ValidationError.single("color", "invalid", "color is a packed ARGB value, 0 to 4294967295")
    return color


def _option(field: FieldDef, option_id: int) -> OptionDef:
    for option in field.options:
        if option.id == option_id:
            return option
    raise NotFoundError("No option of this id exists", code="option_not_found",
                        details={"field": field.name, "option": option_id})


def _using(field: FieldDef, option_id: int) -> ast.Node:
    """Records whose field holds the option."""
    if field.type.is_array:
        return ast.ArrayHas(field.name, (option_id,), mode="any")
    return ast.Compare(field.name, "eq", option_id)


class OptionService:
    def __init__(self, storage: Storage[OptionTransaction], classes: ClassService) -> None:
        self.storage = storage
        self.classes = classes

    def _field(self, actor: Actor, tx: OptionTransaction, class_name: str, field_name: str
               ) -> tuple[ClassDef, FieldDef]:
        require_admin(actor)
        cls = self.classes.get_class(actor, class_name, tx)
        field = cls.fields.get(field_name)
        if field is None:
            raise NotFoundError("No field of this name exists", code="field_not_found",
                                details={"class": class_name, "field": field_name})
        if element_type(field.type).name != "Option":
            raise ValidationError.single(field_name, "invalid", f"{field_name} is not an Option field")
        return cls, field

    @staticmethod
    def _reloaded(actor: Actor, tx: OptionTransaction, old: ClassDef, field_name: str) -> FieldDef:
        return record_change(actor, tx, old).fields[field_name]

    @writes
    def add_option(self, actor: Actor, class_name: str, field_name: str, text: str,
                   color: int = DEFAULT_OPTION_COLOR) -> OptionDef:
        """A new option, last in order."""
        with self.storage.transaction(write=True) as tx:
            cls, field = self._field(actor, tx, class_name, field_name)
            text = _text(text)
            if any(o.text == text for o in field.options):
                raise ConflictError("The field already has an option with this text", code="option_exists",
                                    details={"field": field_name, "text": text})
            option_id = tx.insert_option(cls.id, field.id, text, _color(color))
            return _option(self._reloaded(actor, tx, cls, field_name), option_id)

    @writes
    def change_option(self, actor: Actor, class_name: str, field_name: str, option_id: int, *,
                      text: str | None = None, color: int | None = None) -> OptionDef:
        """Rename or recolour an option; records keep it (they store its id)."""
        with self.storage.transaction(write=True) as tx:
            cls, field = self._field(actor, tx, class_name, field_name)
            option = _option(field, option_id)
            changed = replace(option, text=option.text if text is None else _text(text),
                              color=option.color if color is None else _color(color))
            if any(o.text == changed.text and o.id != option_id for o in field.options):
                raise ConflictError("The field already has an option with this text", code="option_exists",
                                    details={"field": field_name, "text": changed.text})
            tx.update_option(cls.id, option_id, {"text": changed.text, "color": changed.color})
            return _option(self._reloaded(actor, tx, cls, field_name), option_id)

    @writes
    def reorder_options(self, actor: Actor, class_name: str, field_name: str,
                        option_ids: Sequence[int]) -> tuple[OptionDef, ...]:
        """Put the options in this order; it must name each of the field's options once."""
        with self.storage.transaction(write=True) as tx:
            cls, field = self._field(actor, tx, class_name, field_name)
            if sorted(option_ids) != sorted(o.id for o in field.options):
                raise ValidationError.single("options", "invalid", "must list each of the field's option ids once")
            tx.reorder_options(cls.id, option_ids)
            return self._reloaded(actor, tx, cls, field_name).options

    @writes
    def delete_option(self, actor: Actor, class_name: str, field_name: str, option_id: int, *,
                      clear: bool = False) -> int:
        """Delete an option. If records use it: refused (`option_in_use`), or with `clear` removed from
        them (set to null, or dropped from an array), each change an event. Returns how many records
        were cleared."""
        with self.storage.transaction(write=True) as tx:
            cls, field = self._field(actor, tx, class_name, field_name)
            _option(field, option_id)
            using = _using(field, option_id)
            count = tx.count_records(cls, using)
            if count and not clear:
                raise ConflictError("Records use this option; delete it with clear to remove it from them",
                                    code="option_in_use",
                                    details={"field": field_name, "option": option_id, "records": count})
            if count > MAX_CLEARED:
                raise LimitExceededError(f"More than {MAX_CLEARED} records use this option",
                                         code="too_many_matches")
            if count:
                self._clear(actor, tx, cls, field, option_id, using)
            tx.delete_option(cls.id, option_id)
            self._reloaded(actor, tx, cls, field_name)
            return count

    @staticmethod
    def _clear(actor: Actor, tx: OptionTransaction, cls: ClassDef, field: FieldDef, option_id: int,
               using: ast.Node) -> None:
        old = tx.select_records(cls, ast.Query(where=using), for_update=True)
        new = []
        for record in old:
            value = record.values[field.name]
            cleared = [v for v in value if v != option_id] if field.type.is_array else None
            new.append(replace(record, values={**record.values, field.name: cleared}))
        tx.update_records(cls, new)
        tx.insert_events([make_event(actor, "record.updated", n.id, class_id=cls.id, record_seq=o.seq,
                                     old=record_snapshot(cls, o), new=record_snapshot(cls, n))
                          for o, n in zip(old, new)])
