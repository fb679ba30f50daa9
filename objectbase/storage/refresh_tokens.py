from __future__ import annotations

from sqlalchemy import select, update

from objectbase.core.models import RefreshToken
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import refresh_tokens

__all__ = ["RefreshTokenRows"]


class RefreshTokenRows(RowsBase):
    def insert_refresh_token(self, app_id: int, user_id: int, digest: str, now: float,
                             expires_at: float) -> RefreshToken:
        token_id = self.insert_returning_id(refresh_tokens, dict(
            app_id=app_id, user_id=user_id, digest=digest, created_at=now, expires_at=expires_at))
        return RefreshToken(token_id, app_id, user_id, now, expires_at)

    def select_refresh_token(self, *, digest: str | None = None, token_id: int | None = None) -> RefreshToken | None:
        where = refresh_tokens.c.digest == digest if digest is not None else refresh_tokens.c.id == token_id
        row = self.conn.execute(select(*(c for c in refresh_tokens.c if c.name != "digest")).where(where)
                                ).mappings().first()
        return None if row is None else RefreshToken(**dict(row))

    def close_refresh_token(self, token_id: int, *, used_at: float | None = None,
                            revoked_at: float | None = None) -> bool:
        """Mark the token used or revoked, if it is neither yet; False if it already was (a race lost)."""
        values = {"used_at": used_at} if used_at is not None else {"revoked_at": revoked_at}
        result = self.conn.execute(update(refresh_tokens).where(
            refresh_tokens.c.id == token_id, refresh_tokens.c.used_at.is_(None),
            refresh_tokens.c.revoked_at.is_(None)).values(**values))
        return result.rowcount == 1
