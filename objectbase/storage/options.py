"""Rows of Option fields' options (ids assigned by the database), and Record fields' target class."""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from sqlalchemy import delete, func, select, update

from objectbase.core.fields.references import OptionDef
from objectbase.core.schema import ClassDef
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import fields, options

__all__ = ["OptionRows", "select_options"]


def select_options(rows: RowsBase, field_ids: Iterable[int]) -> dict[int, tuple[OptionDef, ...]]:
    """Options by field id, in their order."""
    ids = list(field_ids)
    found: dict[int, list[OptionDef]] = {}
    if ids:
        statement = (select(options).where(options.c.field_id.in_(ids))
                     .order_by(options.c.field_id, options.c.position, options.c.id))
        for row in rows.conn.execute(statement):
            found.setdefault(row.field_id, []).append(OptionDef(row.id, row.text, row.color, row.position))
    return {field_id: tuple(items) for field_id, items in found.items()}


class OptionRows(RowsBase):
    def insert_option(self, class_id: int, field_id: int, text: str, color: int) -> int:
        last = self.conn.execute(select(func.max(options.c.position)).where(options.c.field_id == field_id)).scalar()
        self.touch_class(class_id)
        return self.insert_returning_id(options, dict(field_id=field_id, text=text, color=color,
                                                      position=0 if last is None else last + 1))

    def update_option(self, class_id: int, option_id: int, values: Mapping[str, object]) -> None:
        self.conn.execute(update(options).where(options.c.id == option_id).values(**values))
        self.touch_class(class_id)

    def reorder_options(self, class_id: int, option_ids: Sequence[int]) -> None:
        for position, option_id in enumerate(option_ids):
            self.conn.execute(update(options).where(options.c.id == option_id).values(position=position))
        self.touch_class(class_id)

    def delete_option(self, class_id: int, option_id: int) -> None:
        self.conn.execute(delete(options).where(options.c.id == option_id))
        self.touch_class(class_id)

    def set_field_targets(self, cls: ClassDef, targets: Mapping[str, int]) -> None:
        """Record fields' target classes, by field name -> class id."""
        for name, class_id in targets.items():
            self.conn.execute(update(fields).where(fields.c.id == cls.fields[name].id)
                              .values(target_class_id=class_id))
        self.touch_class(cls.id)
