"""A bound query's *shape*: the query with each value replaced by a numbered `Slot`, and the
values in slot order. Queries of one shape compile to the same SQL with different parameters, so a
statement prepared for the shape (storage/prepared.py) serves every request of it: the same record
read by another id, the same search with another threshold, the permission filter of another user
with as many groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from objectbase.core.identity_cache import IdentityCache
from objectbase.core.query import ast

__all__ = ["Slot", "split"]


@dataclass(frozen=True)
class Slot:
    """A value's place in a shape. The value's Python type is part of the shape: the compiler may
    treat a bool and an int differently, and then so must the cache."""

    index: int
    kind: type

    @property
    def name(self) -> str:
        return f"s{self.index}"


_SCALARS = (str, int, float, bool)


def _field_key(field: ast.FieldRef) -> Any:
    if type(field) is str:
        return field
    if isinstance(field, ast.RecordMark):
        return ("mark", field.name)
    return (type(field).__name__, field.action)  # type: ignore[union-attr]


class _Splitter:
    """Walks the query once, building the shape, its values, and the shape's cache key: nested
    tuples of plain values, which hash and compare in C (the shape's dataclasses would walk the
    tree twice more in Python, once to hash and once to compare, on every cache lookup)."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def slot(self, value: Any) -> Slot | None:
        """The value's slot; None (a literal part of the shape) for None, which changes the SQL."""
        if value is None:
            return None
        if type(value) not in _SCALARS:
            raise _Unshaped()
        self.values.append(value)
        return Slot(len(self.values) - 1, type(value))

    def node(self, node: ast.Node) -> tuple[ast.Node, Any]:
        if isinstance(node, ast.Compare):
            slot = self.slot(node.value)
            return (ast.Compare(node.field, node.op, slot),
                    ("=", _field_key(node.field), node.op, slot and slot.kind))
        if isinstance(node, ast.In):
            slots = tuple(self.slot(v) for v in node.values)
            return (ast.In(node.field, slots, node.negate),
                    ("in", _field_key(node.field), node.negate, tuple(s and s.kind for s in slots)))
        if isinstance(node, ast.ArrayHas):
            if any(v is None for v in node.values):
                raise _Unshaped()
            slots = tuple(self.slot(v) for v in node.values)
            return (ast.ArrayHas(node.field, slots, node.mode),
                    ("has", _field_key(node.field), node.mode, tuple(s and s.kind for s in slots)))
        if isinstance(node, ast.Contains):
            slot = self.slot(node.text)
            return (ast.Contains(node.field, slot),  # type: ignore[arg-type]
                    ("contains", _field_key(node.field), slot and slot.kind))
        if isinstance(node, ast.Or) and not self.values:
            return self._reused(node)
        if isinstance(node, (ast.And, ast.Or)):
            return self.joined(node)
        if isinstance(node, ast.Not):
            shape, key = self.node(node.item)
            return ast.Not(shape), ("not", key)
        if isinstance(node, ast.IsNull):
            return node, ("null", _field_key(node.field))
        # Truth: no values. Like and Near: their values shape the SQL itself (a rewritten pattern,
        # precomputed cosines), so they stay in the shape as they are, and are their own key.
        hash(node)
        return node, node

    def joined(self, node: ast.And | ast.Or) -> tuple[ast.Node, Any]:
        """An AND or OR of its items' shapes and keys."""
        items = [self.node(item) for item in node.items]
        return type(node)(tuple(shape for shape, _ in items)), (type(node).__name__, *(key for _, key in items))

    def _reused(self, node: ast.Or) -> tuple[ast.Node, Any]:
        """The split of an OR met first (its slots then start at 0), reused for the same object:
        the permission filter is one object per actor and class (core/permissions.py), and its
        split was most of a read by id's walk."""
        shape, values, key = _first_splits(node)
        self.values.extend(values)
        return shape, key


def _split_first(node: ast.Or) -> tuple[ast.Node, tuple[Any, ...], Any]:
    splitter = _Splitter()
    shape, key = splitter.joined(node)
    return shape, tuple(splitter.values), key


# (shape, values, key) of ORs split at slot 0 (see `_Splitter._reused`), per OR object.
_first_splits = IdentityCache(_split_first, size=4096)


class _Unshaped(Exception):
    """A part of the query that cannot become a slot."""


def split(node: ast.Node) -> tuple[ast.Node, list[Any], Any] | None:
    """(shape, values, key), or None for a query that has no reusable shape (a value of another
    type, such as a list inside a comparison). Queries of equal keys have equal shapes."""
    splitter = _Splitter()
    try:
        shape, key = splitter.node(node)
    except (_Unshaped, TypeError):
        return None
    return shape, splitter.values, key
