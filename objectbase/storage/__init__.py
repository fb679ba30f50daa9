"""SQL storage through SQLAlchemy Core, for SQLite and PostgreSQL. Knows nothing of HTTP."""

from objectbase.storage.sql_storage import SqlStorage, open_storage

__all__ = ["SqlStorage", "open_storage"]
