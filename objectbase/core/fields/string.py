from __future__ import annotations

from typing import Any

from objectbase.core.fields.base import CastError, FieldType
from objectbase.core.storable import unstorable

__all__ = ["StringType"]


class StringType(FieldType):
    name = "String"
    storage = "text"

    def cast_value(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            text = str(value)
            why = unstorable(text)
            if why is not None:
                raise CastError(why)
            return text
        raise CastError("is not a string")
