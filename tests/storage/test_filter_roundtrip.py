"""DreamFactory filter text means what the AST it was printed from means, on both databases.

Queries come from the shared strategies of test_query_properties.py. Each is printed as filter text
by the small printer below (choosing at random among the grammar's spellings: word or symbol
operators, keyword case, quotes, inline values or `:name` params), parsed back with `parse_filter`,
and the parsed AST must select, through storage, the records the evaluator selects for the
original. No binding is needed: the sample class's fields have the literals' types (Date is stored
as int seconds and queried with ints), so the parser's raw literals are the stored-form values.

What DreamFactory cannot say is first rewritten by `expressible` (and the evaluator judges the
rewritten AST): `near` and the ACL references have no filter syntax and become TRUE; a
case-sensitive `Contains` whose text has ASCII letters becomes the case-insensitive CONTAINS that
DreamFactory means (a `Like`).
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from objectbase.api.dreamfactory.filters import parse_filter
from objectbase.core.query import ast
from objectbase.core.query.evaluate import array_fields, run_query
from tests.storage.test_query_properties import (  # noqa: F401  (`sample` is a fixture, used by name)
    CLASS_NAME, EXAMPLES, QUERIES_PER_DATASET, RECORDS, Sample, _insert, nodes, resolve, sample,
)

# Two-valued constants: `_id` is never null.
ALWAYS = ast.Not(ast.IsNull("_id"))
NEVER = ast.IsNull("_id")

WORD_OPERATORS = {"eq": ["=", "EQ"], "ne": ["!=", "<>", "NE"], "lt": ["<", "LT"], "lte": ["<=", "LTE"],
                  "gt": [">", "GT"], "gte": [">=", "GTE"]}


def _has_ascii_letter(text: str) -> bool:
    return any(char.isascii() and char.isalpha() for char in text)


def expressible(node: ast.Node) -> ast.Node:
    """`node` in terms DreamFactory's filter can say (see the module docstring)."""
    if isinstance(node, (ast.And, ast.Or)):
        return replace(node, items=tuple(expressible(item) for item in node.items))
    if isinstance(node, ast.Not):
        return ast.Not(expressible(node.item))
    if isinstance(node, ast.Near) or not isinstance(getattr(node, "field", ""), str):
        return ast.TRUE
    if isinstance(node, ast.Contains) and _has_ascii_letter(node.text):
        return ast.Like(node.field, f"%{ast.like_escape(node.text)}%")
    return node


class Printer:
    """Prints an expressible AST as filter text; `params` collects the values it moved to `:pN`."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.params: dict[str, Any] = {}

    def word(self, *spellings: str) -> str:
        chosen = self.rnd.choice(spellings)
        return self.rnd.choice([chosen.upper(), chosen.lower(), chosen.capitalize()]) if chosen.isalpha() else chosen

    def value(self, value: Any) -> str:
        if self.rnd.random() < 0.2:
            name = f":p{len(self.params)}"
            self.params[name] = value
            return name
        if value is None or isinstance(value, bool):
            return self.word({None: "null", True: "true", False: "false"}[value])
        if isinstance(value, (int, float)):
            return repr(value)
        quote = self.rnd.choice("'\"")
        return quote + str(value).replace(quote, quote * 2) + quote

    def print(self, node: ast.Node) -> str:
        return self.term(node)[0]

    def group(self, items: tuple[ast.Node, ...], conjunction: bool) -> tuple[str, str]:
        """AND/OR chains, parenthesising an item only where precedence needs it (an OR inside an
        AND) or at random, so that the parser's precedence is what keeps the meaning."""
        texts = []
        for item in items:
            text, kind = self.term(item)
            needed = conjunction and kind == "or"
            texts.append(f"({text})" if needed or self.rnd.random() < 0.3 else text)
        joiner = self.word("AND", "&&") if conjunction else self.word("OR", "||")
        return f" {joiner} ".join(texts), ("and" if conjunction else "or") if len(items) > 1 else kind

    def term(self, node: ast.Node) -> tuple[str, str]:
        """The text and its kind: "and"/"or" for an unparenthesised chain, else "atom"."""
        if isinstance(node, ast.Truth):
            return self.term(ALWAYS if node.value else NEVER)
        if isinstance(node, (ast.And, ast.Or)):
            if not node.items:
                return self.term(ALWAYS if isinstance(node, ast.And) else NEVER)
            return self.group(node.items, isinstance(node, ast.And))
        if isinstance(node, ast.ArrayHas):
            # On an array field `f = v` means "holds v" (and is FALSE on a missing array, as ArrayHas).
            holds = tuple(ast.Compare(node.field, "eq", value) for value in node.values)
            return self.term(ast.And(holds) if node.mode == "all" else ast.Or(holds))
        if isinstance(node, ast.In) and not node.values:
            # `IN ()` is not in the grammar; an empty list holds nothing.
            return self.term(ALWAYS if node.negate else NEVER)
        return self.atom(node), "atom"

    def atom(self, node: ast.Node) -> str:
        if isinstance(node, ast.Not):
            if isinstance(node.item, ast.IsNull) and self.rnd.random() < 0.5:
                return f"{node.item.field} {self.word('IS')} {self.word('NOT')} {self.word('NULL')}"
            return f"{self.word('NOT')} ({self.print(node.item)})"
        if isinstance(node, ast.IsNull):
            return f"{node.field} {self.word('IS')} {self.word('NULL')}"
        if isinstance(node, ast.Compare):
            return f"{node.field} {self.word(*WORD_OPERATORS[node.op])} {self.value(node.value)}"
        if isinstance(node, ast.In):
            negation = f"{self.word('NOT')} " if node.negate else ""
            return f"{node.field} {negation}{self.word('IN')} ({', '.join(self.value(v) for v in node.values)})"
        if isinstance(node, ast.Contains):  # no ASCII letters (expressible): case cannot matter
            return f"{node.field} {self.word('CONTAINS')} {self.value(node.text)}"
        if isinstance(node, ast.Like):
            return f"{node.field} {self.word('LIKE')} {self.value(node.pattern)}"
        raise AssertionError(f"not expressible: {node!r}")


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=RECORDS, data=st.data())
def test_printed_filters_select_what_their_ast_selects(sample: Sample, records: list[Any], data: st.DataObject) -> None:
    parent, rows = _insert(sample, records)
    in_scope = ast.Compare("_parent_id", "eq", parent)
    arrays = array_fields(sample.cls)
    ids = [str(row["_id"]) for row in rows]
    for drawn in data.draw(st.lists(nodes(), min_size=QUERIES_PER_DATASET, max_size=QUERIES_PER_DATASET)):
        original = expressible(resolve(drawn, ids, int(rows[0]["created_at"])))
        printer = Printer(data.draw(st.randoms(use_true_random=False)))
        text = printer.print(original)
        parsed = parse_filter(text, printer.params)
        expected = [row["_id"] for row in run_query(ast.Query(where=original), rows, nulls_first=True,
                                                    array_fields=arrays)]
        # The parser alone (the evaluator judging the parsed AST), then parser and storage together.
        assert [row["_id"] for row in run_query(ast.Query(where=parsed), rows, nulls_first=True,
                                                array_fields=arrays)] == expected, text
        found = sample.services.records.find_records(
            sample.actor, CLASS_NAME, ast.Query(where=ast.conjoin(in_scope, parsed))).records
        assert [r.id for r in found] == expected, text
