from __future__ import annotations

from typing import Any

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["BooleanType"]

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class BooleanType(FieldType):
    name = "Boolean"
    storage = "boolean"
    orderable = False

    def cast_value(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        raise CastError("is not a boolean")
