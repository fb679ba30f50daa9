from __future__ import annotations

from sqlalchemy import select, update

from objectbase.core.models import ApiKey, App
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import api_keys, apps

__all__ = ["AppRows"]


class AppRows(RowsBase):
    def insert_app(self, name: str, auth_key: str, auth_secret: str, account_key: str, now: float) -> App:
        app_id = self.insert_returning_id(apps, dict(
            name=name, auth_key=auth_key, auth_secret=auth_secret, account_key=account_key,
            schema_version=1, created_at=now))
        return App(app_id, name, auth_key, auth_secret, account_key, 1, now)

    def select_app(self, app_id: int) -> App | None:
        row = self.conn.execute(select(apps).where(apps.c.id == app_id)).mappings().first()
        return None if row is None else App(**dict(row))

    def select_app_by_auth_key(self, auth_key: str) -> App | None:
        row = self.conn.execute(select(apps).where(apps.c.auth_key == auth_key)).mappings().first()
        return None if row is None else App(**dict(row))

    def bump_schema_version(self, app_id: int) -> int:
        self.schema_changed = True
        version: int = self.conn.execute(
            update(apps).where(apps.c.id == app_id).values(schema_version=apps.c.schema_version + 1)
            .returning(apps.c.schema_version)).scalar_one()
        return version

    def insert_api_key(self, app_id: int, digest: str, now: float) -> int:
        return self.insert_returning_id(api_keys, dict(app_id=app_id, digest=digest, created_at=now))

    def select_api_key(self, digest: str) -> ApiKey | None:
        row = self.conn.execute(
            select(api_keys.c.id, api_keys.c.app_id, apps.c.schema_version)
            .join(apps, apps.c.id == api_keys.c.app_id).where(api_keys.c.digest == digest)).first()
        return None if row is None else ApiKey(row.id, row.app_id, row.schema_version)
