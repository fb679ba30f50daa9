"""`order=field [ASC|DESC], …` (contract §4) -> unbound sort keys. A `;` anywhere is refused."""

from __future__ import annotations

import re

from objectbase.core.errors import ValidationError
from objectbase.core.query import ast

__all__ = ["parse_order"]

_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?\s*$", re.IGNORECASE)


def parse_order(text: str) -> tuple[ast.SortKey, ...]:
    if ";" in text:
        raise ValidationError.single("order", "invalid", "Invalid order by clause in request.")
    keys = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _KEY.match(part)
        if match is None:
            raise ValidationError.single("order", "invalid", f"Invalid order by clause in request: '{part.strip()}'.")
        name, direction, nulls = match.groups()
        descending = (direction or "ASC").upper() == "DESC"
        # NULL sorts as the smallest value (first ascending, last descending); the other way round
        # is not offered yet.
        if nulls is not None and (nulls.upper() == "FIRST") != (not descending):
            raise ValidationError.single("order", "unsupported",
                                         f"NULLS {nulls.upper()} is not supported with {'DESC' if descending else 'ASC'}")
        keys.append(ast.SortKey(name, descending))
    return tuple(keys)
