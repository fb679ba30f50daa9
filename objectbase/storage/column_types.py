"""Field storage kinds -> column types, per database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

__all__ = ["JSON_TYPE", "column_type"]

# none_as_null: a Python None is SQL NULL, so IS NULL finds unset fields on every database.
JSON_TYPE: TypeEngine[Any] = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

_TYPES: dict[str, TypeEngine[Any]] = {
    "integer": BigInteger(),
    "float": Float(precision=53),
    # PostgreSQL compares by the database's collation; "C" gives the code-point order SQLite uses.
    "text": Text().with_variant(Text(collation="C"), "postgresql"),
    "boolean": Boolean(),
    "json": JSON_TYPE,
}


def column_type(storage_kind: str) -> TypeEngine[Any]:
    return _TYPES[storage_kind]
