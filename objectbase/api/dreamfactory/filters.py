"""The DreamFactory `filter` parameter (spec/dreamfactory.md §9) -> an unbound core query AST.

The grammar is in `filters.lark`, compiled once at import into an LALR parser that builds AST
nodes as it reduces (no parse tree, no recursion). The AST is *unbound*: each `field` is the name
as the client wrote it and each value the raw literal (str, int, float, bool or None); the core
binds it to the class schema (field lookup, casting, array semantics). Nothing here knows a schema.

Decisions beyond the grammar:
* `= null` is `IsNull`; `!=`/`<>`/`NE null` is `Not(IsNull)`; ordering against null is an error.
* `LIKE` takes the pattern as written (`%`, `_`, `\\` escapes: see `ast.Like`); `CONTAINS`,
  `STARTS WITH` and `ENDS WITH` escape their text's own `%`, `_` and `\\`. Their operand must be
  text (a quoted literal or a string parameter).
* `a AND b AND c` is one `And` of three; parentheses keep their own node, as written.
* `NOT` needs parentheses (`NOT (a = 1)`), as in the grammar, so nesting is bounded by them.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from importlib import resources
from typing import Any, Mapping

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedInput, UnexpectedToken

from objectbase.core.errors import MalformedInputError
from objectbase.core.query import ast

__all__ = ["FilterSyntaxError", "MAX_FILTER_DEPTH", "MAX_FILTER_LENGTH", "parse_filter"]

MAX_FILTER_LENGTH = 10_000
MAX_FILTER_DEPTH = 64  # parentheses, counted while parsing


class FilterSyntaxError(MalformedInputError):
    """A filter that does not follow the grammar; `code` says which rule it broke."""

    default_code = "filter_unparsable"
    default_message = "The filter could not be parsed"


_OPERATORS = {
    "=": "eq", "eq": "eq", "!=": "ne", "<>": "ne", "ne": "ne",
    "<": "lt", "lt": "lt", "<=": "lte", "lte": "lte", ">": "gt", "gt": "gt", ">=": "gte", "gte": "gte",
}
_SCALARS = (str, int, float, bool, type(None))
# The `params` of the parse under way: the parser is shared, so its callbacks read them from here.
_PARAMS: ContextVar[Mapping[str, Any]] = ContextVar("dreamfactory_filter_params")


def _nodes(items: tuple[Any, ...]) -> tuple[ast.Node, ...]:
    """The operands of an AND/OR chain, without its keyword tokens."""
    return tuple(item for item in items if not isinstance(item, Token))


def _param(token: Token) -> Any:
    name = str(token)
    params = _PARAMS.get()
    # §4: keys carry the colon (":name"); a bare "name" key is accepted too.
    for key in (name, name[1:]):
        if key in params:
            value = params[key]
            if not isinstance(value, _SCALARS):
                raise FilterSyntaxError(f"Filter parameter {name} must be a single value",
                                        code="filter_param_invalid", details={"param": name})
            return value
    raise FilterSyntaxError(f"Filter parameter {name} is missing", code="filter_param_missing",
                            details={"param": name})


def _number(text: str) -> int | float:
    try:
        number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:  # an integer past Python's digit limit
        raise FilterSyntaxError("Number out of range", code="filter_number_invalid") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise FilterSyntaxError("Number out of range", code="filter_number_invalid")
    return number


def _text_operand(value: Any) -> str:
    if not isinstance(value, str):
        raise FilterSyntaxError("A pattern operator needs a text value", code="filter_pattern_not_text")
    return value


@v_args(inline=True)
class _ToAst(Transformer[Token, ast.Node]):
    """Callbacks run by the parser at each reduction, bottom-up."""

    def field(self, name: Token) -> str:
        return str(name)

    def value(self, token: Token) -> Any:
        text = str(token)
        if token.type in ("SINGLE_QUOTED", "DOUBLE_QUOTED"):
            quote = text[0]
            return text[1:-1].replace(quote * 2, quote)
        if token.type == "NUMBER":
            return _number(text)
        if token.type == "PARAM":
            return _param(token)
        return {"TRUE": True, "FALSE": False, "NULL": None}[token.type]

    def pattern_op(self, *words: Token) -> str:
        return str(words[0]).lower()

    def compare(self, field: str, op: Token, value: Any) -> ast.Node:
        name = _OPERATORS[str(op).lower()]
        if value is None:
            if name == "eq":
                return ast.IsNull(field)
            if name == "ne":
                return ast.Not(ast.IsNull(field))
            raise FilterSyntaxError("Only = and != compare with null", code="filter_null_comparison")
        return ast.Compare(field, name, value)  # type: ignore[arg-type]  # a CompareOp by _OPERATORS

    def like(self, field: str, kind: str, value: Any) -> ast.Node:
        text = _text_operand(value)
        if kind == "like":
            return ast.Like(field, text)
        escaped = ast.like_escape(text)
        pattern = {"contains": f"%{escaped}%", "starts": f"{escaped}%", "ends": f"%{escaped}"}[kind]
        return ast.Like(field, pattern)

    def within(self, field: str, _in: Token, *values: Any) -> ast.Node:
        return ast.In(field, values)

    def not_within(self, field: str, _not: Token, _in: Token, *values: Any) -> ast.Node:
        return ast.In(field, values, negate=True)

    def unwrapped_list(self, *_: Any) -> ast.Node:
        raise FilterSyntaxError("Filter value lists must be wrapped in parentheses", code="filter_list_unwrapped")

    def is_null(self, field: str, _is: Token, _null: Token) -> ast.Node:
        return ast.IsNull(field)

    def is_not_null(self, field: str, _is: Token, _not: Token, _null: Token) -> ast.Node:
        return ast.Not(ast.IsNull(field))

    def negation(self, _not: Token, item: ast.Node) -> ast.Node:
        return ast.Not(item)

    def all_of(self, *items: Any) -> ast.Node:
        return ast.And(_nodes(items))

    def any_of(self, *items: Any) -> ast.Node:
        return ast.Or(_nodes(items))


_PARSER = Lark(
    resources.files(__package__).joinpath("filters.lark").read_text(encoding="utf-8"),
    parser="lalr", lexer="contextual", transformer=_ToAst(), maybe_placeholders=False,
)


def _syntax_error(error: LarkError, text: str) -> FilterSyntaxError:
    """The error, with the offset of the offending character (the length for a premature end)."""
    details: dict[str, Any] = {}
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        details["position"] = len(text)
    elif isinstance(error, UnexpectedInput) and error.pos_in_stream is not None:
        details["position"] = error.pos_in_stream
    return FilterSyntaxError("The filter does not follow the filter grammar", details=details)


def parse_filter(text: str, params: Mapping[str, Any] | None = None) -> ast.Node:
    """The filter as an unbound AST; `params` replace `:name` placeholders (keys ":name" or "name").
    Raises FilterSyntaxError (codes: filter_unparsable, filter_list_unwrapped, filter_too_long,
    filter_too_deep, filter_param_missing, filter_param_invalid, filter_number_invalid,
    filter_null_comparison, filter_pattern_not_text)."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(f"The filter is longer than {MAX_FILTER_LENGTH} characters", code="filter_too_long")
    if "\x00" in text:
        raise FilterSyntaxError("The filter contains a NUL character")
    reset = _PARAMS.set(params or {})
    try:
        parser = _PARSER.parse_interactive(text)
        depth = 0
        for token in parser.iter_parse():
            depth += {"_LPAR": 1, "_RPAR": -1}.get(token.type, 0)
            if depth > MAX_FILTER_DEPTH:
                raise FilterSyntaxError(f"The filter nests deeper than {MAX_FILTER_DEPTH} parentheses",
                                        code="filter_too_deep")
        result: ast.Node = parser.feed_eof()  # type: ignore[no-untyped-call]
        return result
    except LarkError as error:
        raise _syntax_error(error, text) from error
    finally:
        _PARAMS.reset(reset)
