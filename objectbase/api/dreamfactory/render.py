"""Core records -> DreamFactory JSON (contract §2): `_id` first, dates as `YYYY-MM-DD HH:MM:SS` UTC."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

from objectbase.core.models import Record
from objectbase.core.schema import ClassDef

__all__ = ["dreamfactory_time", "render_record", "render_records"]


def dreamfactory_time(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def render_record(cls: ClassDef, record: Record, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """The record's columns (every field when `fields` is None), values as §2's table says."""
    data: dict[str, Any] = {"_id": record.id, "_parent_id": record.parent_id, "user_id": record.user_id,
                            "created_at": dreamfactory_time(record.created_at),
                            "updated_at": dreamfactory_time(record.updated_at)}
    for name, field in cls.fields.items():
        value = record.values.get(name)
        data[name] = dreamfactory_time(value) if field.type.name == "Date" else field.type.to_json(value)
    if record.visible_fields is not None:  # changed but not readable by the caller: no more than it sent
        fields = [f for f in record.visible_fields if fields is None or f in fields]
    if fields is None:
        return data
    return {name: data[name] for name in fields if name in data}


def render_records(cls: ClassDef, records: Sequence[Record], fields: Sequence[str] | None = None
                   ) -> list[dict[str, Any]]:
    return [render_record(cls, r, fields) for r in records]
