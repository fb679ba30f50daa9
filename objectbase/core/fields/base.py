"""What every field type provides: casting of client input, and the canonical JSON of stored values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["CastError", "FieldType", "StorageKind"]

# How storage keeps a value; storage/column_types.py maps each kind to a column type per database.
StorageKind = str  # "integer" | "float" | "text" | "boolean" | "json"


class CastError(ValueError):
    """A value that cannot be cast to the field's type; the message completes "<field> ..."."""


@dataclass(frozen=True)
class FieldType:
    name: ClassVar[str]
    storage: ClassVar[StorageKind]
    # Read-only types are never set through create/update (File: only by uploading).
    read_only: ClassVar[bool] = False
    is_array: ClassVar[bool] = False
    # Whether `lt`/`gt`-style ordering comparisons make sense on values of this type.
    orderable: ClassVar[bool] = True

    def cast(self, value: Any) -> Any:
        """Client input (JSON value or form string) -> stored value. None stays None."""
        if value is None:
            return None
        return self.cast_value(value)

    def cast_value(self, value: Any) -> Any:
        raise NotImplementedError  # every concrete type overrides this

    def to_json(self, stored: Any) -> Any:
        return stored
