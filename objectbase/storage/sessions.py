from __future__ import annotations

from types import EllipsisType
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from objectbase.core.models import Session
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import apps, nonces, sessions, users
from objectbase.storage.users import tags_array

__all__ = ["SessionRows"]

# Nonces only need remembering while their timestamp is still acceptable (±1 hour).
_NONCE_MEMORY_SECONDS = 2 * 3600


class SessionRows(RowsBase):
    def insert_nonce(self, app_id: int, nonce: int, timestamp: int, now: float) -> bool:
        self.conn.execute(delete(nonces).where(nonces.c.created_at < now - _NONCE_MEMORY_SECONDS))
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(nonces).values(app_id=app_id, nonce=nonce, timestamp=timestamp,
                                                        created_at=now))
        except IntegrityError:
            return False
        return True

    def insert_session(self, app_id: int, digest: str, user_id: int | None, nonce: int, timestamp: int,
                       now: float, expires_at: float) -> Session:
        session_id = self.insert_returning_id(sessions, dict(
            app_id=app_id, digest=digest, user_id=user_id, nonce=nonce, timestamp=timestamp,
            created_at=now, updated_at=now, expires_at=expires_at))
        return Session(session_id, app_id, user_id, nonce, timestamp, now, now, expires_at)

    def select_session(self, digest: str) -> Session | None:
        # One query for all authentication needs: the session, its app's schema version, and the
        # user's admin flag and tags (the groups of ACLs). Every request runs it: prepared once.
        found = self.prepared.get("select_session", lambda: (
            select(*(c for c in sessions.c if c.name != "digest"), apps.c.schema_version,
                   users.c.is_admin.label("user_is_admin"), tags_array(self.dialect).label("user_tags"))
            .join(apps, apps.c.id == sessions.c.app_id)
            .outerjoin(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.digest == bindparam("digest")))).mappings(self.conn, {"digest": digest})
        if not found:
            return None
        data = found[0]
        data["user_tags"] = tuple(sorted(data["user_tags"] or ())) if data["user_id"] else ()
        data["user_is_admin"] = bool(data["user_is_admin"])
        return Session(**data)

    def update_session(self, session_id: int, *, expires_at: float, now: float,
                       user_id: int | None | EllipsisType = ...) -> None:
        values: dict[str, Any] = {"expires_at": expires_at, "updated_at": now}
        if user_id is not ...:
            values["user_id"] = user_id
        self.conn.execute(update(sessions).where(sessions.c.id == session_id).values(**values))

    def delete_session(self, session_id: int) -> None:
        self.conn.execute(delete(sessions).where(sessions.c.id == session_id))
