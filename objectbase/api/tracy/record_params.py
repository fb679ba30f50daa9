"""`GET /v1/records` parameters (contract §8.1) → a core query, and 64-bit ids in paths and
parameters (records, datums, metadatums, events are int64, §1.5).

The query names the dataset's fields, so it is built for the class the core finds (`query_of`);
values are passed as the wire gave them and cast by the core when it binds the query."""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable

from starlette.requests import Request

from objectbase.api.common.lists import comma_list
from objectbase.api.tracy.params import int_param
from objectbase.api.tracy.properties import Property, properties_of
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.fields import CastError
from objectbase.core.fields.date import parse_date
from objectbase.core.query import ast
from objectbase.core.schema import ClassDef, element_type

__all__ = ["MAX_PAGE", "inclusion_param", "list_query", "long_ids", "long_param", "long_path_id", "page_of",
           "record_id_param"]

MAX_PAGE = 1000
_DEFAULT_PAGE = 50
_INT64_MAX = 2**63 - 1
_PROPERTY = re.compile(r"^property\[(-?\d{1,12})\](?:\[(from|to)\])?$")
# What an automatic property filters and sorts by.
_AUTOMATIC_COLUMNS = {"author": "user_id", "createdAt": "created_at", "updatedAt": "updated_at"}
_SORT_KEYS = {"id": ast.SEQ, "created": "created_at", "updated": "updated_at", "state": ast.STATE_POSITION}
_RANGED = ("Integer", "Float", "Date")
_INCLUSIONS = ("exclude", "include", "only")


def _bad(name: str, message: str) -> ValidationError:
    return ValidationError({name: [FieldError("invalid", message)]}, f"The parameter {name} is not valid")


def _long(name: str, text: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > _INT64_MAX:
        raise _bad(name, "The value must be a positive 64-bit integer.")
    return int(text)


def long_path_id(request: Request) -> int:
    return _long("id", str(request.path_params["id"]))


def long_param(request: Request, name: str) -> int | None:
    text = request.query_params.get(name)
    return None if text is None else _long(name, text)


def record_id_param(request: Request) -> int:
    """`recordId`, required (V4, M2)."""
    seq = long_param(request, "recordId")
    if seq is None:
        raise ValidationError({"recordId": [FieldError("required", "recordId is required.")]},
                              "The parameter recordId is required")
    return seq


def long_ids(request: Request, name: str) -> list[int] | None:
    """A comma list (or repeated parameter) of ids; None when absent."""
    texts = request.query_params.getlist(name)
    if not texts:
        return None
    items = comma_list(texts) or ()
    if len(items) > MAX_PAGE:
        raise _bad(name, f"At most {MAX_PAGE} ids.")
    return [_long(name, item) for item in items]


def page_of(request: Request) -> tuple[int, int]:
    """(offset, limit): offset ≥ 0, limit 1…1000, default 50."""
    offset = int_param(request, "offset") or 0
    limit = int_param(request, "limit")
    if offset < 0:
        raise _bad("offset", "The value must not be negative.")
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise _bad("limit", f"The value must be between 1 and {MAX_PAGE}.")
    return offset, _DEFAULT_PAGE if limit is None else limit


def inclusion_param(request: Request, name: str) -> ast.Inclusion:
    text = request.query_params.get(name, "exclude")
    if text == "include":
        return "include"
    if text == "only":
        return "only"
    if text != "exclude":
        raise _bad(name, f"The value must be one of {', '.join(_INCLUSIONS)}.")
    return "exclude"


def _property(cls: ClassDef, key: str, prop_id: int) -> Property:
    prop = next((p for p in properties_of(cls) if p.id == prop_id), None)
    if prop is None:
        raise _bad(key, f"Property {prop_id} is not a property of dataset {cls.id}.")
    return prop


def _column(prop: Property) -> str:
    return prop.field.name if prop.field is not None else _AUTOMATIC_COLUMNS[prop.type.id]


def _value(key: str, prop: Property, text: str) -> Any:
    """The wire value; dates of automatic properties (stored as seconds) are read here."""
    if prop.type.id in ("createdAt", "updatedAt"):
        try:
            return parse_date(text)
        except CastError:
            raise _bad(key, "The value must be an ISO 8601 date and time.") from None
    return text


def _kind(prop: Property) -> str:
    if prop.field is None:
        return "Integer" if prop.type.id == "author" else "Date"
    return element_type(prop.field.type).name


def _condition(cls: ClassDef, key: str, prop_id: int, bound: str | None, text: str) -> ast.Node:
    prop = _property(cls, key, prop_id)
    name, value = _column(prop), _value(key, prop, text)
    if bound is not None:
        if _kind(prop) not in _RANGED or prop.type.is_plural:
            raise _bad(key, f"{prop.type.id} properties take no range.")
        return ast.Compare(name, "gte" if bound == "from" else "lte", value)
    if prop.type.is_plural:
        return ast.ArrayHas(name, (value,), mode="any")
    return ast.Compare(name, "eq", value)


def _search(cls: ClassDef, text: str) -> ast.Node:
    """Text datums (ASCII letters in either case) and option texts (any case) holding `text`."""
    pattern = "%" + ast.like_escape(text) + "%"
    folded = text.casefold()
    items: list[ast.Node] = []
    for field in cls.fields.values():
        kind = element_type(field.type).name
        if field.type.name == "String":
            items.append(ast.Like(field.name, pattern))
        elif kind == "Option":
            ids = tuple(o.id for o in field.options if folded in o.text.casefold())
            if ids:
                items.append(ast.ArrayHas(field.name, ids, mode="any") if field.type.is_array
                             else ast.In(field.name, ids))
    return ast.Or(tuple(items)) if items else ast.FALSE


def _sort(cls: ClassDef, text: str) -> tuple[ast.SortKey, ...]:
    keys = []
    for item in comma_list(text) or ():
        descending = item.startswith("-")
        name = item.lstrip("-")
        if name in _SORT_KEYS:
            keys.append(ast.SortKey(_SORT_KEYS[name], descending))
            continue
        match = re.fullmatch(r"property:(-?\d{1,12})", name)
        if match is None:
            raise _bad("sort", f"{name} is not a sort key (id, state, created, updated or property:<id>).")
        prop = _property(cls, "sort", int(match.group(1)))
        if not prop.type.is_sortable:
            raise _bad("sort", f"{prop.type.id} properties cannot be sorted by.")
        keys.append(ast.SortKey(_column(prop), descending))
    return tuple(keys) or (ast.SortKey(ast.SEQ),)


def _query(filters: list[tuple[str, int, str | None, str]], states: list[int], search: str | None, sort: str,
           offset: int, limit: int, archived: ast.Inclusion, removed: ast.Inclusion, cls: ClassDef) -> ast.Query:
    where = ast.conjoin(
        ast.In(ast.RecordMark("state_id"), tuple(states)) if states else ast.TRUE,
        _search(cls, search) if search else ast.TRUE,
        *(_condition(cls, key, prop_id, bound, text) for key, prop_id, bound, text in filters))
    return ast.Query(where=where, sort=_sort(cls, sort), skip=offset, limit=limit, archived=archived,
                     removed=removed)


def list_query(request: Request) -> tuple[int | None, list[int] | None, Callable[[ClassDef], ast.Query]]:
    """(dataset id, record ids, the query for the dataset)."""
    for key, text in request.query_params.multi_items():
        if "\x00" in key or "\x00" in text:
            raise _bad(key.replace("\x00", ""), "The value contains a NUL character.")
    dataset = int_param(request, "datasetId")
    seqs = long_ids(request, "ids")
    if dataset is None and seqs is None:
        raise ValidationError({"datasetId": [FieldError("required", "datasetId or ids is required.")]},
                              "The parameter datasetId is required unless ids is given")
    filters = []
    for key, text in request.query_params.multi_items():
        match = _PROPERTY.match(key)
        if match is not None:
            filters.append((key, int(match.group(1)), match.group(2), text))
    if filters and dataset is None:
        raise _bad(filters[0][0], "Property filters need datasetId.")
    states = [int(_long("stateId", s)) for s in comma_list(request.query_params.getlist("stateId")) or ()]
    offset, limit = page_of(request)
    search = request.query_params.get("search") or None
    return dataset, seqs, partial(_query, filters, states, search, request.query_params.get("sort", ""), offset,
                                  limit, inclusion_param(request, "archived"), inclusion_param(request, "removed"))
