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
    "AclAccess", "AclMembers", "Inclusion", "RecordMark", "And", "ArrayHas", "Compare", "Contains", "FALSE", "FieldRef",
    "In", "IsNull", "RECORD_ORDER_KEYS", "SEQ", "STATE_POSITION", "conjoin", "NameRules", "Near", "Node", "Not", "NullsOrder", "Or", "Query", "SortKey", "TRUE", "Truth",
    "ASCII_UPPER", "LIKE_ESCAPE", "Like", "ascii_lower", "like_escape", "like_parts",
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


@dataclass(frozen=True)
class RecordMark:
    """A workflow column every record has and no client names directly (core/workflow.py)."""

    name: Literal["state_id", "archived_at", "removed_at"]


FieldRef = Union[str, AclAccess, AclMembers, RecordMark]


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


@dataclass(frozen=True)
class Like:
    """SQL LIKE on a String field: `%` matches any run of characters, `_` exactly one, and `\\`
    makes the next character literal (a trailing `\\` stands for itself). ASCII letters match in
    either case, every other character only itself (no Unicode folding, so both databases agree)."""

    field: FieldRef
    pattern: str


Node = Union[Truth, Compare, In, ArrayHas, Contains, Near, IsNull, And, Or, Not, Like]


NullsOrder = Literal["first", "last"]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False
    # Where records without a value go; None keeps the default (NULL is the smallest value:
    # first ascending, last descending).
    nulls: NullsOrder | None = None

    def reversed(self) -> SortKey:
        """The key that walks the same order backwards (NULLs included)."""
        return SortKey(self.field, not self.descending,
                       None if self.nulls is None else ("last" if self.nulls == "first" else "first"))

    def nulls_first(self) -> bool:
        """Whether NULLs come before every value in this key's order."""
        return self.nulls == "first" if self.nulls is not None else not self.descending


# A sort key no client field can be named (fields cannot start with "_"): records by their workflow
# state's position in the class (records of a class without states, or in none, sort as NULL).
STATE_POSITION = "_state_position"
# Records by their `_seq` (creation order across workers, which `_id` keeps only per process).
SEQ = "_seq"
# The sort keys that are the core's own, not fields.
RECORD_ORDER_KEYS = frozenset({STATE_POSITION, SEQ})


@dataclass(frozen=True)
class NameRules:
    """How an unbound query's field names are bound (each dialect says what its clients expect)."""

    # Match names case-insensitively when there is no exact match.
    fold_case: bool = False
    # A condition on a field the class does not have: refused, or matching nothing (as a document store).
    unknown_in_filter: Literal["reject", "match_nothing"] = "reject"


# Whether a list shows archived (or removed) records: not at all, as well, or only those.
Inclusion = Literal["exclude", "include", "only"]


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
    archived: Inclusion = "exclude"
    removed: Inclusion = "exclude"


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


# --- LIKE patterns ---

ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_FOLD = str.maketrans(ASCII_UPPER, ASCII_UPPER.lower())
LIKE_ESCAPE = "\\"
LIKE_WILDCARDS = "%_"


def ascii_lower(text: str) -> str:
    """`text` with A-Z lowered and nothing else changed (unlike str.lower: 'É', 'İ' stay)."""
    return text.translate(_ASCII_FOLD)


def like_escape(text: str) -> str:
    """A pattern matching exactly `text` (for CONTAINS-style operators built on `Like`)."""
    return "".join(LIKE_ESCAPE + char if char in LIKE_WILDCARDS + LIKE_ESCAPE else char for char in text)


def like_parts(pattern: str) -> tuple[tuple[bool, str], ...]:
    """The pattern as (is_wildcard, character) pairs, escapes resolved: the one reading of the
    pattern language that the evaluator and storage both render from."""
    parts: list[tuple[bool, str]] = []
    chars = iter(pattern)
    for char in chars:
        if char == LIKE_ESCAPE:
            parts.append((False, next(chars, LIKE_ESCAPE)))
        else:
            parts.append((char in LIKE_WILDCARDS, char))
    return tuple(parts)
