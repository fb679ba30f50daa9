"""`order=field [ASC|DESC] [NULLS FIRST|LAST], …` (contract §4) -> unbound sort keys. A `;` anywhere
is refused."""

from __future__ import annotations

import re

from objectbase.core.errors import ValidationError
from objectbase.core.query import ast

__all__ = ["parse_order"]

_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?\s*$", re.IGNORECASE)


def _invalid(message: str) -> ValidationError:
    # Worded here, for the whole request: no field errors for the error table to rephrase.
    return ValidationError({}, message, code="order_invalid")


def parse_order(text: str) -> tuple[ast.SortKey, ...]:
    if ";" in text:
        raise _invalid("Invalid order by clause in request.")
    keys = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _KEY.match(part)
        if match is None:
            raise _invalid(f"Invalid order by clause in request: '{part.strip()}'.")
        name, direction, nulls = match.groups()
        descending = (direction or "ASC").upper() == "DESC"
        keys.append(ast.SortKey(name, descending, "first" if nulls and nulls.upper() == "FIRST"
                                else "last" if nulls else None))
    return tuple(keys)
