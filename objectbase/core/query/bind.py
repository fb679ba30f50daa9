"""Binding a dialect's unbound query to a class: names resolved, values cast, sorts and fields checked.

Dialects parse their syntax into an *unbound* AST: field names as the client wrote them and values
as the wire gave them (strings, numbers, booleans, None). The core binds it here, inside the
operation's transaction, once it has the class: each name is resolved through the schema (so no
client text reaches storage), each value is cast by the field's type, and operators that do not
apply to a type are refused. Storage only ever sees bound queries.

One unbound form has no bound twin: `Compare(f, "eq", (a, b, …))`, a tuple of values, is how
clients list several values in one parameter. On an array field it means "holds all of them",
elsewhere "is any of them".
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Sequence

from objectbase.core.errors import ValidationError
from objectbase.core.fields import CastError, FieldType
from objectbase.core.fields.arrays import ArrayType
from objectbase.core.ids import is_object_id
from objectbase.core.query import ast
from objectbase.core.schema import SYSTEM_FIELD_TYPES, ClassDef
from objectbase.core.storable import check_int64, check_storable

__all__ = ["MAX_LISTED_VALUES", "bind_fields", "bind_query", "bind_sort", "bind_where", "check_paging",
           "check_values", "resolve_field"]

# The most values one `in`/`all`/listed condition may carry.
MAX_LISTED_VALUES = 100
_ORDERING = frozenset({"lt", "lte", "gt", "gte"})
_ID_FIELDS = frozenset({"_id", "_parent_id"})


def _bad(key: str, message: str) -> ValidationError:
    return ValidationError.single(key, "invalid", message)


def _unknown(key: str, part: str, names: Sequence[str], message: str) -> ValidationError:
    """A name the class does not have; `details` say which part of the query (where, sort, fields)
    named it and how, so a dialect can word it as its clients expect."""
    error = ValidationError.single(key, "unknown_field", message)
    error.details = {"query_part": part, "names": list(names)}
    return error


def resolve_field(cls: ClassDef, name: str, rules: ast.NameRules) -> tuple[str, FieldType] | None:
    """The canonical name and type of a class field or system field, or None if the class has none."""
    if name in SYSTEM_FIELD_TYPES:
        return name, SYSTEM_FIELD_TYPES[name]
    field = cls.fields.get(name)
    if field is not None:
        return field.name, field.type
    if rules.fold_case:
        # Field names that differ only in case are refused by the schema, so this is unambiguous.
        lowered = name.lower()
        for system, type_ in SYSTEM_FIELD_TYPES.items():
            if system == lowered:
                return system, type_
        for field in cls.fields.values():
            if field.name.lower() == lowered:
                return field.name, field.type
    return None


def _scalar(key: str, type_: FieldType, value: Any) -> Any:
    element = type_.element if isinstance(type_, ArrayType) else type_
    if value is None:
        return None
    try:
        return element.cast_value(value)
    except CastError as error:
        raise _bad(key, f"{key} {error}") from None


def _listed(key: str, type_: FieldType, values: Sequence[Any]) -> tuple[Any, ...]:
    if len(values) > MAX_LISTED_VALUES:
        raise _bad(key, f"{key} lists more than {MAX_LISTED_VALUES} values")
    return tuple(_scalar(key, type_, v) for v in values)


class _Binder:
    def __init__(self, cls: ClassDef, rules: ast.NameRules) -> None:
        self.cls = cls
        self.rules = rules

    def field(self, ref: str) -> tuple[str, FieldType] | None:
        found = resolve_field(self.cls, ref, self.rules)
        if found is None and self.rules.unknown_in_filter == "reject":
            raise _unknown(ref, "where", [ref], f"{ref} is not a field of {self.cls.name}")
        return found

    def node(self, node: ast.Node) -> ast.Node:
        if isinstance(node, ast.Truth):
            return node
        if isinstance(node, ast.And):
            return ast.And(tuple(self.node(n) for n in node.items))
        if isinstance(node, ast.Or):
            return ast.Or(tuple(self.node(n) for n in node.items))
        if isinstance(node, ast.Not):
            return ast.Not(self.node(node.item))
        key = node.field
        if not isinstance(key, str):
            return node  # an ACL reference: the core's own, already bound
        found = self.field(key)
        if found is None:
            # An unknown field matches nothing, where the dialect says so (a document store's answer).
            return ast.FALSE
        name, type_ = found
        if isinstance(node, ast.Compare):
            return self.compare(key, name, type_, node.op, node.value)
        if isinstance(node, ast.In):
            return ast.In(name, _listed(key, type_, node.values), negate=node.negate)
        if isinstance(node, ast.ArrayHas):
            if not type_.is_array:
                raise _bad(key, "all applies to array fields only")
            return ast.ArrayHas(name, _listed(key, type_, node.values), mode=node.mode)
        if isinstance(node, ast.Contains):
            if type_.name != "String":
                raise _bad(key, "substring search applies to String fields only")
            return ast.Contains(name, check_storable(key, str(node.text)))
        if isinstance(node, ast.Like):
            if type_.name != "String":
                raise _bad(key, "pattern matching applies to String fields only")
            return ast.Like(name, check_storable(key, str(node.pattern)))
        if isinstance(node, ast.Near):
            if type_.name != "Location":
                raise _bad(key, "near applies to Location fields only")
            if not all(math.isfinite(n) for n in (node.lon, node.lat, node.radius)):
                raise _bad(key, "near takes finite numbers")
            return ast.Near(name, node.lon, node.lat, node.radius)
        if isinstance(node, ast.IsNull):
            return ast.IsNull(name)
        raise _bad(key, f"{type(node).__name__} is not a condition this core binds")

    def compare(self, key: str, name: str, type_: FieldType, op: ast.CompareOp, value: Any) -> ast.Node:
        if isinstance(value, tuple):
            if op != "eq":
                raise _bad(key, f"{op} takes one value")
            values = _listed(key, type_, value)
            return ast.ArrayHas(name, values, mode="all") if type_.is_array else ast.In(name, values)
        if op in _ORDERING and not type_.orderable:
            raise _bad(key, f"{op} does not apply to {type_.name} fields")
        if name in _ID_FIELDS and op == "eq" and value is not None and not is_object_id(str(value)):
            return ast.FALSE  # no record has such an id
        return ast.Compare(name, op, _scalar(key, type_, value))


def bind_where(cls: ClassDef, where: ast.Node, rules: ast.NameRules = ast.NameRules()) -> ast.Node:
    return _Binder(cls, rules).node(where)


def bind_sort(cls: ClassDef, sort: Sequence[ast.SortKey], rules: ast.NameRules = ast.NameRules()
              ) -> tuple[ast.SortKey, ...]:
    bound = []
    for key in sort:
        if key.field in ast.RECORD_ORDER_KEYS:
            bound.append(key)
            continue
        found = resolve_field(cls, key.field, rules)
        if found is None:
            raise _unknown("sort", "sort", [key.field], f"{key.field} is not a field of {cls.name}")
        name, type_ = found
        if type_.storage == "json":  # arrays, locations, files have no order both databases share
            raise _bad("sort", f"{key.field} is a {type_.name} field and cannot be sorted by")
        bound.append(replace(key, field=name))
    return tuple(bound)


def bind_fields(cls: ClassDef, names: Sequence[str], rules: ast.NameRules = ast.NameRules()) -> tuple[str, ...]:
    resolved = [(n, resolve_field(cls, n, rules)) for n in names]
    unknown = [n for n, found in resolved if found is None]
    if unknown:
        raise _unknown("fields", "fields", unknown,
                       f"{', '.join(unknown)} {'is not a field' if len(unknown) == 1 else 'are not fields'}")
    return tuple(found[0] for _, found in resolved if found is not None)


def check_values(node: ast.Node) -> ast.Node:
    """A query on a system table (users), which storage casts by column: every value it compares
    must be storable (no NUL, within 64 bits), as bound record queries' values are by their types."""
    if isinstance(node, (ast.And, ast.Or)):
        for item in node.items:
            check_values(item)
    elif isinstance(node, ast.Not):
        check_values(node.item)
    elif isinstance(node, (ast.Compare, ast.In, ast.ArrayHas, ast.Contains, ast.Like)):
        value = {ast.Compare: "value", ast.Contains: "text", ast.Like: "pattern"}.get(type(node), "values")
        check_storable(str(node.field), getattr(node, value))
    return node


def check_paging(query: ast.Query) -> ast.Query:
    """Offsets and limits are bound as 64-bit integers: a larger one is refused, not sent."""
    check_int64("skip", query.skip)
    if query.limit is not None:
        check_int64("limit", query.limit)
    return query


def bind_query(cls: ClassDef, query: ast.Query) -> ast.Query:
    """The query bound to the class. `omit` becomes the `fields` of every other field."""
    check_paging(query)
    rules = query.names
    fields = bind_fields(cls, query.fields, rules) if query.fields is not None else None
    if query.omit:
        omitted = set(bind_fields(cls, query.omit, rules))
        fields = tuple(n for n in (*SYSTEM_FIELD_TYPES, *cls.fields) if n not in omitted)
    return replace(query, where=bind_where(cls, query.where, rules), sort=bind_sort(cls, query.sort, rules),
                   fields=fields, omit=(), names=ast.NameRules())
