"""The one query language every dialect parses into, and storage compiles to SQL.

Field references are logical names (a class field, or a system column such as `_id`, `user_id`);
storage resolves them through the class schema, so no name from a request ever becomes SQL text.
A dialect builds an *unbound* query (names as the client wrote them, values as the wire gave
them); core/query/bind.py binds it to the class, casting every value to its stored form. Storage
only ever compiles bound queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

__all__ = [
    "AclAccess", "AclMembers", "And", "ArrayHas", "Compare", "Contains", "FALSE", "FieldRef",
    "In", "IsNull", "conjoin", "NameRules", "Near", "Node", "Not", "Or", "Query", "SortKey", "TRUE", "Truth",
]

CompareOp = Literal["eq", "ne", "lt", "lte", "gt", "gte"]


@dataclass(frozen=True)
class AclAccess:
    """The stored access level of a record's permission for one action."""

    action: str


@dataclass(frozen=True)
class AclMembers:
    """The stored user ids or groups of a record's permission for one action (an array)."""

    action: str


FieldRef = Union[str, AclAccess, AclMembers]


@dataclass(frozen=True)
class Truth:
    value: bool


TRUE = Truth(True)
FALSE = Truth(False)


@dataclass(frozen=True)
class Compare:
    field: FieldRef
    op: CompareOp
    value: Any


@dataclass(frozen=True)
class In:
    field: FieldRef
    values: tuple[Any, ...]
    negate: bool = False


@dataclass(frozen=True)
class ArrayHas:
    """An array field holds all, or any, of the values."""

    field: FieldRef
    values: tuple[Any, ...]
    mode: Literal["all", "any"] = "all"


@dataclass(frozen=True)
class Contains:
    """Substring match on a string field (case-sensitive, no pattern characters)."""

    field: FieldRef
    text: str


@dataclass(frozen=True)
class Near:
    """A Location field within `radius` metres of (lon, lat)."""

    field: FieldRef
    lon: float
    lat: float
    radius: float


@dataclass(frozen=True)
class IsNull:
    field: FieldRef


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Union[Truth, Compare, In, ArrayHas, Contains, Near, IsNull, And, Or, Not]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class NameRules:
    """How an unbound query's field names are bound (each dialect says what its clients expect)."""

    # Match names case-insensitively when there is no exact match.
    fold_case: bool = False
    # A condition on a field the class does not have: refused, or matching nothing (as a document store).
    unknown_in_filter: Literal["reject", "match_nothing"] = "reject"


@dataclass(frozen=True)
class Query:
    where: Node = TRUE
    sort: tuple[SortKey, ...] = ()
    skip: int = 0
    limit: int | None = None
    # Logical field names to return; None means all.
    fields: tuple[str, ...] | None = None
    # Unbound only: fields to leave out (binding turns it into `fields`).
    omit: tuple[str, ...] = ()
    names: NameRules = NameRules()


def conjoin(*nodes: Node) -> Node:
    """AND of the nodes, dropping TRUE and collapsing to FALSE early."""
    items: list[Node] = []
    for node in nodes:
        if node == TRUE:
            continue
        if node == FALSE:
            return FALSE
        items.extend(node.items if isinstance(node, And) else (node,))
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else And(tuple(items))
