from __future__ import annotations

from sqlalchemy import RowMapping, delete, select, update

from objectbase.core.models import ApiKey, App
from objectbase.security.secret_box import SecretBox
from objectbase.storage._rows import RowsBase
from objectbase.storage.system_tables import api_keys, apps, classes, datums

__all__ = ["AppRows"]


class AppRows(RowsBase):
    secrets: SecretBox | None

    def _box(self) -> SecretBox:
        if self.secrets is None:
            raise RuntimeError("this storage was opened without the server's secret key")
        return self.secrets

    def _app(self, row: RowMapping | None) -> App | None:
        if row is None:
            return None
        values = dict(row)
        values["auth_secret"] = self._box().open(values.pop("auth_secret_sealed"))
        return App(**values)

    def insert_app(self, name: str, auth_key: str, auth_secret: str, account_key: str, now: float) -> App:
        app_id = self.insert_returning_id(apps, dict(
            name=name, auth_key=auth_key, auth_secret_sealed=self._box().seal(auth_secret),
            account_key=account_key, schema_version=1, created_at=now))
        return App(app_id, name, auth_key, auth_secret, account_key, 1, now)

    def select_app(self, app_id: int) -> App | None:
        return self._app(self.conn.execute(select(apps).where(apps.c.id == app_id)).mappings().first())

    def select_apps(self) -> list[App]:
        rows = self.conn.execute(select(apps).order_by(apps.c.id)).mappings()
        return [app for app in map(self._app, rows) if app is not None]

    def select_app_by_auth_key(self, auth_key: str) -> App | None:
        return self._app(self.conn.execute(select(apps).where(apps.c.auth_key == auth_key)).mappings().first())

    def check_secret_key(self) -> None:
        """Raise SecretKeyError unless the key opens a stored secret (the first app's)."""
        sealed = self.conn.scalars(select(apps.c.auth_secret_sealed).order_by(apps.c.id).limit(1)).first()
        if sealed is not None:
            self._box().open(sealed)

    def reseal_secrets(self, box: SecretBox) -> int:
        """Every app secret sealed again under `box`'s first key; returns how many."""
        rows = self.conn.execute(select(apps.c.id, apps.c.auth_secret_sealed)).all()
        for app_id, sealed in rows:
            self.conn.execute(update(apps).where(apps.c.id == app_id).values(auth_secret_sealed=box.reseal(sealed)))
        return len(rows)

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

    def delete_api_keys(self, app_id: int) -> None:
        self.conn.execute(delete(api_keys).where(api_keys.c.app_id == app_id))

    def update_app_key(self, app_id: int, key: str, value: str) -> None:
        if key not in ("auth_key", "auth_secret"):
            raise ValueError(f"not an app key column: {key!r}")
        values = {"auth_key": value} if key == "auth_key" else {"auth_secret_sealed": self._box().seal(value)}
        self.conn.execute(update(apps).where(apps.c.id == app_id).values(**values))

    def delete_app(self, app_id: int) -> None:
        # Datum rows have no foreign key to cascade through (migration 0014); by class, their index.
        self.conn.execute(delete(datums).where(
            datums.c.class_id.in_(select(classes.c.id).where(classes.c.app_id == app_id))))
        self.conn.execute(delete(apps).where(apps.c.id == app_id))
