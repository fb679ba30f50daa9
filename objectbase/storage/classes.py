from __future__ import annotations

from typing import Any, Mapping, Sequence

from sqlalchemy import delete, func, insert, select, update

from objectbase.core.fields import FieldType, field_type
from objectbase.core.fields.arrays import ArrayType
from objectbase.core.fields.references import OptionDef, OptionType, RecordType
from objectbase.core.permissions import Access, Action, ClassPermissions, Permission
from objectbase.core.schema import ClassDef, ClassSpec, FieldDef
from objectbase.storage.options import select_options
from objectbase.storage.states import StateRows, select_states
from objectbase.storage.system_tables import classes, datums, fields, options

__all__ = ["ClassRows"]


def _permissions_to_json(p: ClassPermissions) -> dict[str, Any]:
    return {
        "acl": {a.value: {"access": perm.access.value, "members": list(perm.members)} for a, perm in p.acl.items()},
        "use_class": {a.value: on for a, on in p.use_class.items()},
    }


def _permissions_from_json(data: dict[str, Any]) -> ClassPermissions:
    return ClassPermissions(
        acl={Action(a): Permission(Access(v["access"]), tuple(v["members"])) for a, v in data["acl"].items()},
        use_class={Action(a): bool(on) for a, on in data["use_class"].items()},
    )


def _bound_type(name: str, options: tuple[OptionDef, ...], target_class_id: int | None) -> FieldType:
    """The field's type carrying what casting and references need: its options, its target class."""
    type_ = field_type(name)
    element = type_.element if isinstance(type_, ArrayType) else type_
    if isinstance(element, OptionType):
        element = OptionType(options)
    elif isinstance(element, RecordType):
        element = RecordType(target_class_id)
    else:
        return type_
    return ArrayType(element) if isinstance(type_, ArrayType) else element


class ClassRows(StateRows):
    def select_classes(self, app_id: int) -> list[ClassDef]:
        class_rows = self.conn.execute(select(classes).where(classes.c.app_id == app_id)
                                       .order_by(classes.c.id)).all()
        if not class_rows:
            return []
        field_rows = self.conn.execute(
            select(fields).where(fields.c.class_id.in_([r.id for r in class_rows]))
            .order_by(fields.c.class_id, fields.c.position, fields.c.id)).all()
        by_class: dict[int, dict[str, FieldDef]] = {r.id: {} for r in class_rows}
        options_by_field = select_options(self, (f.id for f in field_rows if f.type.startswith("Option")))
        for f in field_rows:
            type_ = _bound_type(f.type, options_by_field.get(f.id, ()), f.target_class_id)
            by_class[f.class_id][f.name] = FieldDef(f.id, f.name, type_, f.indexed, f.required, f.title,
                                                    f.parameters)
        states_of = select_states(self.conn, [r.id for r in class_rows])
        return [
            ClassDef(id=r.id, app_id=r.app_id, name=r.name, fields=by_class[r.id],
                     permissions=_permissions_from_json(r.permissions),
                     states=states_of.get(r.id, ()),
                     version=r.version, position=r.position, path=r.path, disabled=r.disabled)
            for r in class_rows
        ]

    def _insert_fields(self, class_id: int, specs: Any, start: int) -> None:
        rows = [dict(class_id=class_id, name=s.name, type=s.type.name, indexed=s.indexed,
                     required=s.required, position=start + i) for i, s in enumerate(specs)]
        if rows:
            self.conn.execute(insert(fields), rows)

    def _reload(self, app_id: int, class_id: int) -> ClassDef:
        return next(c for c in self.select_classes(app_id) if c.id == class_id)

    def insert_class(self, app_id: int, spec: ClassSpec, now: float) -> ClassDef:
        # Last in the app's catalogue.
        count = self.conn.execute(select(func.count()).select_from(classes).where(classes.c.app_id == app_id)).scalar()
        class_id = self.insert_returning_id(classes, dict(
            app_id=app_id, name=spec.name, permissions=_permissions_to_json(spec.permissions),
            version=1, created_at=now, updated_at=now, position=count or 0,
            path=None if spec.path is ... else spec.path, disabled=bool(spec.disabled)))
        self._insert_fields(class_id, spec.fields, 0)
        self.save_states(self._reload(app_id, class_id), spec.states, {})
        cls = self._reload(app_id, class_id)
        self.class_tables.create(self.conn, cls)
        return cls

    def update_class(self, current: ClassDef, spec: ClassSpec, now: float,
                     state_ids: Mapping[str, int] | None = None) -> ClassDef:
        """`state_ids`: which existing state each of the spec's states is (by name when None)."""
        new_fields = [s for s in spec.fields if s.name not in current.fields]
        self._insert_fields(current.id, new_fields, len(current.fields))
        for field_spec in spec.fields:
            existing = current.fields.get(field_spec.name)
            if existing is not None and (existing.indexed, existing.required) != (field_spec.indexed,
                                                                                 field_spec.required):
                self.conn.execute(update(fields).where(fields.c.id == existing.id)
                                  .values(indexed=existing.indexed or field_spec.indexed,
                                          required=field_spec.required))
        listing: dict[str, Any] = {} if spec.path is ... else {"path": spec.path}
        if spec.disabled is not None:
            listing["disabled"] = spec.disabled
        self.conn.execute(update(classes).where(classes.c.id == current.id).values(
            permissions=_permissions_to_json(spec.permissions),
            version=classes.c.version + 1, updated_at=now, **listing))
        self.save_states(current, spec.states,
                         {s.name: s.id for s in current.states} if state_ids is None else state_ids)
        cls = self._reload(current.app_id, current.id)
        self.class_tables.add_fields(self.conn, current, cls)
        if cls.states and not current.states:
            self._enter_first_state(cls)
        return cls

    def _enter_first_state(self, cls: ClassDef) -> None:
        """A class that gains states puts its records in the first one: every record is in one."""
        table = self.class_tables.table(cls)
        self.conn.execute(update(table).where(table.c["_state_id"].is_(None)).values(_state_id=cls.states[0].id))

    def delete_class(self, cls: ClassDef) -> None:
        self.class_tables.drop(self.conn, cls)
        self.conn.execute(delete(datums).where(datums.c.class_id == cls.id))  # no foreign key (0014)
        self.conn.execute(delete(fields).where(fields.c.class_id == cls.id))
        self.conn.execute(delete(classes).where(classes.c.id == cls.id))
        # The catalogue stays 0, 1, 2, …
        self.conn.execute(update(classes).where(classes.c.app_id == cls.app_id, classes.c.position > cls.position)
                          .values(position=classes.c.position - 1))

    def update_class_row(self, cls: ClassDef, values: Mapping[str, object], now: float) -> None:
        """`name`, `path` or `disabled` of the class."""
        self.conn.execute(update(classes).where(classes.c.id == cls.id)
                          .values(**values, version=classes.c.version + 1, updated_at=now))

    def reorder_classes(self, app_id: int, class_ids: Sequence[int]) -> None:
        """Put the app's classes in this order (it names each of them once)."""
        for position, class_id in enumerate(class_ids):
            self.conn.execute(update(classes).where(classes.c.id == class_id, classes.c.app_id == app_id)
                              .values(position=position, version=classes.c.version + 1))

    def update_field_row(self, cls: ClassDef, field_id: int, values: Mapping[str, object]) -> None:
        """`name`, `required`, `title` or `parameters` of one field."""
        self.conn.execute(update(fields).where(fields.c.id == field_id, fields.c.class_id == cls.id).values(**values))
        self.touch_class(cls.id)

    def set_field_indexed(self, cls: ClassDef, field: FieldDef, indexed: bool) -> None:
        """The field's index flag, with its index created or dropped."""
        self.conn.execute(update(fields).where(fields.c.id == field.id, fields.c.class_id == cls.id)
                          .values(indexed=indexed))
        self.touch_class(cls.id)
        self.class_tables.sync_indexes(self.conn, cls, self._reload(cls.app_id, cls.id))

    def reorder_fields(self, cls: ClassDef, field_ids: Sequence[int]) -> None:
        """Put the class's fields in this order (it names each of them once)."""
        for position, field_id in enumerate(field_ids):
            self.conn.execute(update(fields).where(fields.c.id == field_id, fields.c.class_id == cls.id)
                              .values(position=position))
        self.touch_class(cls.id)

    def drop_field(self, cls: ClassDef, field: FieldDef) -> None:
        """Drop the field's column (its values), its row, and with it its options and datum rows."""
        self.class_tables.drop_field(self.conn, cls, field)
        self.conn.execute(delete(datums).where(datums.c.field_id == field.id))
        self.conn.execute(delete(options).where(options.c.field_id == field.id))
        self.conn.execute(delete(fields).where(fields.c.id == field.id))
        self.reorder_fields(cls, [f.id for f in cls.fields.values() if f.id != field.id])
