"""Rack-style bracket notation (`a[b][]=1`) -> nested dicts and lists."""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import parse_qsl

from objectbase.core.errors import MalformedInputError

__all__ = ["decode_form", "parse_nested"]

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_MAX_DEPTH = 6


def _split_key(key: str) -> list[str]:
    match = _KEY.match(key)
    if not match:
        # Not bracket notation (e.g. `a[b` or `[x]`): keep it as a plain name.
        return [key]
    parts = [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))
    if len(parts) > _MAX_DEPTH:
        raise MalformedInputError(f"Parameter {key!r} is nested too deeply")
    return parts


def _conflict(key: str) -> MalformedInputError:
    return MalformedInputError(f"Parameter {key!r} is given both as a value and as a structure")


def parse_nested(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        parts = _split_key(key)
        node: Any = result
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            following = None if last else parts[i + 1]
            if part == "":
                if not isinstance(node, list):
                    raise _conflict(key)
                if last:
                    node.append(value)
                    break
                # `a[][b]=1`: each new key starts a new element.
                if not node or not isinstance(node[-1], dict) or following in node[-1]:
                    node.append({})
                node = node[-1]
                continue
            if not isinstance(node, dict):
                raise _conflict(key)
            if last:
                if isinstance(node.get(part), (dict, list)):
                    raise _conflict(key)
                node[part] = value
            else:
                child = node.setdefault(part, [] if following == "" else {})
                if not isinstance(child, (dict, list)) or (following == "") != isinstance(child, list):
                    raise _conflict(key)
                node = child
    return result


def decode_form(body: bytes | str) -> dict[str, Any]:
    """`+` is a space, `;` is not a separator, values are UTF-8."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise MalformedInputError("Form body is not valid UTF-8") from None
    return parse_nested(pairs)
