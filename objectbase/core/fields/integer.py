from __future__ import annotations

import re
from typing import Any

from objectbase.core.fields.base import CastError, FieldType
from objectbase.core.storable import INT64_MAX, INT64_MIN

__all__ = ["IntegerType"]

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_MOST_DIGITS = 40


class IntegerType(FieldType):
    name = "Integer"
    storage = "integer"

    def cast_value(self, value: Any) -> int:
        if isinstance(value, bool):
            raise CastError("is not an integer")
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and _INTEGER.match(value):
            if len(value.strip()) > _MOST_DIGITS:  # Python refuses to read very long numbers
                raise CastError("is out of range for a 64-bit integer")
            number = int(value)
        else:
            raise CastError("is not an integer")
        if not INT64_MIN <= number <= INT64_MAX:  # a 64-bit column on every database
            raise CastError("is out of range for a 64-bit integer")
        return number
