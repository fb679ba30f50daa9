"""The property-type catalogue (contract §3.4, `GET /v1/property-types`) and its mapping to core
field types. Tracy's real type ids are not public; these are Objectbase's."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AUTOMATIC", "CATALOGUE", "PropertyType", "property_type_of"]


@dataclass(frozen=True)
class PropertyType:
    id: str
    is_plural: bool
    is_automatic: bool
    is_sortable: bool
    # The core field type it maps to ("" for types the core does not have yet).
    core_type: str
    position: int = 0


def _catalogue(*types: tuple[str, bool, bool, bool, str]) -> tuple[PropertyType, ...]:
    return tuple(PropertyType(*entry, position=index) for index, entry in enumerate(types))


CATALOGUE = _catalogue(
    ("text", False, False, True, "String"),
    ("integer", False, False, True, "Integer"),
    ("decimal", False, False, True, "Float"),
    ("dateTime", False, False, True, "Date"),
    ("boolean", False, False, True, "Boolean"),
    ("location", False, False, False, "Location"),
    ("file", False, False, False, "File"),
    ("texts", True, False, False, "String[]"),
    ("integers", True, False, False, "Integer[]"),
    ("decimals", True, False, False, "Float[]"),
    ("booleans", True, False, False, "Boolean[]"),
    ("option", False, False, True, "Option"),
    ("options", True, False, False, "Option[]"),
    ("user", False, False, True, "User"),
    ("users", True, False, False, "User[]"),
    ("record", False, False, True, "Record"),
    ("records", True, False, False, "Record[]"),
    ("author", False, True, True, ""),
    ("createdAt", False, True, True, ""),
    ("updatedAt", False, True, True, ""),
)
_BY_ID = {t.id: t for t in CATALOGUE}
_BY_CORE_TYPE = {t.core_type: t for t in CATALOGUE if t.core_type}
# The automatic properties every dataset has, in their display order (after the fields).
AUTOMATIC = tuple(_BY_ID[name] for name in ("author", "createdAt", "updatedAt"))


def property_type_of(core_type: str) -> PropertyType:
    return _BY_CORE_TYPE[core_type]
