"""Building event-history entries. Every core write appends these in its own transaction."""

from __future__ import annotations

import time
from typing import Any

from objectbase.core.actor import Actor
from objectbase.core.models import Event

__all__ = ["make_event"]


def make_event(actor: Actor, kind: str, subject_id: str | int, *, old: dict[str, Any] | None = None,
               new: dict[str, Any] | None = None, class_id: int | None = None,
               record_seq: int | None = None, at: float | None = None) -> Event:
    return Event(
        app_id=actor.app_id, kind=kind, subject_id=str(subject_id), actor_kind=actor.kind.value,
        actor_user_id=actor.user_id, at=time.time() if at is None else at, class_id=class_id,
        record_seq=record_seq, old=old, new=new,
    )
