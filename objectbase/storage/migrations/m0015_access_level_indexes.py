"""0015: every indexed field of an existing class gets its access-level index. Frozen.

`(_read_access, _archived_at, _removed_at, f_<id>)`, named `ix_obj_<class>_f_<field>_acl`, as
storage/class_tables.py declares it for new classes: a permission-filtered count is then one index
range per access level (storage/records.py) instead of a permission check per row."""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["upgrade"]


def upgrade(conn: Connection) -> None:
    indexed = conn.execute(text("SELECT class_id, id FROM fields WHERE indexed ORDER BY class_id, id")).all()
    for class_id, field_id in indexed:
        # Both names are generated from integer ids, never from client text.
        table, column = f"obj_{int(class_id)}", f"f_{int(field_id)}"
        conn.execute(text(f'CREATE INDEX IF NOT EXISTS "ix_{table}_{column}_acl" ON "{table}" '
                          f'("_read_access", "_archived_at", "_removed_at", "{column}")'))
