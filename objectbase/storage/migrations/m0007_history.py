"""0007: the history read API's event indexes, datum rows (stable integer ids of field values) and
metadatums. Frozen.

Datum rows are backfilled for every existing record: a scalar field's value at position 0, each
element of an array field at its index, in class, record and field order (so plural ids follow
element order). Table and column names of class tables are generated (`obj_<id>`, `f_<id>`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    BigInteger, Column, Connection, Float, ForeignKey, Index, Integer, MetaData, Table, insert, text,
)
from sqlalchemy.types import TypeEngine

__all__ = ["upgrade"]

_BIG_ID: TypeEngine[Any] = BigInteger().with_variant(Integer, "sqlite")

_metadata = MetaData()

for _stub in ("apps", "classes", "fields"):
    Table(_stub, _metadata, Column("id", Integer, primary_key=True))

_events = Table("events", _metadata, Column("id", _BIG_ID, primary_key=True), Column("app_id", Integer),
                Column("record_seq", BigInteger), Column("class_id", Integer), Column("at", Float))
_event_indexes = (
    Index("ix_events_app_record", _events.c.app_id, _events.c.record_seq, _events.c.id),
    Index("ix_events_app_class", _events.c.app_id, _events.c.class_id, _events.c.id),
    Index("ix_events_app_at", _events.c.app_id, _events.c.at),
)

_datums = Table(
    "datums", _metadata,
    Column("id", _BIG_ID, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("field_id", Integer, ForeignKey("fields.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_datums_record", "class_id", "record_seq", "field_id", "position"),
    sqlite_autoincrement=True,
)

_metadatums = Table(
    "metadatums", _metadata,
    Column("id", _BIG_ID, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("representation", Integer, nullable=False),
    Column("decimal_value", Float),
    Column("record_value", BigInteger),
    Index("ix_metadatums_record", "class_id", "record_seq"),
    Index("ix_metadatums_representation", "app_id", "representation"),
    sqlite_autoincrement=True,
)

# Rows inserted per statement while backfilling, so memory stays flat on a large database.
_CHUNK = 1000


def _elements(value: Any, is_array: bool) -> list[Any]:
    if not is_array:
        return [value]
    items = json.loads(value) if isinstance(value, str) else value
    return list(items or [])


def _backfill(conn: Connection) -> None:
    preparer = conn.dialect.identifier_preparer
    classes = conn.execute(text("SELECT id, app_id FROM classes ORDER BY id")).all()
    for class_id, app_id in classes:
        fields = conn.execute(text("SELECT id, type FROM fields WHERE class_id = :c ORDER BY position, id"),
                              {"c": class_id}).all()
        if not fields:
            continue
        table = preparer.quote(f"obj_{int(class_id)}")
        columns = ", ".join(preparer.quote(f"f_{int(f)}") for f, _ in fields)
        rows: list[dict[str, Any]] = []
        for record in conn.execute(text(f"SELECT _seq, {columns} FROM {table} ORDER BY _seq")):
            for (field_id, type_name), value in zip(fields, record[1:], strict=True):
                if value is None:
                    continue
                for position, _ in enumerate(_elements(value, str(type_name).endswith("[]"))):
                    rows.append({"app_id": app_id, "class_id": class_id, "record_seq": record[0],
                                 "field_id": field_id, "position": position})
            if len(rows) >= _CHUNK:
                conn.execute(insert(_datums), rows)
                rows = []
        if rows:
            conn.execute(insert(_datums), rows)


def upgrade(conn: Connection) -> None:
    for index in _event_indexes:
        index.create(conn)
    _datums.create(conn)
    _metadatums.create(conn)
    _backfill(conn)
