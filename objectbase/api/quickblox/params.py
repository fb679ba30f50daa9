"""QuickBlox search parameters (contract §4.5) -> the core query AST.

Values are cast by the field's type here with the core's casting rules; field names are only looked
up in the class schema, so what a client sends is never used as a column name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from objectbase.core.errors import ValidationError
from objectbase.core.fields import CastError, FieldType, field_type
from objectbase.core.fields.arrays import ArrayType
from objectbase.core.ids import is_object_id
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef

__all__ = ["CONTROL_PARAMS", "DEFAULT_LIMIT", "MAX_LIMIT", "Search", "parse_search"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
# Parameters that are not filters. `token` is the query-string form of QB-Token.
CONTROL_PARAMS = frozenset({"skip", "limit", "sort_asc", "sort_desc", "count", "output", "group_by",
                            "token", "permissions"})
_SYSTEM_TYPES: dict[str, FieldType] = {
    "_id": field_type("String"), "_parent_id": field_type("String"), "user_id": field_type("Integer"),
    "created_at": field_type("Integer"), "updated_at": field_type("Integer"),
}
_ORDERING = {"lt", "lte", "gt", "gte"}
_MAX_LIST = 100


@dataclass(frozen=True)
class Search:
    query: ast.Query
    count: bool = False
    # limit=-1: only the last record in sort order.
    last_only: bool = False
    fields: tuple[str, ...] | None = None
    # group_by=<field> with <field>[calc]=avg|min|max|sum: one item per group.
    group_by: str | None = None
    calculations: tuple[tuple[str, str], ...] = ()


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError.single(name, "invalid", message)


def _type_of(cls: ClassDef, name: str) -> FieldType | None:
    if name in _SYSTEM_TYPES:
        return _SYSTEM_TYPES[name]
    field = cls.fields.get(name)
    return field.type if field is not None else None


def _scalar(field: str, type_: FieldType, value: Any) -> Any:
    element = type_.element if isinstance(type_, ArrayType) else type_
    if value is None or value == "null":
        return None
    try:
        return element.cast_value(value)
    except CastError as error:
        raise _bad(field, f"{field} {error}") from None


def _values(field: str, type_: FieldType, value: Any) -> tuple[Any, ...]:
    items: list[Any] = []
    for item in value if isinstance(value, list) else [value]:
        # Comma-joined values (how the SDK sends lists) count as several, also inside a list.
        parts = [p.strip() for p in str(item).split(",")] if isinstance(item, (str, int, float)) else [item]
        items.extend(p for p in parts if p != "")
    if len(items) > _MAX_LIST:
        raise _bad(field, f"{field} lists more than {_MAX_LIST} values")
    return tuple(_scalar(field, type_, item) for item in items)


def _condition(cls: ClassDef, field: str, type_: FieldType, op: str, value: Any) -> ast.Node:
    if op == "eq" and isinstance(value, list):
        # `f[]=a,b` (how the SDK sends an array value): every listed value on arrays, any of them otherwise.
        return _condition(cls, field, type_, "all" if type_.is_array else "in", value)
    if op == "eq":
        return ast.Compare(field, "eq", _scalar(field, type_, value))
    if op in _ORDERING:
        if not type_.orderable:
            raise _bad(field, f"{op} does not apply to {type_.name} fields")
        return ast.Compare(field, op, _scalar(field, type_, value))  # type: ignore[arg-type]
    if op == "ne":
        return ast.Compare(field, "ne", _scalar(field, type_, value))
    if op in ("in", "nin", "or"):
        return ast.In(field, _values(field, type_, value), negate=op == "nin")
    if op == "all":
        if not type_.is_array:
            raise _bad(field, "all applies to array fields only")
        return ast.ArrayHas(field, _values(field, type_, value), mode="all")
    if op == "ctn":
        if type_.name != "String":
            raise _bad(field, "ctn applies to String fields only")
        return ast.Contains(field, str(value))
    if op == "near":
        if type_.name != "Location":
            raise _bad(field, "near applies to Location fields only")
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
        return int(str(raw))
    except ValueError:
        raise _bad(name, f"{name} must be an integer") from None


def _field_list(cls: ClassDef, raw: Any, name: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in (raw if isinstance(raw, list) else str(raw).split(",")) if n.strip())
    unknown = [n for n in names if _type_of(cls, n) is None]
    if unknown:
        raise _bad(name, f"{', '.join(unknown)} {'is not a field' if len(unknown) == 1 else 'are not fields'}")
    return names


def parse_filters(cls: ClassDef, data: Mapping[str, Any]) -> ast.Node:
    plain: list[ast.Node] = []
    alternatives: list[ast.Node] = []
    for field, raw in data.items():
        if field in CONTROL_PARAMS:
            continue
        type_ = _type_of(cls, field)
        if type_ is None:
            # A field the class does not have matches nothing (as in the document store QuickBlox uses).
            plain.append(ast.FALSE)
            continue
        if field in ("_id", "_parent_id") and not isinstance(raw, Mapping) and raw not in (None, "null"):
            if not is_object_id(str(raw)):
                plain.append(ast.FALSE)
                continue
        operators = raw if isinstance(raw, Mapping) else {"eq": raw}
        for op, value in operators.items():
            if op == "calc":  # an aggregate of group_by, not a filter
                continue
            node = _condition(cls, field, type_, str(op), value)
            (alternatives if op == "or" else plain).append(node)
    if alternatives:
        plain.append(ast.Or(tuple(alternatives)) if len(alternatives) > 1 else alternatives[0])
    return ast.conjoin(*plain)


def parse_search(cls: ClassDef, data: Mapping[str, Any]) -> Search:
    where = parse_filters(cls, data)
    sort: list[ast.SortKey] = []
    for key, descending in (("sort_asc", False), ("sort_desc", True)):
        if (name := data.get(key)) not in (None, ""):
            if not isinstance(name, str) or (sort_type := _type_of(cls, name)) is None:
                raise _bad(key, f"{name} is not a field of {cls.name}")
            if sort_type.storage == "json":  # arrays, locations, files have no order both databases share
                raise _bad(key, f"{name} is a {sort_type.name} field and cannot be sorted by")
            sort.append(ast.SortKey(name, descending))
    skip = _int_param(data, "skip", 0)
    limit = _int_param(data, "limit", DEFAULT_LIMIT)
    if skip < 0:
        raise _bad("skip", "skip must not be negative")
    if limit < -1 or limit == 0:
        raise _bad("limit", "limit must be between 1 and 100, or -1 for the last record")
    last_only = limit == -1
    fields = None
    output = data.get("output")
    if isinstance(output, Mapping):
        if "include" in output:
            fields = ("_id",) + tuple(n for n in _field_list(cls, output["include"], "output") if n != "_id")
        elif "exclude" in output:
            excluded = set(_field_list(cls, output["exclude"], "output"))
            everything = ("_id", "_parent_id", "created_at", "updated_at", "user_id", *cls.fields)
            fields = tuple(n for n in everything if n not in excluded)
    query = ast.Query(where=where, sort=tuple(sort), skip=skip,
                      limit=1 if last_only else min(limit, MAX_LIMIT))
    count = str(data.get("count", "")).strip() in ("1", "true")
    group_by = data.get("group_by")
    calculations: tuple[tuple[str, str], ...] = ()
    if group_by not in (None, ""):
        if not isinstance(group_by, str) or _type_of(cls, group_by) is None:
            raise _bad("group_by", f"{group_by} is not a field of {cls.name}")
        calculations = tuple((name, str(raw["calc"])) for name, raw in data.items()
                             if isinstance(raw, Mapping) and "calc" in raw)
        if not calculations:
            raise _bad("group_by", "needs at least one <field>[calc]=avg|min|max|sum")
    else:
        group_by = None
    return Search(query, count=count, last_only=last_only, fields=fields, group_by=group_by,
                  calculations=calculations)
