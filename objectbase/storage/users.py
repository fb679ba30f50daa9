from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import ColumnElement, delete, func, insert, select, type_coerce, update

from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.models import User
from objectbase.core.query import ast
from objectbase.storage._rows import RowsBase
from objectbase.storage.column_types import JSON_TYPE
from objectbase.storage.compile import Compiler
from objectbase.storage.system_tables import user_tags, users

__all__ = ["UserRows", "tags_array"]



def tags_array(dialect: str) -> ColumnElement[Any]:
    """A user's tags as one JSON array (a correlated subquery on `users`)."""
    aggregate = func.json_group_array(user_tags.c.tag) if dialect == "sqlite" else func.jsonb_agg(user_tags.c.tag)
    # Correlate explicitly: inside json_each()/EXISTS auto-correlation would lose `users`.
    subquery = select(aggregate).where(user_tags.c.user_id == users.c.id).correlate(users).scalar_subquery()
    return type_coerce(subquery, JSON_TYPE)


class UserRows(RowsBase):
    def _users_compiler(self) -> Compiler:
        def resolve(ref: ast.FieldRef) -> tuple[ColumnElement[Any], bool]:
            if ref == "tags":
                # Tags live in their own table; expose them to the compiler as an array.
                return tags_array(self.dialect), True
            if isinstance(ref, str) and ref in users.c and ref != "password_hash":
                return users.c[ref], False
            raise UnsupportedQueryError(f"users cannot be filtered by {ref}", code="unknown_field")
        return Compiler(self.dialect, resolve)

    def _tags_of(self, user_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = {}
        if user_ids:
            rows = self.conn.execute(select(user_tags.c.user_id, user_tags.c.tag)
                                     .where(user_tags.c.user_id.in_(user_ids)).order_by(user_tags.c.tag))
            for row in rows:
                found.setdefault(row.user_id, []).append(row.tag)
        return {uid: tuple(tags) for uid, tags in found.items()}

    def _users_from(self, rows: Sequence[Any]) -> list[User]:
        tags = self._tags_of([row.id for row in rows])
        return [User(**dict(row._mapping), tags=tags.get(row.id, ())) for row in rows]

    def _set_tags(self, user_id: int, tags: Sequence[str]) -> None:
        self.conn.execute(delete(user_tags).where(user_tags.c.user_id == user_id))
        if tags:
            self.conn.execute(insert(user_tags), [{"user_id": user_id, "tag": t} for t in dict.fromkeys(tags)])

    def insert_user(self, app_id: int, values: dict[str, Any], tags: Sequence[str], now: float) -> User:
        user_id = self.insert_returning_id(users, dict(values, app_id=app_id, created_at=now, updated_at=now))
        self._set_tags(user_id, tags)
        user = self.select_user(app_id, user_id)
        assert user is not None
        return user

    def update_user(self, app_id: int, user_id: int, values: dict[str, Any],
                    tags: Sequence[str] | None, now: float) -> User:
        self.conn.execute(update(users).where(users.c.id == user_id, users.c.app_id == app_id)
                          .values(**values, updated_at=now))
        if tags is not None:
            self._set_tags(user_id, tags)
        user = self.select_user(app_id, user_id)
        assert user is not None
        return user

    def delete_user(self, app_id: int, user_id: int) -> None:
        self.conn.execute(delete(users).where(users.c.id == user_id, users.c.app_id == app_id))

    def select_user(self, app_id: int, user_id: int) -> User | None:
        rows = self.conn.execute(select(users).where(users.c.id == user_id, users.c.app_id == app_id)).all()
        found = self._users_from(rows)
        return found[0] if found else None

    def select_users(self, app_id: int, where: ast.Node, sort: Sequence[ast.SortKey],
                     offset: int, limit: int) -> tuple[list[User], int]:
        condition = (users.c.app_id == app_id) & self._users_compiler().where(where)
        total: int = self.conn.execute(select(func.count()).select_from(users).where(condition)).scalar_one()
        order = [users.c[k.field].desc() if k.descending else users.c[k.field].asc() for k in sort]
        rows = self.conn.execute(select(users).where(condition).order_by(*order, users.c.id)
                                 .offset(offset).limit(limit)).all()
        return self._users_from(rows), total

    def touch_user(self, user_id: int, now: float) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(last_request_at=now))
