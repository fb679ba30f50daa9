"""Field types, one module each, registered in `registry.py`."""

from objectbase.core.fields.base import CastError, FieldType
from objectbase.core.fields.registry import FIELD_TYPES, UnknownFieldType, field_type

__all__ = ["FIELD_TYPES", "CastError", "FieldType", "UnknownFieldType", "field_type"]
