"""0004: access levels stored under the core's neutral names (`users`, `groups`).

They were stored under QuickBlox's names (`open_for_users_ids`, `open_for_groups`), which are now
only that dialect's wire words. Rewrites every class's stored permissions and the per-action access
columns of every class table (named `obj_<class id>`, `_<action>_access`: generated, never input)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

__all__ = ["upgrade"]

RENAMED = {"open_for_users_ids": "users", "open_for_groups": "groups"}
_ACTIONS = ("read", "update", "delete")


def _renamed(permissions: Any) -> Any:
    data = json.loads(permissions) if isinstance(permissions, str) else permissions
    for entry in (data or {}).get("acl", {}).values():
        entry["access"] = RENAMED.get(entry["access"], entry["access"])
    return data


def upgrade(conn: Connection) -> None:
    preparer = conn.dialect.identifier_preparer
    for class_id, permissions in conn.execute(text("SELECT id, permissions FROM classes")).all():
        conn.execute(text("UPDATE classes SET permissions = :p WHERE id = :id"),
                     {"p": json.dumps(_renamed(permissions)), "id": class_id})
        table = preparer.quote(f"obj_{int(class_id)}")
        for action in _ACTIONS:
            column = preparer.quote(f"_{action}_access")
            for old, new in RENAMED.items():
                conn.execute(text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                             {"new": new, "old": old})
