"""Workflow states of classes: rows of `states` and `state_transitions`, read with the classes."""

from __future__ import annotations

from typing import Mapping, Sequence

from sqlalchemy import Connection, delete, insert, select, update

from objectbase.core.schema import DEFAULT_STATE_COLOR, ClassDef, StateDef, StateSpec
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import state_transitions, states

__all__ = ["StateRows", "select_states"]


def select_states(conn: Connection, class_ids: Sequence[int]) -> dict[int, tuple[StateDef, ...]]:
    """Each class's states in position order (two statements for every class asked for)."""
    rows = conn.execute(select(states).where(states.c.class_id.in_(class_ids))
                        .order_by(states.c.class_id, states.c.position, states.c.id)).all()
    moves: dict[int, list[int]] = {}
    if rows:
        for state_id, target_id in conn.execute(
                select(state_transitions.c.state_id, state_transitions.c.target_id)
                .where(state_transitions.c.state_id.in_([r.id for r in rows]))
                .order_by(state_transitions.c.state_id, state_transitions.c.target_id)):
            moves.setdefault(state_id, []).append(target_id)
    found: dict[int, list[StateDef]] = {}
    for r in rows:
        found.setdefault(r.class_id, []).append(
            StateDef(r.id, r.name, r.color, r.position, tuple(moves.get(r.id, ()))))
    return {class_id: tuple(listed) for class_id, listed in found.items()}


class StateRows(RowsBase):
    def save_states(self, cls: ClassDef, specs: Sequence[StateSpec], ids: Mapping[str, int]) -> None:
        """Make the class's states exactly `specs`, in order. `ids`: spec name -> the existing state it
        is (kept, renamed, recoloured, moved); a spec without one is a new state; an existing state no
        spec names is deleted (the caller has checked no record is in it)."""
        current = {s.id: s for s in cls.states}
        kept = {ids[s.name] for s in specs if s.name in ids}
        gone = [state_id for state_id in current if state_id not in kept]
        if gone:
            self.conn.execute(delete(states).where(states.c.id.in_(gone)))
        # Renamed states first take a name no state can have, so swapping two names cannot collide.
        for state_id in kept:
            self.conn.execute(update(states).where(states.c.id == state_id).values(name=f"\x01{state_id}"))
        final: dict[str, int] = {}
        for position, spec in enumerate(specs):
            existing = ids.get(spec.name)
            if existing is None:
                final[spec.name] = self.insert_returning_id(states, dict(
                    class_id=cls.id, name=spec.name, position=position,
                    color=DEFAULT_STATE_COLOR if spec.color is None else spec.color))
            else:
                self.conn.execute(update(states).where(states.c.id == existing).values(
                    name=spec.name, position=position,
                    color=current[existing].color if spec.color is None else spec.color))
                final[spec.name] = existing
        if kept:
            self.conn.execute(delete(state_transitions).where(state_transitions.c.state_id.in_(kept)))
        moves = [{"state_id": final[s.name], "target_id": final[t]} for s in specs for t in s.transitions]
        if moves:
            self.conn.execute(insert(state_transitions), moves)
