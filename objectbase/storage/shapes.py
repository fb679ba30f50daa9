"""A bound query's *shape*: the query with each value replaced by a numbered `Slot`, and the
values in slot order. Queries of one shape compile to the same SQL with different parameters, so a
statement prepared for the shape (storage/prepared.py) serves every request of it: the same record
read by another id, the same search with another threshold, the permission filter of another user
with as many groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


class _Splitter:
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

    def node(self, node: ast.Node) -> ast.Node:
        if isinstance(node, ast.Compare):
            return ast.Compare(node.field, node.op, self.slot(node.value))
        if isinstance(node, ast.In):
            return ast.In(node.field, tuple(self.slot(v) for v in node.values), node.negate)
        if isinstance(node, ast.ArrayHas):
            if any(v is None for v in node.values):
                raise _Unshaped()
            return ast.ArrayHas(node.field, tuple(self.slot(v) for v in node.values), node.mode)
        if isinstance(node, ast.Contains):
            return ast.Contains(node.field, self.slot(node.text))  # type: ignore[arg-type]
        if isinstance(node, ast.And):
            return ast.And(tuple(self.node(item) for item in node.items))
        if isinstance(node, ast.Or):
            return ast.Or(tuple(self.node(item) for item in node.items))
        if isinstance(node, ast.Not):
            return ast.Not(self.node(node.item))
        # Truth, IsNull: no values. Like and Near: their values shape the SQL itself (a rewritten
        # pattern, precomputed cosines), so they stay in the shape as they are.
        hash(node)
        return node


class _Unshaped(Exception):
    """A part of the query that cannot become a slot."""


def split(node: ast.Node) -> tuple[ast.Node, list[Any]] | None:
    """(shape, values), or None for a query that has no reusable shape (a value of another type,
    such as a list inside a comparison)."""
    splitter = _Splitter()
    try:
        return splitter.node(node), splitter.values
    except (_Unshaped, TypeError):
        return None
