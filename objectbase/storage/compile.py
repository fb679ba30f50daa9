"""Query AST -> SQLAlchemy expressions. Values become bound parameters; names are resolved
through the class schema to Column objects, so request text never becomes SQL."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from sqlalchemy import (
    ColumnElement, Float, TypeDecorator, and_, bindparam, exists, false, func, literal, not_, or_, select, true,
)
from sqlalchemy.dialects.postgresql import JSONB

from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.query import ast
from objectbase.core.query.evaluate import HALF_RADIANS_PER_DEGREE, RADIANS_PER_DEGREE, near_threshold
from objectbase.storage.shapes import Slot

__all__ = ["Compiler"]

ColumnResolver = Callable[[ast.FieldRef], "tuple[ColumnElement[Any], bool]"]


class _JsonbElement(TypeDecorator[Any]):
    """A parameter bound as the one-element JSONB array `[value]`, for `@>` containment."""

    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return [value]


def _bound(value: Any) -> Any:
    """A value, or the named parameter standing for it in a query shape (storage/shapes.py)."""
    return bindparam(value.name) if isinstance(value, Slot) else value


class Compiler:
    """Compiles predicates for one table. `resolve` maps a field reference to (column, is_json_array)."""

    def __init__(self, dialect: str, resolve: ColumnResolver) -> None:
        self.dialect = dialect
        self.resolve = resolve

    def where(self, node: ast.Node) -> ColumnElement[bool]:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        result: ColumnElement[bool] = method(node)
        return result

    def _truth(self, node: ast.Truth) -> ColumnElement[bool]:
        return true() if node.value else false()

    def _and(self, node: ast.And) -> ColumnElement[bool]:
        # The leading constant keeps an empty And true (and SQLAlchemy from warning about it).
        return and_(true(), *(self.where(item) for item in node.items))

    def _or(self, node: ast.Or) -> ColumnElement[bool]:
        return or_(false(), *(self.where(item) for item in node.items))

    def _not(self, node: ast.Not) -> ColumnElement[bool]:
        return not_(self.where(node.item))

    def _isnull(self, node: ast.IsNull) -> ColumnElement[bool]:
        column, _ = self.resolve(node.field)
        return column.is_(None)

    def _compare(self, node: ast.Compare) -> ColumnElement[bool]:
        column, is_array = self.resolve(node.field)
        if node.value is None:
            if node.op == "eq":
                return column.is_(None)
            if node.op == "ne":
                return column.is_not(None)
            raise UnsupportedQueryError(f"{node.op} needs a value", code="bad_value")
        if is_array:
            if node.op == "eq":
                return self._array_has(column, (node.value,), "any")
            if node.op == "ne":
                return not_(self._array_has(column, (node.value,), "any"))
            raise UnsupportedQueryError(f"{node.op} does not apply to array fields", code="bad_operator")
        ops: Mapping[str, Callable[[Any, Any], ColumnElement[bool]]] = {
            "eq": lambda c, v: c == v, "lt": lambda c, v: c < v, "lte": lambda c, v: c <= v,
            "gt": lambda c, v: c > v, "gte": lambda c, v: c >= v,
        }
        value = _bound(node.value)
        if node.op == "ne":
            # A missing value is "not equal" too, as in the document stores clients expect.
            return or_(column != value, column.is_(None))
        return ops[node.op](column, value)

    def _in(self, node: ast.In) -> ColumnElement[bool]:
        column, is_array = self.resolve(node.field)
        # A None in the list stands for "no value": SQL's IN (NULL, …) would never match it.
        values = tuple(v for v in node.values if v is not None)
        wants_null = len(values) != len(node.values)
        if is_array:  # two-valued: a missing array holds nothing
            matched = self._array_has(column, values, "any")
            if wants_null:
                matched = or_(matched, column.is_(None))
            return not_(matched) if node.negate else matched
        values = tuple(_bound(v) for v in values)
        if node.negate:
            # `nin` is true for a missing value, unless the list names "no value" itself.
            outside = column.not_in(values) if values else true()
            return and_(column.is_not(None), outside) if wants_null else or_(column.is_(None), outside)
        matched = column.in_(values) if values else false()
        return or_(matched, column.is_(None)) if wants_null else matched

    def _arrayhas(self, node: ast.ArrayHas) -> ColumnElement[bool]:
        column, _ = self.resolve(node.field)
        return self._array_has(column, node.values, node.mode)

    def _contains(self, node: ast.Contains) -> ColumnElement[bool]:
        column, is_array = self.resolve(node.field)
        if is_array:
            raise UnsupportedQueryError("ctn applies to String fields only", code="bad_operator")
        # instr/strpos: a plain substring test, so % and _ in the text are not wildcards.
        if self.dialect == "postgresql":
            return func.strpos(column, _bound(node.text)) > 0
        return func.instr(column, _bound(node.text)) > 0

    def _near(self, node: ast.Near) -> ColumnElement[bool]:
        """Haversine distance from the stored `[lon, lat]` at most `radius` metres.

        Compares the haversine h = sin²(Δφ/2) + cos φ·cos φₚ·sin²(Δλ/2) with its value at the radius
        (distance = 2R·asin(√h) grows with h), so SQL needs only sin and cos, and rounding that puts
        h just above 1 cannot reach asin's domain error. The operations are those of
        core/query/evaluate.py, in the same order, so both compute the same doubles. A NULL
        location gives NULL (unknown), like every other comparison with a missing value."""
        for number in (node.lon, node.lat, node.radius):
            if not math.isfinite(number):
                raise UnsupportedQueryError("near needs finite numbers", code="bad_value")
        column, _ = self.resolve(node.field)
        lon, lat = (self._json_float(column, index) for index in (0, 1))
        sin_dlat = func.sin((lat - self._float(node.lat)) * self._float(HALF_RADIANS_PER_DEGREE))
        sin_dlon = func.sin((lon - self._float(node.lon)) * self._float(HALF_RADIANS_PER_DEGREE))
        cos_point_lat = math.cos(node.lat * RADIANS_PER_DEGREE)
        # Left to right, as SQL renders an unparenthesised product: ((cos φ · cos φₚ) · s) · s.
        cos_lat = func.cos(lat * self._float(RADIANS_PER_DEGREE))
        h = sin_dlat * sin_dlat + cos_lat * self._float(cos_point_lat) * sin_dlon * sin_dlon
        return h <= self._float(near_threshold(node.radius))

    def _like(self, node: ast.Like) -> ColumnElement[bool]:
        """LIKE over both sides lowered in ASCII only, re-rendered from `ast.like_parts` with every
        literal wildcard escaped: the pattern is always well formed, SQLite's
        `PRAGMA case_sensitive_like` cannot change the answer, and PostgreSQL (whose lower() and
        ILIKE fold non-ASCII letters by locale) answers exactly as SQLite and the evaluator do."""
        column, is_array = self.resolve(node.field)
        if is_array:
            raise UnsupportedQueryError("like applies to String fields only", code="bad_operator")
        pattern = "".join(char if wildcard else ast.like_escape(char)
                          for wildcard, char in ast.like_parts(ast.ascii_lower(node.pattern)))
        if self.dialect == "postgresql":
            folded = func.translate(column, ast.ASCII_UPPER, ast.ascii_lower(ast.ASCII_UPPER))
        else:
            folded = func.lower(column)  # SQLite's built-in lower() folds ASCII only
        return folded.like(pattern, escape=ast.LIKE_ESCAPE)

    @staticmethod
    def _float(value: float) -> ColumnElement[float]:
        # Typed as double precision, so PostgreSQL does float8 arithmetic (not numeric or integer).
        return literal(value, Float(precision=53))

    @staticmethod
    def _json_float(column: ColumnElement[Any], index: int) -> ColumnElement[float]:
        # SQLite: CAST(json_extract(col, '$[i]') AS FLOAT); PostgreSQL: CAST((col ->> i) AS FLOAT).
        element: ColumnElement[float] = column[index].as_float()
        return element

    def _array_has(self, column: ColumnElement[Any], values: tuple[Any, ...], mode: str) -> ColumnElement[bool]:
        if not values:
            return true() if mode == "all" else false()
        if self.dialect == "postgresql":
            # bool_op: the result is a boolean, so NOT over it is plain SQL NOT.
            contains: list[ColumnElement[bool]] = [
                column.bool_op("@>")(bindparam(value.name, type_=_JsonbElement()) if isinstance(value, Slot)
                                     else literal([value], JSONB))
                for value in values]
        else:
            each = func.json_each(column).table_valued("value")
            contains = [exists(select(1).select_from(each).where(each.c.value == _bound(value))) for value in values]
        combined = and_(*contains) if mode == "all" else or_(*contains)
        # A missing array holds nothing: false, not unknown (PostgreSQL's NULL @> x is NULL), so
        # that NOT over it matches records without the array, on both databases alike.
        return and_(column.is_not(None), combined)
