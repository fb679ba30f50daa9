"""Dashboard operators and dashboard sessions (core/operators.py says what they mean)."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError

from objectbase.core.models import DashboardSession, Operator
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import dashboard_sessions, operators, users

__all__ = ["OperatorRows"]


class OperatorRows(RowsBase):
    def insert_operator(self, login: str, password_hash: str, now: float) -> Operator | None:
        """The new operator, or None when the login is taken."""
        try:
            with self.conn.begin_nested():
                operator_id = self.insert_returning_id(operators, dict(login=login, password_hash=password_hash,
                                                                       created_at=now))
        except IntegrityError:
            return None
        return Operator(operator_id, login, password_hash, now)

    def select_operator(self, login: str) -> Operator | None:
        row = self.conn.execute(select(operators).where(operators.c.login == login)).mappings().first()
        return Operator(**row) if row else None

    def select_operators(self) -> list[Operator]:
        rows = self.conn.execute(select(operators).order_by(operators.c.login)).mappings()
        return [Operator(**row) for row in rows]

    def delete_operator(self, operator_id: int) -> None:
        # Its sessions first: SQLite's foreign keys cascade, but say it rather than rely on it.
        self.conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.operator_id == operator_id))
        self.conn.execute(delete(operators).where(operators.c.id == operator_id))

    def insert_dashboard_session(self, digest: str, *, operator_id: int | None, app_id: int | None,
                                 user_id: int | None, now: float, expires_at: float) -> int:
        self.conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.expires_at < now))
        return self.insert_returning_id(dashboard_sessions, dict(
            digest=digest, operator_id=operator_id, app_id=app_id, user_id=user_id, created_at=now,
            expires_at=expires_at))

    def select_dashboard_session(self, digest: str) -> DashboardSession | None:
        """The session with its signed-in login; a user's only while that user is still an admin."""
        s = dashboard_sessions
        row = self.conn.execute(
            select(s.c.id, func.coalesce(operators.c.login, users.c.login, users.c.email, "").label("login"),
                   s.c.operator_id, s.c.app_id, s.c.user_id, s.c.created_at, s.c.expires_at)
            .outerjoin(operators, operators.c.id == s.c.operator_id)
            .outerjoin(users, and_(users.c.id == s.c.user_id, users.c.is_admin.is_(True)))
            .where(s.c.digest == digest, (operators.c.id.is_not(None)) | (users.c.id.is_not(None)))
        ).mappings().first()
        return DashboardSession(**row) if row else None

    def delete_dashboard_session(self, digest: str) -> None:
        self.conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.digest == digest))
