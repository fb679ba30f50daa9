from __future__ import annotations

from typing import Any

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["StringType"]


class StringType(FieldType):
    name = "String"
    storage = "text"

    def cast_value(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            text = str(value)
            if "\x00" in text:
                raise CastError("must not contain NUL characters")
            return text
        raise CastError("is not a string")
