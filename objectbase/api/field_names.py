"""Field names no class may use: the union of the words each dialect's grammar reserves.

Every dialect serves the same classes, so a field must be usable in all of them. A new dialect
adds its own set here.
"""

from __future__ import annotations

from typing import Any

from objectbase.api.common.class_files import check_field_name, parse_class_specs
from objectbase.api.quickblox.field_names import RESERVED_FIELD_NAMES as QUICKBLOX_RESERVED
from objectbase.core.schema import ClassSpec

__all__ = ["RESERVED_FIELD_NAMES", "read_class_file", "valid_field_name"]

RESERVED_FIELD_NAMES: frozenset[str] = QUICKBLOX_RESERVED


def read_class_file(raw: Any) -> list[ClassSpec]:
    """A class file's JSON as specs for `ClassService.apply_classes`, checked against every dialect."""
    return parse_class_specs(raw, reserved_names=RESERVED_FIELD_NAMES)


def valid_field_name(name: str, key: str = "name") -> str:
    """A new name for a field (a rename), checked as a class file's field names are."""
    return check_field_name(name, key, RESERVED_FIELD_NAMES)
