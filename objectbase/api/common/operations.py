"""What a route's OpenAPI operation says: summary, parameters, body and responses.

Each dialect declares one `Operation` per (method, route path) next to its routes; the generator
(api/reference/openapi.py) walks the routes the dialect actually serves and refuses a route
without a declaration or a declaration without a route, so the document cannot drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["INTEGER", "OBJECT", "Operation", "Param", "STRING", "array_of", "query"]

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
OBJECT: Schema = {"type": "object"}


def array_of(items: Schema) -> Schema:
    return {"type": "array", "items": items}


@dataclass(frozen=True)
class Param:
    name: str
    where: str = "query"  # "query" or "header"; path parameters come from the route itself
    schema: Schema = field(default_factory=lambda: dict(STRING))
    description: str = ""
    required: bool = False


def query(*names: str, schema: Schema | None = None) -> tuple[Param, ...]:
    """Several optional query parameters of one type (a string unless told)."""
    return tuple(Param(name, schema=dict(schema or STRING)) for name in names)


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    params: tuple[Param, ...] = ()
    body: Schema | None = None  # a JSON request body's schema
    form: Schema | None = None  # a multipart/form-data body's schema (uploads)
    response: Schema | None = None  # the success body's schema; None: no JSON body is promised
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 403, 404, 422)
    secured: bool = True  # False: reachable without credentials (sign-in, sign-up)
    binary: bool = False  # the success body is the file's bytes
