from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import insert, select, update

from objectbase.core.models import EmailCode
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import email_codes

__all__ = ["EmailCodeRows"]


class EmailCodeRows(RowsBase):
    def insert_email_code(self, code: EmailCode, code_digest: str) -> None:
        self.conn.execute(insert(email_codes).values(**dataclasses.asdict(code), code_digest=code_digest))

    def select_email_code(self, code_id: str) -> tuple[EmailCode, str] | None:
        row = self.conn.execute(select(email_codes).where(email_codes.c.id == code_id)).mappings().first()
        if row is None:
            return None
        data = dict(row)
        digest = data.pop("code_digest")
        return EmailCode(**data), digest

    def update_email_code(self, code_id: str, *, tries: int | None = None, confirmed_at: float | None = None,
                          used_at: float | None = None) -> None:
        values: dict[str, Any] = {k: v for k, v in (("tries", tries), ("confirmed_at", confirmed_at),
                                                     ("used_at", used_at)) if v is not None}
        self.conn.execute(update(email_codes).where(email_codes.c.id == code_id).values(**values))
