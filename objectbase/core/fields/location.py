from __future__ import annotations

from typing import Any

from objectbase.core.fields.base import CastError, FieldType
from objectbase.core.fields.float import FloatType

__all__ = ["LocationType"]

_number = FloatType()


class LocationType(FieldType):
    """`[longitude, latitude]`; accepts `"lon, lat"` strings and two-element lists."""

    name = "Location"
    storage = "json"
    orderable = False

    def cast_value(self, value: Any) -> list[float]:
        parts = value.split(",") if isinstance(value, str) else value
        if not isinstance(parts, list) or len(parts) != 2:
            raise CastError("is not a location (expected \"longitude, latitude\")")
        try:
            lon, lat = (_number.cast_value(p.strip() if isinstance(p, str) else p) for p in parts)
        except CastError:
            raise CastError("is not a location (expected \"longitude, latitude\")") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise CastError("is out of range (longitude -180..180, latitude -90..90)")
        return [lon, lat]
