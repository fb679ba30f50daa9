"""The query evaluator's semantics, node by node (the oracle tests/storage holds SQL to)."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.errors import UnsupportedQueryError
from objectbase.core.query import ast
from objectbase.core.query.evaluate import (
    EARTH_RADIUS_M, Row, evaluate, haversine_metres, matches, near_threshold, run_query,
)

ARRAYS = frozenset({"tags", "levels"})
FULL: dict[ast.FieldRef, Any] = {
    "_id": "a1", "n": 5, "x": 2.5, "s": "50% off_sale", "b": True, "tags": ["red", "blue"], "levels": [1, 2],
    "loc": [11.0, 45.4], ast.AclAccess("read"): "open_for_groups", ast.AclMembers("read"): ["vip"],
}
EMPTY: dict[ast.FieldRef, Any] = {"_id": "a2", "tags": [], "levels": []}
MISSING: dict[ast.FieldRef, Any] = {"_id": "a3"}


def truth(node: ast.Node, row: Row) -> bool | None:
    return evaluate(node, row, array_fields=ARRAYS)


@pytest.mark.parametrize(("node", "full", "missing"), [
    (ast.Compare("n", "eq", 5), True, None),
    (ast.Compare("n", "eq", 6), False, None),
    (ast.Compare("n", "ne", 5), False, True),
    (ast.Compare("n", "ne", 6), True, True),
    (ast.Compare("n", "lt", 6), True, None),
    (ast.Compare("n", "lte", 5), True, None),
    (ast.Compare("n", "gt", 5), False, None),
    (ast.Compare("n", "gte", 5), True, None),
    (ast.Compare("x", "gt", 2.25), True, None),
    (ast.Compare("s", "lt", "6"), True, None),
    (ast.Compare("b", "eq", True), True, None),
    (ast.Compare("n", "eq", None), False, True),
    (ast.Compare("n", "ne", None), True, False),
], ids=repr)
def test_compare_is_unknown_on_missing_values_except_ne(node: ast.Node, full: bool, missing: bool | None) -> None:
    assert truth(node, FULL) is full
    assert truth(node, MISSING) is missing


@pytest.mark.parametrize("op", ["lt", "lte", "gt", "gte"])
def test_compare_needs_a_value_for_ordering(op: ast.CompareOp) -> None:
    with pytest.raises(UnsupportedQueryError):
        truth(ast.Compare("n", op, None), FULL)


@pytest.mark.parametrize(("node", "full", "empty", "missing"), [
    (ast.Compare("tags", "eq", "red"), True, False, False),
    (ast.Compare("tags", "eq", "green"), False, False, False),
    (ast.Compare("tags", "ne", "red"), False, True, True),
    (ast.Compare("tags", "eq", None), False, False, True),
    (ast.Compare("tags", "ne", None), True, True, False),
    (ast.In("levels", (2, 7)), True, False, False),
    (ast.In("levels", (7,), negate=True), True, True, True),
    (ast.In("levels", (1,), negate=True), False, True, True),
    (ast.ArrayHas("levels", (1, 2), "all"), True, False, False),
    (ast.ArrayHas("levels", (1, 3), "all"), False, False, False),
    (ast.ArrayHas("levels", (1, 3), "any"), True, False, False),
    (ast.ArrayHas("levels", (), "all"), True, True, True),
    (ast.ArrayHas("levels", (), "any"), False, False, False),
    (ast.ArrayHas(ast.AclMembers("read"), ("vip",), "any"), True, False, False),
], ids=repr)
def test_array_fields_hold_values_and_a_missing_array_holds_nothing(
    node: ast.Node, full: bool, empty: bool, missing: bool,
) -> None:
    assert (truth(node, FULL), truth(node, EMPTY), truth(node, MISSING)) == (full, empty, missing)


def test_ordering_does_not_apply_to_arrays() -> None:
    with pytest.raises(UnsupportedQueryError):
        truth(ast.Compare("levels", "gt", 1), FULL)


@pytest.mark.parametrize(("node", "full", "missing"), [
    (ast.In("n", (4, 5)), True, None),
    (ast.In("n", (4,)), False, None),
    (ast.In("n", (4,), negate=True), True, True),
    (ast.In("n", (5,), negate=True), False, True),
    (ast.In("n", ()), False, False),
    (ast.In("n", (), negate=True), True, True),
    # None listed means "missing".
    (ast.In("n", (None, 4)), False, True),
    (ast.In("n", (None, 4), negate=True), True, False),
    (ast.In(ast.AclAccess("read"), ("open", "open_for_groups")), True, None),
], ids=repr)
def test_in_and_nin(node: ast.Node, full: bool, missing: bool | None) -> None:
    assert truth(node, FULL) is full
    assert truth(node, MISSING) is missing


@pytest.mark.parametrize(("text", "expected"), [
    ("% off_", True), ("50", True), ("", True), ("OFF", False), ("%%", False), ("_", True),
])
def test_contains_is_a_case_sensitive_substring_without_wildcards(text: str, expected: bool) -> None:
    assert truth(ast.Contains("s", text), FULL) is expected
    assert truth(ast.Contains("s", text), MISSING) is None


def test_contains_on_an_array_looks_in_each_element() -> None:
    assert truth(ast.Contains("tags", "lu"), FULL) is True
    assert truth(ast.Contains("tags", "re,"), FULL) is False


def test_isnull_and_truth() -> None:
    assert truth(ast.IsNull("n"), MISSING) is True
    assert truth(ast.IsNull("n"), FULL) is False
    assert truth(ast.IsNull("tags"), EMPTY) is False  # an empty array is a value
    assert truth(ast.TRUE, MISSING) is True
    assert truth(ast.FALSE, FULL) is False


# About 10 km north-east of (11.0, 45.4): 0.0636° of latitude and 0.0905° of longitude.
TEN_KM_AWAY = {"_id": "b1", "loc": [11.0905, 45.4636]}


def test_near_is_within_a_radius_in_metres() -> None:
    distance = haversine_metres(11.0905, 45.4636, 11.0, 45.4)
    assert 9_900 < distance < 10_100
    assert truth(ast.Near("loc", 11.0, 45.4, 16_800), TEN_KM_AWAY) is True
    assert truth(ast.Near("loc", 11.0, 45.4, 5_000), TEN_KM_AWAY) is False
    assert truth(ast.Near("loc", 11.0, 45.4, 5_000), MISSING) is None


def test_near_edges() -> None:
    here = {"_id": "c", "loc": [11.0, 45.4]}
    antipode = {"_id": "d", "loc": [-169.0, -45.4]}
    assert truth(ast.Near("loc", 11.0, 45.4, 0), here) is True
    assert truth(ast.Near("loc", 11.0, 45.4, -1), here) is False
    half_circumference = 3.14159266 * EARTH_RADIUS_M
    assert truth(ast.Near("loc", 11.0, 45.4, half_circumference), antipode) is True
    assert truth(ast.Near("loc", 11.0, 45.4, half_circumference - 1_000), antipode) is False
    # Across the antimeridian: 179.9°E and 179.9°W are ~22 km apart at the equator.
    assert truth(ast.Near("loc", 179.9, 0, 25_000), {"_id": "e", "loc": [-179.9, 0.0]}) is True
    assert near_threshold(10 * EARTH_RADIUS_M) > 1


def test_not_and_or_are_three_valued() -> None:
    unknown = ast.Compare("n", "lt", 3)
    assert truth(unknown, MISSING) is None
    assert truth(ast.Not(unknown), MISSING) is None
    assert truth(ast.Or((unknown, ast.TRUE)), MISSING) is True
    assert truth(ast.Or((unknown, ast.FALSE)), MISSING) is None
    assert truth(ast.And((unknown, ast.FALSE)), MISSING) is False
    assert truth(ast.And((unknown, ast.TRUE)), MISSING) is None
    assert truth(ast.And(()), MISSING) is True
    assert truth(ast.Or(()), MISSING) is False
    assert matches(ast.Not(unknown), MISSING) is False
    assert matches(ast.Not(ast.Compare("n", "lt", 3)), FULL) is True


ROWS: list[Row] = [
    {"_id": "01", "n": 2, "s": "b"},
    {"_id": "02", "n": None, "s": "a"},
    {"_id": "03", "n": 1, "s": "b"},
    {"_id": "04", "n": 2, "s": None},
]


def ids(rows: list[Row]) -> list[Any]:
    return [row["_id"] for row in rows]


def test_run_query_filters_sorts_with_id_tie_break_and_pages() -> None:
    assert ids(run_query(ast.Query(), ROWS, nulls_first=True)) == ["01", "02", "03", "04"]
    by_n = ast.Query(sort=(ast.SortKey("n"),))
    assert ids(run_query(by_n, ROWS, nulls_first=True)) == ["02", "03", "01", "04"]
    assert ids(run_query(by_n, ROWS, nulls_first=False)) == ["03", "01", "04", "02"]
    by_n_desc = ast.Query(sort=(ast.SortKey("n", descending=True),))
    assert ids(run_query(by_n_desc, ROWS, nulls_first=True)) == ["01", "04", "03", "02"]
    assert ids(run_query(by_n_desc, ROWS, nulls_first=False)) == ["02", "01", "04", "03"]
    two_keys = ast.Query(sort=(ast.SortKey("s", descending=True), ast.SortKey("n")), skip=1, limit=2)
    assert ids(run_query(two_keys, ROWS, nulls_first=False)) == ["03", "01"]
    filtered = ast.Query(where=ast.Compare("n", "gte", 2), limit=10)
    assert ids(run_query(filtered, ROWS, nulls_first=True)) == ["01", "04"]


@pytest.mark.parametrize(("key", "expected"), [
    (ast.SortKey("n", nulls="first"), ["02", "03", "01", "04"]),
    (ast.SortKey("n", nulls="last"), ["03", "01", "04", "02"]),
    (ast.SortKey("n", descending=True, nulls="first"), ["02", "01", "04", "03"]),
    (ast.SortKey("n", descending=True, nulls="last"), ["01", "04", "03", "02"]),
], ids=["asc-nulls-first", "asc-nulls-last", "desc-nulls-first", "desc-nulls-last"])
@pytest.mark.parametrize("default_nulls_first", [True, False])
def test_a_keys_nulls_order_wins_over_the_default(key: ast.SortKey, expected: list[str],
                                                   default_nulls_first: bool) -> None:
    assert ids(run_query(ast.Query(sort=(key,)), ROWS, nulls_first=default_nulls_first)) == expected


def test_a_reversed_key_walks_the_order_backwards() -> None:
    for key in (ast.SortKey("n"), ast.SortKey("n", nulls="last"), ast.SortKey("n", True, "first")):
        # Rows with distinct `n` only: the `_id` tie-break stays ascending either way.
        distinct = ROWS[:3]
        forward = ids(run_query(ast.Query(sort=(key,)), distinct, nulls_first=True))
        backward = ids(run_query(ast.Query(sort=(key.reversed(),)), distinct, nulls_first=True))
        assert backward == forward[::-1]


def test_run_query_refuses_to_sort_by_json_values() -> None:
    rows: list[Row] = [{"_id": "1", "tags": ["a"]}, {"_id": "2", "tags": ["b"]}]
    with pytest.raises(UnsupportedQueryError):
        run_query(ast.Query(sort=(ast.SortKey("tags"),)), rows, nulls_first=True)
