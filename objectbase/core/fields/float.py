from __future__ import annotations

import math
from typing import Any

from objectbase.core.fields.base import CastError, FieldType

__all__ = ["FloatType"]


class FloatType(FieldType):
    name = "Float"
    storage = "float"

    def cast_value(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise CastError("is not a number")
        try:
            number = float(value)
        except ValueError:
            raise CastError("is not a number") from None
        if not math.isfinite(number):
            raise CastError("is not a finite number")
        return number
