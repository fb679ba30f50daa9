"""Field types by name: `Integer`, `Integer[]` (also QuickBlox's `Integer_a`), …"""

from __future__ import annotations

from objectbase.core.fields.arrays import ArrayType
from objectbase.core.fields.base import FieldType
from objectbase.core.fields.boolean import BooleanType
from objectbase.core.fields.date import DateType
from objectbase.core.fields.file import FileType
from objectbase.core.fields.float import FloatType
from objectbase.core.fields.integer import IntegerType
from objectbase.core.fields.location import LocationType
from objectbase.core.fields.references import OptionType, RecordType, UserType
from objectbase.core.fields.string import StringType

__all__ = ["FIELD_TYPES", "UnknownFieldType", "field_type"]


class UnknownFieldType(KeyError):
    """A class file names a field type the registry does not have."""


_SCALARS: dict[str, FieldType] = {
    t.name: t for t in (IntegerType(), FloatType(), StringType(), BooleanType(), DateType(),
                        LocationType(), FileType(), OptionType(), UserType(), RecordType())
}
_ARRAY_ELEMENTS = ("Integer", "Float", "String", "Boolean", "Option", "User", "Record")
FIELD_TYPES: dict[str, FieldType] = {
    **_SCALARS,
    **{f"{name}[]": ArrayType(_SCALARS[name]) for name in _ARRAY_ELEMENTS},
}


def field_type(name: str) -> FieldType:
    canonical = name[:-2] + "[]" if name.endswith("_a") else name
    try:
        return FIELD_TYPES[canonical]
    except KeyError:
        raise UnknownFieldType(name) from None
