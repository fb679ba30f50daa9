"""A pure-Python evaluator of the query AST: the oracle the property tests hold storage to.

It evaluates over stored-form values (see core/fields: Date as int seconds, Location as
`[lon, lat]`, arrays as lists), keyed by logical name (`_id`, `user_id`, class field names, …) or
by the `AclAccess`/`AclMembers` reference itself.

Logic is three-valued, as in SQL: a predicate on a NULL (missing) value is UNKNOWN (`None`), not
False, so `Not(x < 5)` does not match a record without `x`. `And`/`Or`/`Not` follow Kleene logic
and a record matches only when its predicate is definitely true. The leaves answer for a missing
value where clients expect an answer:

* `eq None` / `ne None` are IS NULL / IS NOT NULL, on array fields too (arrays never hold None).
* `ne v` and `nin` are TRUE on a missing value; `eq v`/`lt`/`lte`/`gt`/`gte`, `in`, `ctn` and
  `near` are UNKNOWN. Ordering compares like Python (strings by code point).
* A `None` listed in `in`/`nin` stands for "missing": `in (None, 1)` matches a missing value.
* On an array field, `eq v` / `in` mean "holds v" / "holds any of"; `ne v` / `nin` are their
  negation, TRUE on a missing array. A missing array holds nothing: `ArrayHas` on it is FALSE.
  `ArrayHas` of no values: `all` is TRUE and `any` FALSE, whatever the array.
* `ctn` is a case-sensitive substring test (no wildcards); on an array field, of some element.
* `near`: haversine distance (Earth radius 6,371,008.8 m) at most `radius` metres, computed with
  exactly the operations storage/compile.py sends to SQL, so that the two agree bit for bit.
* `And(())` is TRUE and `Or(())` FALSE.
* `like`: SQL LIKE as ast.Like defines it (ASCII letters in either case); UNKNOWN on a missing
  value; String fields only (an array field is rejected, as storage does).

Where storage differs today, tests/storage/test_query_properties.py holds a failing example.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Collection, Iterable, Mapping

from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.models import Record
from objectbase.core.permissions import RECORD_ACTIONS
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef

__all__ = [
    "EARTH_RADIUS_M", "HALF_RADIANS_PER_DEGREE", "RADIANS_PER_DEGREE", "Row", "array_fields", "evaluate",
    "haversine_metres", "matches", "near_threshold", "record_values", "run_query", "squared_half_chord",
]

# Keyed by `ast.FieldRef` (Any: a Mapping's key type is invariant, and plain `dict[str, …]` should do).
Row = Mapping[Any, Any]

# Mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6371008.8
# Degrees -> half the angle in radians, as one constant so SQL multiplies by the very same double.
HALF_RADIANS_PER_DEGREE = math.pi / 360
RADIANS_PER_DEGREE = math.pi / 180


def squared_half_chord(lon: float, lat: float, point_lon: float, point_lat: float, cos_point_lat: float) -> float:
    """The haversine of the central angle between (lon, lat) and a point:
    sin²(Δφ/2) + cos φ · cos φₚ · sin²(Δλ/2). storage/compile.py builds the same expression in SQL;
    keep the order of operations identical."""
    sin_dlat = math.sin((lat - point_lat) * HALF_RADIANS_PER_DEGREE)
    sin_dlon = math.sin((lon - point_lon) * HALF_RADIANS_PER_DEGREE)
    # Products left to right, as SQL evaluates the unparenthesised expression compile.py renders.
    return sin_dlat * sin_dlat + math.cos(lat * RADIANS_PER_DEGREE) * cos_point_lat * sin_dlon * sin_dlon


def near_threshold(radius: float) -> float:
    """The largest haversine value within `radius` metres: distance = 2R·asin(√h) is monotonic in h,
    so comparing h avoids asin and sqrt (and their domain errors when rounding puts h above 1)."""
    if radius < 0:
        return -1.0  # nothing is at a negative distance
    half_angle = radius / (2 * EARTH_RADIUS_M)
    if half_angle >= math.pi / 2:
        return 2.0  # at least half the circumference: everywhere (h may round to just above 1)
    return math.sin(half_angle) ** 2


def haversine_metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (for tests and, later, nearest-first ordering)."""
    h = squared_half_chord(lon1, lat1, lon2, lat2, math.cos(lat2 * RADIANS_PER_DEGREE))
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def _holds(array: Any, values: Iterable[Any], mode: str) -> bool:
    if array is None:
        return False
    found = (value in array for value in values)
    return all(found) if mode == "all" else any(found)


class _Evaluator:
    def __init__(self, row: Row, arrays: Collection[ast.FieldRef]) -> None:
        self.row = row
        self.arrays = arrays

    def value(self, ref: ast.FieldRef) -> Any:
        return self.row.get(ref)

    def is_array(self, ref: ast.FieldRef) -> bool:
        return isinstance(ref, ast.AclMembers) or ref in self.arrays

    def eval(self, node: ast.Node) -> bool | None:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        result: bool | None = method(node)
        return result

    def _truth(self, node: ast.Truth) -> bool | None:
        return node.value

    def _and(self, node: ast.And) -> bool | None:
        results = [self.eval(item) for item in node.items]
        if False in results:
            return False
        return None if None in results else True

    def _or(self, node: ast.Or) -> bool | None:
        results = [self.eval(item) for item in node.items]
        if True in results:
            return True
        return None if None in results else False

    def _not(self, node: ast.Not) -> bool | None:
        result = self.eval(node.item)
        return None if result is None else not result

    def _isnull(self, node: ast.IsNull) -> bool | None:
        return self.value(node.field) is None

    def _compare(self, node: ast.Compare) -> bool | None:
        value = self.value(node.field)
        # Before the array case: arrays never hold None, so `eq None` can only mean IS NULL.
        if node.value is None:
            if node.op == "eq":
                return value is None
            if node.op == "ne":
                return value is not None
            raise UnsupportedQueryError(f"{node.op} needs a value", code="bad_value")
        if self.is_array(node.field):
            if node.op == "eq":
                return _holds(value, (node.value,), "any")
            if node.op == "ne":
                return not _holds(value, (node.value,), "any")
            raise UnsupportedQueryError(f"{node.op} does not apply to array fields", code="bad_operator")
        if value is None:
            return True if node.op == "ne" else None
        op = node.op
        if op == "eq":
            return bool(value == node.value)
        if op == "ne":
            return bool(value != node.value)
        if op == "lt":
            return bool(value < node.value)
        if op == "lte":
            return bool(value <= node.value)
        if op == "gt":
            return bool(value > node.value)
        return bool(value >= node.value)

    def _in(self, node: ast.In) -> bool | None:
        value = self.value(node.field)
        if self.is_array(node.field):
            held = _holds(value, node.values, "any")
            return not held if node.negate else held
        if value is None:
            # Either "missing" is one of the listed values, or it is unknown whether it is.
            if None in node.values:
                return not node.negate
            return True if node.negate else (False if not node.values else None)
        found = any(value == item for item in node.values if item is not None)
        return not found if node.negate else found

    def _arrayhas(self, node: ast.ArrayHas) -> bool | None:
        if not node.values:
            return node.mode == "all"
        return _holds(self.value(node.field), node.values, node.mode)

    def _contains(self, node: ast.Contains) -> bool | None:
        value = self.value(node.field)
        if value is None:
            return None
        if self.is_array(node.field):
            return any(node.text in item for item in value)
        return node.text in value

    def _near(self, node: ast.Near) -> bool | None:
        value = self.value(node.field)
        if value is None:
            return None
        lon, lat = value
        cos_point_lat = math.cos(node.lat * RADIANS_PER_DEGREE)
        return squared_half_chord(lon, lat, node.lon, node.lat, cos_point_lat) <= near_threshold(node.radius)

    def _like(self, node: ast.Like) -> bool | None:
        value = self.value(node.field)
        if self.is_array(node.field) or not isinstance(value, (str, type(None))):
            raise UnsupportedQueryError("like applies to String fields only", code="bad_operator")
        if value is None:
            return None
        return _like_regex(node.pattern).fullmatch(ast.ascii_lower(value)) is not None


@functools.lru_cache(maxsize=256)
def _like_regex(pattern: str) -> re.Pattern[str]:
    """The `Like` pattern as a regex over ASCII-lowered text (`_` is one code point, as in SQL)."""
    wildcards = {"%": ".*", "_": "."}
    return re.compile("".join(wildcards[char] if wildcard else re.escape(ast.ascii_lower(char))
                              for wildcard, char in ast.like_parts(pattern)), re.DOTALL)


def evaluate(node: ast.Node, record_values: Row, *, array_fields: Collection[ast.FieldRef] = ()) -> bool | None:
    """The predicate's SQL truth value on one record: True, False, or None for UNKNOWN.
    `array_fields`: the references whose values are arrays (`AclMembers` always are)."""
    return _Evaluator(record_values, array_fields).eval(node)


def matches(node: ast.Node, record_values: Row, *, array_fields: Collection[ast.FieldRef] = ()) -> bool:
    """Whether a record is selected: its predicate is definitely true (as for a WHERE clause)."""
    return evaluate(node, record_values, array_fields=array_fields) is True


def _compare_sort_values(left: Any, right: Any, nulls_first: bool) -> int:
    """-1, 0 or 1 in ascending order of values, with NULL before (or after) every value."""
    if left is None or right is None:
        if left is None and right is None:
            return 0
        return (-1 if left is None else 1) * (1 if nulls_first else -1)
    if isinstance(left, (list, tuple)) or isinstance(right, (list, tuple)):
        # Databases order JSON differently (SQLite as text, PostgreSQL by jsonb rules).
        raise UnsupportedQueryError("sorting by an array or Location has no defined order", code="bad_sort")
    return int(left > right) - int(left < right)


def run_query(query: ast.Query, rows: Iterable[Row], *, nulls_first: bool,
              array_fields: Collection[ast.FieldRef] = ()) -> list[Row]:
    """The rows a `select` returns: filtered, sorted by the keys then `_id`, then skip and limit.

    `nulls_first`: whether NULL sorts before every value in *ascending* order, for keys that do not
    say (`SortKey.nulls` None); descending order reverses it. Storage sorts NULL as the smallest
    value on every database (storage/records.py), so True matches it; a database's own default
    differs (PostgreSQL: NULLs last ascending). A key's own `nulls` places NULLs whatever the
    direction, as SQL's NULLS FIRST/LAST does."""
    keys = (*query.sort, ast.SortKey("_id"))

    def compare(left: Row, right: Row) -> int:
        for key in keys:
            left_value, right_value = left.get(key.field), right.get(key.field)
            if key.nulls is not None and (left_value is None) != (right_value is None):
                return -1 if (left_value is None) == (key.nulls == "first") else 1
            order = _compare_sort_values(left_value, right_value, nulls_first)
            if order:
                return -order if key.descending else order
        return 0

    selected = [row for row in rows if matches(query.where, row, array_fields=array_fields)]
    selected.sort(key=functools.cmp_to_key(compare))
    end = None if query.limit is None else query.skip + query.limit
    return selected[query.skip:end]


def record_values(record: Record) -> dict[ast.FieldRef, Any]:
    """A record's stored-form values by the references queries use (system fields, class fields, ACL)."""
    row: dict[ast.FieldRef, Any] = {
        "_id": record.id, "_parent_id": record.parent_id, "user_id": record.user_id,
        "created_at": record.created_at, "updated_at": record.updated_at,
    }
    row.update(record.values)
    for action in RECORD_ACTIONS:
        permission = record.acl[action]
        row[ast.AclAccess(action.value)] = permission.access.value
        # Storage keeps an empty member list as NULL.
        row[ast.AclMembers(action.value)] = list(permission.members) or None
    return row


def array_fields(cls: ClassDef) -> frozenset[ast.FieldRef]:
    """The class's array-valued field names, for `array_fields=` above."""
    return frozenset(name for name, field in cls.fields.items() if field.type.is_array)
