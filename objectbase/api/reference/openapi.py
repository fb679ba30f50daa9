"""OpenAPI 3.1 documents generated from a dialect's served routes and their `Operation` declarations.

The walk is over the Starlette routes the dialect dispatches to, so a route added without a
declaration, or a declaration left behind by a removed route, fails the build (`UndeclaredRoutes`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.convertors import FloatConvertor, IntegerConvertor
from starlette.routing import BaseRoute, Route

from objectbase.api.common.operations import INTEGER, STRING, Operation, Param

__all__ = ["Mount", "UndeclaredRoutes", "build_document"]

Schema = dict[str, Any]
Key = TypeVar("Key", bound=Hashable)
_PATH_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(:[a-z]+)?}")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_ERROR_TEXT = {400: "Bad request", 401: "No or invalid credentials", 403: "Not permitted",
               404: "Not found", 405: "Method not allowed", 409: "Conflict", 413: "Body too large",
               422: "Invalid input", 429: "Too many sign-in attempts (see Retry-After)",
               500: "Internal error (never a traceback)", 503: "Storage unavailable"}
# Every route may answer these, whatever it declares: the pipeline's own refusals.
_ALWAYS = (405, 413, 429, 500)


class UndeclaredRoutes(Exception):
    """Served routes without a declaration, or declarations no served route has."""


@dataclass(frozen=True)
class Mount:
    """Routes served below one path prefix, with the error body they answer in."""

    prefix: str
    routes: Sequence[BaseRoute]
    error: Schema
    suffix: str = ""  # QuickBlox shows `.json` after every path
    tag_suffix: str = ""  # tells apart two surfaces' operations (DreamFactory /api/v2 and /rest)


def _served(routes: Iterable[BaseRoute], hidden: frozenset[Callable[..., Any]]) -> Iterable[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Route) and route.endpoint not in hidden:
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, route


def _path_params(route: Route) -> list[Schema]:
    params = []
    for name, convertor in route.param_convertors.items():
        schema = INTEGER if isinstance(convertor, IntegerConvertor) else (
            {"type": "number"} if isinstance(convertor, FloatConvertor) else {**STRING, "pattern": "^[^/]+$"})
        params.append({"name": name, "in": "path", "required": True, "schema": dict(schema)})
    return params


def _param(param: Param) -> Schema:
    out: Schema = {"name": param.name, "in": param.where, "required": param.required, "schema": dict(param.schema)}
    if param.description:
        out["description"] = param.description
    return out


def _json(schema: Schema) -> Schema:
    return {"application/json": {"schema": schema}}


def _operation(declared: Operation, route: Route, mount: Mount, method: str, security: list[Schema]) -> Schema:
    responses: Schema = {}
    success: Schema = {"description": "OK"}
    if declared.binary:
        success["content"] = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    elif declared.response is not None:
        success["content"] = _json(declared.response)
    responses[str(declared.status)] = success
    for status in sorted({*declared.errors, *_ALWAYS}):
        responses[str(status)] = {"description": _ERROR_TEXT.get(status, "Error"), "content": _json(mount.error)}
    operation: Schema = {
        "tags": [declared.tag + mount.tag_suffix], "summary": declared.summary,
        "operationId": _NOT_WORD.sub("_", f"{method.lower()}{mount.tag_suffix}{mount.prefix}{route.path}").strip("_"),
        "parameters": [*_path_params(route), *map(_param, declared.params)],
        "responses": responses,
    }
    if declared.body is not None:
        operation["requestBody"] = {"content": _json(declared.body)}
    elif declared.form is not None:
        operation["requestBody"] = {"content": {"multipart/form-data": {"schema": declared.form}}}
    operation["security"] = security if declared.secured else [{}, *security]
    return operation


def build_document(*, title: str, description: str, mounts: Sequence[Mount],
                   operations: Mapping[Key, Operation], key: Callable[[str, Route], Key],
                   security_schemes: Schema, security: list[Schema],
                   hidden: frozenset[Callable[..., Any]] = frozenset()) -> Schema:
    """`key(method, route)` names a route's declaration in `operations`; `hidden` endpoints (a
    dialect's 405 fillers) are served but not documented."""
    paths: Schema = {}
    used: set[Key] = set()
    missing: list[str] = []
    for mount in mounts:
        for method, route in _served(mount.routes, hidden):
            name = key(method, route)
            declared = operations.get(name)
            if declared is None:
                missing.append(f"{method} {mount.prefix}{route.path}")
                continue
            used.add(name)
            path = mount.prefix + _PATH_PARAM.sub(r"{\1}", route.path) + mount.suffix
            paths.setdefault(path, {})[method.lower()] = _operation(declared, route, mount, method, security)
    unserved = [str(name) for name in operations if name not in used]
    if missing or unserved:
        raise UndeclaredRoutes(f"undeclared routes: {missing}; declared but not served: {unserved}")
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1", "description": description},
        "paths": paths,
        "components": {"securitySchemes": security_schemes},
    }
