"""Casting by field type (DESIGN.md, seed 000, contract §4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.fields import CastError, field_type


@pytest.mark.parametrize("type_name, given, stored, as_json", [
    ("Integer", "665", 665, 665),
    ("Integer", 665, 665, 665),
    ("Integer", 7.0, 7, 7),
    ("Float", "0.12", 0.12, 0.12),
    ("Float", 3, 3.0, 3.0),
    ("Boolean", "false", False, False),
    ("Boolean", "1", True, True),
    ("String", 12, "12", "12"),
    ("String", True, "true", "true"),
    ("Date", "2019-09-21 21:21:00", 1569100860, "2019-09-21T21:21:00Z"),
    ("Date", "2019-09-21T23:21:00+02:00", 1569100860, "2019-09-21T21:21:00Z"),
    ("Date", "2019-09-21", 1569024000, "2019-09-21T00:00:00Z"),
    ("Date", 1569100860, 1569100860, "2019-09-21T21:21:00Z"),
    ("Location", "11.13, 45.52", [11.13, 45.52], [11.13, 45.52]),
    ("Location", ["11.13", "45.52"], [11.13, 45.52], [11.13, 45.52]),
    ("Integer[]", [1, 2, 3], [1, 2, 3], [1, 2, 3]),
    ("Integer[]", "1,2,3,", [1, 2, 3], [1, 2, 3]),
    ("Integer[]", ["1,2", "3"], [1, 2, 3], [1, 2, 3]),
    ("Integer_a", "4", [4], [4]),
    ("String[]", "man, car", ["man", "car"], ["man", "car"]),
    ("Boolean[]", ["true", False], [True, False], [True, False]),
    ("Float[]", "0.5,1", [0.5, 1.0], [0.5, 1.0]),
    ("String", None, None, None),
])
def test_casting(type_name: str, given: Any, stored: Any, as_json: Any) -> None:
    type_ = field_type(type_name)
    assert type_.cast(given) == stored
    assert type_.to_json(type_.cast(given)) == as_json


@pytest.mark.parametrize("type_name, given", [
    ("Integer", "1.5"), ("Integer", True), ("Integer", "12abc"), ("Integer", 2**70),
    ("Float", "nan"), ("Float", "inf"), ("Float", "x"), ("Float", False),
    ("Boolean", "yes"), ("Boolean", 2),
    ("String", {"a": 1}), ("String", [1]), ("String", "a\x00b"),
    ("Date", "21/09/2019"), ("Date", True),
    ("Location", "1"), ("Location", "181, 0"), ("Location", "0, 91"), ("Location", [1, 2, 3]),
    ("Integer[]", "1,x"), ("Integer[]", [{"a": 1}]),
])
def test_values_that_cannot_be_cast(type_name: str, given: Any) -> None:
    with pytest.raises(CastError):
        field_type(type_name).cast(given)
