from __future__ import annotations

import re
from typing import Any

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["IntegerType"]

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
# Stored in a 64-bit column on every database.
_MIN, _MAX = -(2**63), 2**63 - 1


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
            number = int(value)
        else:
            raise CastError("is not an integer")
        if not _MIN <= number <= _MAX:
            raise CastError("is out of range for a 64-bit integer")
        return number
