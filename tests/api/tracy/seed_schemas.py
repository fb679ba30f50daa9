"""Seed 004's own schemas as a JSON Schema validator, read the way the seed means them.

Swashbuckle writes OpenAPI 3.0, which cannot mark a `$ref` member nullable, so every member that is
a bare `$ref` is read as "that object or null"; `nullable: true` becomes a null alternative; every
other member is strict, and `additionalProperties: false` stays."""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from objectbase.api.tracy.openapi import document

__all__ = ["assert_valid"]

_OPENAPI_REF = "#/components/schemas/"


def _rewrite(schema: Any, *, member: bool = False) -> Any:
    if isinstance(schema, list):
        return [_rewrite(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = {"$ref": "#/$defs/" + str(schema["$ref"]).removeprefix(_OPENAPI_REF)}
        return {"anyOf": [ref, {"type": "null"}]} if member else ref
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: _rewrite(sub, member=True) for name, sub in value.items()}
        elif key == "nullable":
            continue
        else:
            out[key] = _rewrite(value)
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    schemas = document()["components"]["schemas"]
    root = {"$defs": {key: _rewrite(value) for key, value in schemas.items()}, "$ref": f"#/$defs/{name}"}
    Draft202012Validator.check_schema(root)
    return Draft202012Validator(root, format_checker=FormatChecker())


def assert_valid(instance: Any, schema: str) -> None:
    """`instance` is a `schema` (e.g. "Record") of the seed, or a list of them for "Record[]"."""
    if schema.endswith("[]"):
        assert isinstance(instance, list), instance
        for item in instance:
            assert_valid(item, schema[:-2])
        return
    errors = sorted(_validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
