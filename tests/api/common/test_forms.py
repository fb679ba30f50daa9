"""Rack-style bracket notation, as the contract's table (§1.2) gives it."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.api.common.forms import decode_form
from objectbase.core.errors import MalformedInputError


@pytest.mark.parametrize("wire, decoded", [
    ("a=1", {"a": "1"}),
    ("a[b]=1", {"a": {"b": "1"}}),
    ("a[b][c]=1", {"a": {"b": {"c": "1"}}}),
    ("a[]=1&a[]=2", {"a": ["1", "2"]}),
    ("a[b][]=1&a[b][]=2", {"a": {"b": ["1", "2"]}}),
    ("record[1][name]=x&record[2][name]=y", {"record": {"1": {"name": "x"}, "2": {"name": "y"}}}),
    ("name=x+y&other=p%40ss%20w%26rd", {"name": "x y", "other": "p@ss w&rd"}),
    ("user_location[near]=11.00,45.40;16800", {"user_location": {"near": "11.00,45.40;16800"}}),
    ("empty=", {"empty": ""}),
])
def test_bracket_notation(wire: str, decoded: dict[str, Any]) -> None:
    assert decode_form(wire) == decoded


@pytest.mark.parametrize("wire", ["a=1&a[b]=2", "a[b]=1&a=2", "a[]=1&a[b]=2", "a" + "[b]" * 10 + "=1"])
def test_conflicting_or_too_deep_keys_are_malformed(wire: str) -> None:
    with pytest.raises(MalformedInputError):
        decode_form(wire)


@pytest.mark.parametrize("wire", [b"\xff\xfe=1", b"a=%FF"])
def test_invalid_utf8_is_malformed(wire: bytes) -> None:
    with pytest.raises(MalformedInputError):
        decode_form(wire)
