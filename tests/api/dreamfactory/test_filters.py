"""The DreamFactory filter grammar (spec/dreamfactory.md §9): text -> the exact unbound AST, or a
FilterSyntaxError with its code. No database: binding and SQL are tested elsewhere."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any, Mapping

import pytest

from objectbase.api.dreamfactory.filters import MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, FilterSyntaxError, parse_filter
from objectbase.core.errors import MalformedInputError
from objectbase.core.query.ast import And, Compare, In, IsNull, Like, Node, Not, Or

PARAMS: Mapping[str, Any] = {":name": "O'Brien", ":n": 3, ":f": 2.5, ":yes": True, ":none": None, "bare": "b"}

A1, B2, C3 = Compare("a", "eq", 1), Compare("b", "eq", 2), Compare("c", "eq", 3)

PARSED: list[tuple[str, str, Node]] = [
    # operators, symbol and word forms, any case
    ("eq", "a = 1", A1),
    ("eq-word", "a EQ 1", A1),
    ("eq-word-lower", "a eq 1", A1),
    ("ne-bang", "a != 1", Compare("a", "ne", 1)),
    ("ne-angle", "a <> 1", Compare("a", "ne", 1)),
    ("ne-word", "a NE 1", Compare("a", "ne", 1)),
    ("gt", "a > 1", Compare("a", "gt", 1)),
    ("gt-word", "a Gt 1", Compare("a", "gt", 1)),
    ("gte", "a >= 1", Compare("a", "gte", 1)),
    ("gte-word", "a GTE 1", Compare("a", "gte", 1)),
    ("lt", "a < 1", Compare("a", "lt", 1)),
    ("lt-word", "a LT 1", Compare("a", "lt", 1)),
    ("lte", "a <= 1", Compare("a", "lte", 1)),
    ("lte-word", "a lte 1", Compare("a", "lte", 1)),
    ("no-spaces", "a>=-1", Compare("a", "gte", -1)),
    ("lt-negative", "a<-1", Compare("a", "lt", -1)),
    # LIKE family; CONTAINS/STARTS/ENDS escape their own wildcards and backslashes
    ("like", "email LIKE '%@x.com'", Like("email", "%@x.com")),
    ("like-as-written", "s like 'a\\%_'", Like("s", "a\\%_")),
    ("contains", "s CONTAINS 'a%b'", Like("s", "%a\\%b%")),
    ("starts-with", "s STARTS WITH 'a_'", Like("s", "a\\_%")),
    ("ends-with", "s ends with '\\'", Like("s", "%\\\\")),
    ("contains-param", "s CONTAINS :name", Like("s", "%O'Brien%")),
    # IN lists
    ("in", "status IN ('a','b')", In("status", ("a", "b"))),
    ("in-one", "n IN (1)", In("n", (1,))),
    ("in-mixed", "x in (1, -2.5, 'a', true, null)", In("x", (1, -2.5, "a", True, None))),
    ("not-in", "n NOT IN (1, 2)", In("n", (1, 2), negate=True)),
    # null
    ("is-null", "deleted_at IS NULL", IsNull("deleted_at")),
    ("is-not-null", "deleted_at is not null", Not(IsNull("deleted_at"))),
    ("eq-null", "a = null", IsNull("a")),
    ("ne-null", "a != NULL", Not(IsNull("a"))),
    ("ne-word-null", "a ne null", Not(IsNull("a"))),
    ("eq-null-param", "a = :none", IsNull("a")),
    # values
    ("single-quoted", "s = 'x'", Compare("s", "eq", "x")),
    ("double-quoted", 's = "x"', Compare("s", "eq", "x")),
    ("doubled-single-quote", "s = 'it''s'", Compare("s", "eq", "it's")),
    ("doubled-double-quote", 's = "say ""hi"""', Compare("s", "eq", 'say "hi"')),
    ("other-quote-inside", "s = \"it's\"", Compare("s", "eq", "it's")),
    ("empty-string", "s = ''", Compare("s", "eq", "")),
    ("backslash-is-plain", "s = 'a\\'", Compare("s", "eq", "a\\")),
    ("keywords-inside-quotes", "s = 'a AND b OR (c'", Compare("s", "eq", "a AND b OR (c")),
    ("unicode", "s = 'é日🙂'", Compare("s", "eq", "é日🙂")),
    ("int", "a = 42", Compare("a", "eq", 42)),
    ("negative-int", "a = -42", Compare("a", "eq", -42)),
    ("big-int", "a = 9223372036854775807", Compare("a", "eq", 2**63 - 1)),
    ("float", "a = 1.5", Compare("a", "eq", 1.5)),
    ("negative-float", "a = -0.25", Compare("a", "eq", -0.25)),
    ("float-leading-dot", "a = .5", Compare("a", "eq", 0.5)),
    ("float-exponent", "a = 1e3", Compare("a", "eq", 1000.0)),
    ("true", "b = TRUE", Compare("b", "eq", True)),
    ("false", "b = false", Compare("b", "eq", False)),
    ("quoted-number-is-text", "a = '1'", Compare("a", "eq", "1")),
    ("param-text", "name = :name", Compare("name", "eq", "O'Brien")),
    ("param-int", "a = :n", Compare("a", "eq", 3)),
    ("param-float", "a = :f", Compare("a", "eq", 2.5)),
    ("param-bool", "a = :yes", Compare("a", "eq", True)),
    ("param-key-without-colon", "a = :bare", Compare("a", "eq", "b")),
    ("param-in-list", "a IN (:n, :f)", In("a", (3, 2.5))),
    # fields: as written; keyword-like names where unambiguous
    ("field-case-kept", "FirstName = 'x'", Compare("FirstName", "eq", "x")),
    ("system-field", "_id = 'x'", Compare("_id", "eq", "x")),
    ("field-digits", "a1_b2 = 1", Compare("a1_b2", "eq", 1)),
    ("field-name", "name = 'x'", Compare("name", "eq", "x")),
    ("field-starting-with-keyword", "index = 1 AND order_no = 2 AND notes = 3 AND isbn = 4",
     And((Compare("index", "eq", 1), Compare("order_no", "eq", 2), Compare("notes", "eq", 3),
          Compare("isbn", "eq", 4)))),
    ("field-named-not", "not = 1", Compare("not", "eq", 1)),
    ("field-named-in", "in IN (1)", In("in", (1,))),
    ("field-named-is", "is IS NULL", IsNull("is")),
    ("field-named-and", "a = 1 AND and = 2", And((A1, Compare("and", "eq", 2)))),
    ("field-named-like", "like LIKE 'x'", Like("like", "x")),
    ("field-named-null", "null = null", IsNull("null")),
    ("field-named-eq", "eq eq 1", Compare("eq", "eq", 1)),
    ("field-named-true", "true = true", Compare("true", "eq", True)),
    # boolean structure and precedence: NOT > AND > OR
    ("and", "a = 1 AND b = 2", And((A1, B2))),
    ("and-symbol", "a = 1 && b = 2", And((A1, B2))),
    ("or", "a = 1 OR b = 2", Or((A1, B2))),
    ("or-symbol", "a = 1 || b = 2", Or((A1, B2))),
    ("chain-is-flat", "a = 1 and b = 2 AnD c = 3", And((A1, B2, C3))),
    ("and-binds-tighter", "a = 1 OR b = 2 AND c = 3", Or((A1, And((B2, C3))))),
    ("and-binds-tighter-left", "a = 1 AND b = 2 OR c = 3", Or((And((A1, B2)), C3))),
    ("parentheses-override", "(a = 1 OR b = 2) AND c = 3", And((Or((A1, B2)), C3))),
    ("parentheses-keep-their-node", "(a = 1 AND b = 2) AND c = 3", And((And((A1, B2)), C3))),
    ("redundant-parentheses", "((a = 1))", A1),
    ("df-v2-groups", "(a = 1) AND (b = 2)", And((A1, B2))),
    ("not", "NOT(a = 1)", Not(A1)),
    ("not-binds-tighter", "NOT (a = 1) AND b = 2", And((Not(A1), B2))),
    ("not-of-group", "not (a = 1 or b = 2)", Not(Or((A1, B2)))),
    ("not-not", "NOT (NOT (a = 1))", Not(Not(A1))),
    ("whitespace", " \t\na\n=\r\n1 ", A1),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in PARSED], ids=[c[0] for c in PARSED])
def test_parses_to_the_exact_ast(text: str, expected: Node) -> None:
    assert parse_filter(text, PARAMS) == expected


def test_values_keep_their_python_types() -> None:
    parsed = parse_filter("a IN (1, 1.0, true, '1')")
    assert isinstance(parsed, In)
    assert [type(value) for value in parsed.values] == [int, float, bool, str]


REJECTED: list[tuple[str, str, str]] = [
    ("empty", "", "filter_unparsable"),
    ("blank", "   ", "filter_unparsable"),
    ("no-value", "a =", "filter_unparsable"),
    ("no-operator", "a 1", "filter_unparsable"),
    ("bare-field", "a", "filter_unparsable"),
    ("double-equals", "a == 1", "filter_unparsable"),
    ("unterminated-quote", "a = 'x", "filter_unparsable"),
    ("unbalanced-open", "(a = 1", "filter_unparsable"),
    ("unbalanced-close", "a = 1)", "filter_unparsable"),
    ("dangling-and", "a = 1 AND", "filter_unparsable"),
    ("keyword-glued-to-field", "a = 1 ANDb = 2", "filter_unparsable"),
    ("number-glued-to-word", "a = 1abc", "filter_unparsable"),
    ("field-as-value", "a = b", "filter_unparsable"),
    ("not-without-parentheses", "NOT a = 1", "filter_unparsable"),
    ("empty-in-list", "a IN ()", "filter_unparsable"),
    ("in-list-trailing-comma", "a IN (1,)", "filter_unparsable"),
    ("non-ascii-field", "é = 1", "filter_unparsable"),
    ("field-starting-with-digit", "1a = 1", "filter_unparsable"),
    ("semicolon", "a = 1; DROP TABLE x", "filter_unparsable"),
    ("sql-comment", "a = 1 -- x", "filter_unparsable"),
    ("lookup-braces", "a = {x}", "filter_unparsable"),
    ("is-without-null", "a IS 1", "filter_unparsable"),
    ("not-like", "a NOT LIKE 'x'", "filter_unparsable"),
    ("nul-byte", "a = 'x\x00'", "filter_unparsable"),
    ("unwrapped-list", "a IN 1, 2", "filter_list_unwrapped"),
    ("unwrapped-single", "a IN 'x'", "filter_list_unwrapped"),
    ("unwrapped-not-in", "a NOT IN 1", "filter_list_unwrapped"),
    ("order-against-null", "a > null", "filter_null_comparison"),
    ("like-number", "a LIKE 5", "filter_pattern_not_text"),
    ("contains-null", "a CONTAINS null", "filter_pattern_not_text"),
    ("like-param-number", "a LIKE :n", "filter_pattern_not_text"),
    ("missing-param", "a = :nope", "filter_param_missing"),
    ("list-param", "a = :list", "filter_param_invalid"),
    ("float-overflow", "a = 1e999", "filter_number_invalid"),
    ("too-many-digits", "a = " + "9" * 5000, "filter_number_invalid"),
    ("too-long", "a = '" + "x" * MAX_FILTER_LENGTH + "'", "filter_too_long"),
    ("too-deep", "(" * (MAX_FILTER_DEPTH + 1) + "a = 1" + ")" * (MAX_FILTER_DEPTH + 1), "filter_too_deep"),
    ("10000-open-parentheses", "(" * 10_000, "filter_too_deep"),
    ("deep-nots", "NOT(" * 2_500, "filter_too_deep"),
]


@pytest.mark.parametrize(("text", "code"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_rejects_with_a_code(text: str, code: str) -> None:
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(text, {":n": 3, ":list": [1, 2]})
    assert raised.value.code == code
    assert isinstance(raised.value, MalformedInputError)


def test_the_deepest_allowed_nesting_parses() -> None:
    text = "(" * MAX_FILTER_DEPTH + "a = 1" + ")" * MAX_FILTER_DEPTH
    assert parse_filter(text) == A1
    nots = "NOT(" * (MAX_FILTER_DEPTH - 1) + "a = 1" + ")" * (MAX_FILTER_DEPTH - 1)
    parsed = parse_filter(nots)
    for _ in range(MAX_FILTER_DEPTH - 1):
        assert isinstance(parsed, Not)
        parsed = parsed.item
    assert parsed == A1


def _stack_depth() -> int:
    frame: FrameType | None = sys._getframe()
    depth = 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def test_no_recursion_error_even_with_a_small_stack() -> None:
    # 10,000 nested parentheses stop at the depth limit; a small recursion limit proves no
    # recursive descent is involved (lark's LALR parser and our reduce callbacks are iterative).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 100)
    try:
        with pytest.raises(FilterSyntaxError) as raised:
            parse_filter("(" * 10_000)
        deep_but_allowed = parse_filter("NOT(" * (MAX_FILTER_DEPTH - 1) + "a = 1" + ")" * (MAX_FILTER_DEPTH - 1))
    finally:
        sys.setrecursionlimit(limit)
    assert raised.value.code == "filter_too_deep"
    assert isinstance(deep_but_allowed, Not)


def test_a_filter_at_the_length_limit_parses() -> None:
    text = "s = '" + "x" * (MAX_FILTER_LENGTH - 6) + "'"
    assert len(text) == MAX_FILTER_LENGTH
    assert parse_filter(text) == Compare("s", "eq", "x" * (MAX_FILTER_LENGTH - 6))


@pytest.mark.parametrize(("text", "position"), [("a = 1 )", 6), ("a =", 3), ("a = 'x", 4)])
def test_syntax_errors_say_where(text: str, position: int) -> None:
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(text)
    assert raised.value.details == {"position": position}
    # The message is neutral: no echo of the request text, no parser internals.
    assert raised.value.message == "The filter does not follow the filter grammar"


def test_a_missing_parameter_is_named() -> None:
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter("a = :first AND b = :second", {":first": 1})
    assert raised.value.details == {"param": ":second"}
    assert ":second" in raised.value.message


def test_params_do_not_leak_between_parses() -> None:
    assert parse_filter("a = :p", {":p": 1}) == A1
    with pytest.raises(FilterSyntaxError):
        parse_filter("a = :p")
