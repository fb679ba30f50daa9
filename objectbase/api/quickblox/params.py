"""QuickBlox search parameters (contract §4.5) -> an unbound core query.

The adapter reads the wire syntax only (operators, comma-joined lists, `near`'s `lon,lat;radius`);
the core binds the result to the class (names, casting, which operator applies to which type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from objectbase.core.errors import ValidationError
from objectbase.core.query import ast
from objectbase.core.storable import check_int64

__all__ = ["CONTROL_PARAMS", "DEFAULT_LIMIT", "MAX_LIMIT", "NAMES", "Search", "parse_filters", "parse_search",
           "search_error_keys"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
# Parameters that are not filters. `token` is the query-string form of QB-Token.
CONTROL_PARAMS = frozenset({"skip", "limit", "sort_asc", "sort_desc", "count", "output", "group_by",
                            "token", "permissions"})
# A condition on a field the class does not have matches nothing (as in the document store QuickBlox uses).
NAMES = ast.NameRules(unknown_in_filter="match_nothing")
_COMPARE_OPS = frozenset({"lt", "lte", "gt", "gte", "ne"})


@dataclass(frozen=True)
class Search:
    query: ast.Query
    count: bool = False
    # limit=-1: only the last record in sort order.
    last_only: bool = False
    # group_by=<field> with <field>[calc]=avg|min|max|sum: one item per group.
    group_by: str | None = None
    calculations: tuple[tuple[str, str], ...] = ()
    # The parameter the sort key came from, to name it in errors.
    sort_param: str = "sort_asc"


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError.single(name, "invalid", message)


def _value(value: Any) -> Any:
    return None if value == "null" else value


def _values(value: Any) -> tuple[Any, ...]:
    items: list[Any] = []
    for item in value if isinstance(value, list) else [value]:
        # Comma-joined values (how the SDK sends lists) count as several, also inside a list.
        parts = [p.strip() for p in str(item).split(",")] if isinstance(item, (str, int, float)) else [item]
        items.extend(_value(p) for p in parts if p != "")
    return tuple(items)


def _condition(field: str, op: str, value: Any) -> ast.Node:
    if op == "eq":
        # `f[]=a,b` (how the SDK sends an array value) lists several values.
        return ast.Compare(field, "eq", _values(value) if isinstance(value, list) else _value(value))
    if op in _COMPARE_OPS:
        return ast.Compare(field, op, _value(value))  # type: ignore[arg-type]
    if op in ("in", "nin", "or"):
        return ast.In(field, _values(value), negate=op == "nin")
    if op == "all":
        return ast.ArrayHas(field, _values(value), mode="all")
    if op == "ctn":
        return ast.Contains(field, str(value))
    if op == "near":
        point, _, radius = str(value).partition(";")
        try:
            lon, lat = (float(p) for p in point.split(","))
            return ast.Near(field, lon, lat, float(radius))
        except ValueError:
            raise _bad(field, "near takes 'longitude,latitude;radius_in_metres'") from None
    raise _bad(field, f"{op} is not a search operator")


def _int_param(data: Mapping[str, Any], name: str, default: int) -> int:
    raw = data.get(name)
    if raw in (None, ""):
        return default
    try:
        return check_int64(name, int(str(raw)))
    except ValueError:
        raise _bad(name, f"{name} must be an integer") from None


def _names(raw: Any) -> tuple[str, ...]:
    return tuple(n.strip() for n in (raw if isinstance(raw, list) else str(raw).split(",")) if n.strip())


def parse_filters(data: Mapping[str, Any]) -> ast.Node:
    plain: list[ast.Node] = []
    alternatives: list[ast.Node] = []
    for field, raw in data.items():
        if field in CONTROL_PARAMS:
            continue
        operators = raw if isinstance(raw, Mapping) else {"eq": raw}
        for op, value in operators.items():
            if op == "calc":  # an aggregate of group_by, not a filter
                continue
            node = _condition(field, str(op), value)
            (alternatives if op == "or" else plain).append(node)
    if alternatives:
        plain.append(ast.Or(tuple(alternatives)) if len(alternatives) > 1 else alternatives[0])
    return ast.conjoin(*plain)


def parse_search(data: Mapping[str, Any]) -> Search:
    where = parse_filters(data)
    sort: list[ast.SortKey] = []
    sort_param = "sort_asc"
    for key, descending in (("sort_asc", False), ("sort_desc", True)):
        if (name := data.get(key)) not in (None, ""):
            if not isinstance(name, str):
                raise _bad(key, f"{key} names one field")
            sort.append(ast.SortKey(name, descending))
            sort_param = key
    skip = _int_param(data, "skip", 0)
    limit = _int_param(data, "limit", DEFAULT_LIMIT)
    if skip < 0:
        raise _bad("skip", "skip must not be negative")
    if limit < -1 or limit == 0:
        raise _bad("limit", "limit must be between 1 and 100, or -1 for the last record")
    last_only = limit == -1
    fields: tuple[str, ...] | None = None
    omit: tuple[str, ...] = ()
    output = data.get("output")
    if isinstance(output, Mapping):
        if "include" in output:
            fields = ("_id",) + tuple(n for n in _names(output["include"]) if n != "_id")
        elif "exclude" in output:
            omit = _names(output["exclude"])
    query = ast.Query(where=where, sort=tuple(sort), skip=skip, limit=1 if last_only else min(limit, MAX_LIMIT),
                      fields=fields, omit=omit, names=NAMES)
    count = str(data.get("count", "")).strip() in ("1", "true")
    group_by = data.get("group_by")
    calculations: tuple[tuple[str, str], ...] = ()
    if group_by not in (None, ""):
        if not isinstance(group_by, str):
            raise _bad("group_by", "group_by names one field")
        calculations = tuple((name, str(raw["calc"])) for name, raw in data.items()
                             if isinstance(raw, Mapping) and "calc" in raw)
        if not calculations:
            raise _bad("group_by", "needs at least one <field>[calc]=avg|min|max|sum")
    else:
        group_by = None
    return Search(query, count=count, last_only=last_only, group_by=group_by, calculations=calculations,
                  sort_param=sort_param)


def search_error_keys(search: Search) -> dict[str, str]:
    """The core's names for parts of a query -> the parameters a QuickBlox client sent them in."""
    return {"sort": search.sort_param, "fields": "output"}
