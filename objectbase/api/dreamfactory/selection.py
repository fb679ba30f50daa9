"""What a read selects (contract §4): fields, page size and order, read the same way for a table's
records and for the related records embedded in them (§8)."""

from __future__ import annotations

from objectbase.api.dreamfactory.filters import parse_filter
from objectbase.api.dreamfactory.order import parse_order
from objectbase.api.dreamfactory.params import DFRequest
from objectbase.core.errors import ValidationError
from objectbase.core.query import ast

__all__ = ["DEFAULT_LIMIT", "NAMES", "field_list", "page_limit", "sort_of", "where_of"]

# Most records one GET returns, and what a missing or larger `limit` means (§4, §11).
DEFAULT_LIMIT = 1000
# DreamFactory matches names case-insensitively and refuses fields the table does not have.
NAMES = ast.NameRules(fold_case=True, unknown_in_filter="reject")


def field_list(df: DFRequest, *, default_all: bool, names: tuple[str, ...] = ("fields", "select")
               ) -> tuple[str, ...] | None:
    """`fields`/`select`: None for every field; writes default to the identifier only (§4)."""
    listed = df.names(*names)
    if listed is None or listed == ():
        return None if default_all else ("_id",)
    if "*" in listed:
        return None
    return tuple(n for n in listed if n != "_id") + ("_id",)


def page_limit(asked: int | None) -> int:
    """A missing limit, one below 1 or one above the maximum is the maximum (§4)."""
    return asked if asked is not None and 0 < asked <= DEFAULT_LIMIT else DEFAULT_LIMIT


def sort_of(df: DFRequest, *names: str) -> tuple[ast.SortKey, ...]:
    text = df.text(*names)
    return parse_order(text) if text else ()


def where_of(df: DFRequest) -> ast.Node:
    """`filter`/`where` with its `params`, as an unbound condition."""
    text = df.text("filter", "where")
    if not text:
        return ast.TRUE
    params = df.first(("params",))
    if params is not None and not isinstance(params, dict):
        raise ValidationError.single("params", "invalid", "params must be an object of :name to value")
    return parse_filter(text, params)
