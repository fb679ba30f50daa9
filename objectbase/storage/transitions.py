"""The state history: a `transitions` row each time a record leaves a state."""

from __future__ import annotations

from sqlalchemy import insert, select

from objectbase.core.models import Transition
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import transitions

__all__ = ["TransitionRows"]


class TransitionRows(RowsBase):
    def insert_transition(self, app_id: int, class_id: int, record_seq: int, old_state_id: int, at: float) -> None:
        self.conn.execute(insert(transitions).values(app_id=app_id, class_id=class_id, record_seq=record_seq,
                                                     old_state_id=old_state_id, at=at))

    def select_transitions(self, class_id: int, record_seq: int) -> list[Transition]:
        """Oldest first (ids come from the database in commit order of each writer)."""
        rows = self.conn.execute(select(transitions.c.id, transitions.c.old_state_id, transitions.c.at)
                                 .where(transitions.c.class_id == class_id, transitions.c.record_seq == record_seq)
                                 .order_by(transitions.c.id)).all()
        return [Transition(r.id, r.old_state_id, r.at) for r in rows]
