"""0009: the class catalogue as the Tracy dialect shows it. Classes gain `position` (their order in
the app's catalogue, 0-based: the creation order for existing classes), `path` (a folder such as
`Sales/Leads`, NULL = top level) and `disabled`; fields gain `title` (the field whose value is a
record's display title) and `parameters` (display settings, a JSON document as text). Frozen."""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["upgrade"]


def upgrade(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE classes ADD COLUMN position INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("ALTER TABLE classes ADD COLUMN path VARCHAR(255)"))
    conn.execute(text("ALTER TABLE classes ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(text("ALTER TABLE fields ADD COLUMN title BOOLEAN NOT NULL DEFAULT FALSE"))
    conn.execute(text("ALTER TABLE fields ADD COLUMN parameters TEXT"))
    # Existing classes keep their creation order: position = how many of the app's classes are older.
    conn.execute(text("UPDATE classes SET position = (SELECT COUNT(*) FROM classes AS older "
                      "WHERE older.app_id = classes.app_id AND older.id < classes.id)"))
