"""0012: app secrets stored sealed with the server key (`auth_secret_sealed`), the plaintext column
dropped. Frozen. The server key comes from `migrate()` in `conn.info["objectbase_secrets"]`."""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["upgrade"]


def upgrade(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE apps ADD COLUMN auth_secret_sealed TEXT NOT NULL DEFAULT ''"))
    rows = conn.execute(text("SELECT id, auth_secret FROM apps")).all()
    box = conn.info.get("objectbase_secrets")
    for app_id, plain in rows:
        if box is None:
            raise RuntimeError("migration 0012 encrypts the app secrets: it needs the server's secret key")
        conn.execute(text("UPDATE apps SET auth_secret_sealed = :sealed WHERE id = :id"),
                     {"sealed": box.seal(plain), "id": app_id})
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE apps ALTER COLUMN auth_secret_sealed DROP DEFAULT"))
    conn.execute(text("ALTER TABLE apps DROP COLUMN auth_secret"))
