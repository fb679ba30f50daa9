"""0005: workflow states as rows, the state history, and each record's state, archive and trash marks.

Creates `states`, `state_transitions` and `transitions`; moves every class's JSON `classes.states`
(`[{"name", "transitions": [names]}]`) into rows (ids from the database, positions in list order,
the default colour) and drops the column; adds `_state_id`, `_archived_at` and `_removed_at` to
every class table (named `obj_<class id>`: generated, never input), indexes `_state_id`, and puts
the existing records of a class with states in its first state. Frozen."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    BigInteger, Column, Connection, Float, ForeignKey, Index, Integer, MetaData, String, Table, UniqueConstraint,
    insert, text,
)
from sqlalchemy.types import TypeEngine

__all__ = ["upgrade"]

_BIG_ID: TypeEngine[Any] = BigInteger().with_variant(Integer, "sqlite")
_DEFAULT_COLOR = 0xFF9E9E9E

_metadata = MetaData()

Table("apps", _metadata, Column("id", Integer, primary_key=True))
Table("classes", _metadata, Column("id", Integer, primary_key=True))

_states = Table(
    "states", _metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("color", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("class_id", "name", name="uq_states_class_name"),
    sqlite_autoincrement=True,
)

_state_transitions = Table(
    "state_transitions", _metadata,
    Column("state_id", Integer, ForeignKey("states.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", Integer, ForeignKey("states.id", ondelete="CASCADE"), primary_key=True),
)

_transitions = Table(
    "transitions", _metadata,
    Column("id", _BIG_ID, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("old_state_id", Integer, nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_transitions_class_record", "class_id", "record_seq"),
    sqlite_autoincrement=True,
)

_RECORD_COLUMNS = ("_state_id", "_archived_at", "_removed_at")


def _move_states(conn: Connection, class_id: int, raw: Any) -> int | None:
    """Insert the class's states; returns the first one's id (None: the class has none)."""
    listed = (json.loads(raw) if isinstance(raw, str) else raw) or []
    ids: dict[str, int] = {}
    for position, state in enumerate(listed):
        ids[state["name"]] = conn.execute(insert(_states).values(
            class_id=class_id, name=state["name"], color=_DEFAULT_COLOR, position=position,
        ).returning(_states.c.id)).scalar_one()
    moves = [{"state_id": ids[s["name"]], "target_id": ids[t]}
             for s in listed for t in s.get("transitions") or [] if t in ids]
    if moves:
        conn.execute(insert(_state_transitions), moves)
    return ids[listed[0]["name"]] if listed else None


def _add_record_columns(conn: Connection, class_id: int, first_state: int | None) -> None:
    preparer = conn.dialect.identifier_preparer
    table = preparer.quote(f"obj_{class_id}")
    for column in _RECORD_COLUMNS:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {preparer.quote(column)} BIGINT"))
    # As class_tables.py builds indexes: NULL first on PostgreSQL, SQLite's own order elsewhere.
    nulls = " NULLS FIRST" if conn.dialect.name == "postgresql" else ""
    index = preparer.quote(f"ix_obj_{class_id}_state_id")
    conn.execute(text(f"CREATE INDEX {index} ON {table} ({preparer.quote('_state_id')}{nulls})"))
    if first_state is not None:
        conn.execute(text(f"UPDATE {table} SET {preparer.quote('_state_id')} = :state"), {"state": first_state})


def upgrade(conn: Connection) -> None:
    _metadata.create_all(conn, tables=[_states, _state_transitions, _transitions])
    for class_id, raw in conn.execute(text("SELECT id, states FROM classes ORDER BY id")).all():
        _add_record_columns(conn, int(class_id), _move_states(conn, int(class_id), raw))
    conn.execute(text("ALTER TABLE classes DROP COLUMN states"))
