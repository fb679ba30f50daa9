from __future__ import annotations

from typing import Any

from objectbase.core.fields.base import FieldType

__all__ = ["FileType"]


class FileType(FieldType):
    """A file model `{file_id, name, size, content_type}`, set only by uploading, never by create/update."""

    name = "File"
    storage = "json"
    read_only = True
    orderable = False

    def cast_value(self, value: Any) -> Any:
        return value
