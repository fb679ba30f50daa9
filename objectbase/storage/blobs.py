"""Rows of Content blobs and their tags; and the one-column write of a record's File field."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Row, delete, exists, func, insert, select, update

from objectbase.core.models import Blob
from objectbase.core.schema import ClassDef
from objectbase.storage._rows import RowsBase
from objectbase.storage.class_tables import field_column_name
from objectbase.storage.system_tables import blob_tags, blobs

__all__ = ["BlobRows"]

# Columns the core may change through update_blob.
_UPDATABLE = {"name", "content_type", "public", "storage_key", "size", "status", "completed_at",
              "pending_key", "pending_size"}


class BlobRows(RowsBase):
    def _tags_of_blobs(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = {}
        if ids:
            rows = self.conn.execute(select(blob_tags.c.blob_id, blob_tags.c.tag)
                                     .where(blob_tags.c.blob_id.in_(ids)).order_by(blob_tags.c.tag))
            for row in rows:
                found.setdefault(row.blob_id, []).append(row.tag)
        return {blob_id: tuple(tags) for blob_id, tags in found.items()}

    def _blobs_from(self, rows: Sequence[Row[Any]]) -> list[Blob]:
        tags = self._tags_of_blobs([row.id for row in rows])
        return [Blob(**dict(row._mapping), tags=tags.get(row.id, ())) for row in rows]

    def _one_blob(self, statement: Any) -> Blob | None:
        found = self._blobs_from(self.conn.execute(statement).all())
        return found[0] if found else None

    def insert_blob(self, app_id: int, values: dict[str, Any], tags: Sequence[str], now: float) -> Blob:
        blob_id = self.insert_returning_id(blobs, dict(values, app_id=app_id, created_at=now, updated_at=now))
        if tags:
            self.conn.execute(insert(blob_tags), [{"blob_id": blob_id, "tag": t} for t in dict.fromkeys(tags)])
        blob = self.select_blob(blob_id)
        assert blob is not None
        return blob

    def select_blob(self, blob_id: int, *, for_update: bool = False) -> Blob | None:
        statement = select(blobs).where(blobs.c.id == blob_id)
        return self._one_blob(statement.with_for_update() if for_update else statement)

    def select_blob_by_uid(self, uid: str) -> Blob | None:
        return self._one_blob(select(blobs).where(blobs.c.uid == uid))

    def select_blobs(self, app_id: int, *, owner_id: int | None, any_tags: Sequence[str] | None,
                     tagged_only: bool, offset: int, limit: int) -> tuple[list[Blob], int]:
        where = [blobs.c.app_id == app_id]
        if owner_id is not None:
            where.append(blobs.c.user_id == owner_id)
        if tagged_only or any_tags is not None:
            tagged = select(blob_tags.c.blob_id).where(blob_tags.c.blob_id == blobs.c.id)
            if any_tags is not None:
                tagged = tagged.where(blob_tags.c.tag.in_(list(any_tags)))
            where.append(exists(tagged))
        total: int = self.conn.execute(select(func.count()).select_from(blobs).where(*where)).scalar_one()
        rows = self.conn.execute(select(blobs).where(*where).order_by(blobs.c.id).offset(offset).limit(limit)).all()
        return self._blobs_from(rows), total

    def update_blob(self, blob_id: int, values: dict[str, Any], tags: Sequence[str] | None, now: float) -> Blob:
        unknown = set(values) - _UPDATABLE
        if unknown:
            raise ValueError(f"blob columns not updatable: {sorted(unknown)}")
        self.conn.execute(update(blobs).where(blobs.c.id == blob_id).values(**values, updated_at=now))
        if tags is not None:
            self.conn.execute(delete(blob_tags).where(blob_tags.c.blob_id == blob_id))
            if tags:
                self.conn.execute(insert(blob_tags), [{"blob_id": blob_id, "tag": t} for t in dict.fromkeys(tags)])
        blob = self.select_blob(blob_id)
        assert blob is not None
        return blob

    def delete_blob(self, blob_id: int) -> None:
        # Tags explicitly, rather than trusting every connection to have foreign keys switched on.
        self.conn.execute(delete(blob_tags).where(blob_tags.c.blob_id == blob_id))
        self.conn.execute(delete(blobs).where(blobs.c.id == blob_id))

    # -- File fields of records -----------------------------------------------------------------
    def lock_record(self, cls: ClassDef, record_id: str) -> bool:
        """Take the record's row lock until commit (PostgreSQL; SQLite's writer lock already serialises)."""
        table = self.class_tables.table(cls)
        statement = select(table.c["_id"]).where(table.c["_id"] == record_id).with_for_update()
        return self.conn.execute(statement).first() is not None

    def update_record_file(self, cls: ClassDef, record_id: str, field_name: str, value: dict[str, Any] | None,
                           now: int) -> None:
        table = self.class_tables.table(cls)
        column = field_column_name(cls.fields[field_name])
        self.conn.execute(update(table).where(table.c["_id"] == record_id).values({column: value, "updated_at": now}))
