"""`ast.Like` means one thing in the evaluator, on SQLite and on PostgreSQL.

The shared property test (test_query_properties.py) mixes LIKE into every other node; this module
holds LIKE on its own: many patterns against strings drawn from the same letters (so that matches
are common), the evaluator's own semantics as a table, and SQLite's `PRAGMA case_sensitive_like`,
which must not change an answer.
"""

from __future__ import annotations

import pytest
import sqlalchemy
from hypothesis import given, settings
from hypothesis import strategies as st

from objectbase.core.query import ast
from objectbase.core.query.evaluate import evaluate, run_query
from objectbase.storage import SqlStorage
from objectbase.storage.compile import Compiler
from tests.storage.test_query_properties import (  # noqa: F401  (`sample` is a fixture, used by name)
    CLASS_NAME, EXAMPLES, LIKE_ALPHABET, LIKE_PATTERNS, STRINGS, Sample, _insert, sample,
)

LIKE_VALUES = st.one_of(st.none(), STRINGS, st.text(LIKE_ALPHABET, max_size=5))


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(values=st.lists(LIKE_VALUES, min_size=1, max_size=20),
       probes=st.lists(st.tuples(LIKE_PATTERNS, st.booleans()), min_size=1, max_size=10))
def test_like_agrees_with_the_evaluator(sample: Sample, values: list[str | None],
                                        probes: list[tuple[str, bool]]) -> None:
    parent, rows = _insert(sample, [({"s": value}, None) for value in values])
    for pattern, negate in probes:
        like: ast.Node = ast.Like("s", pattern)
        where = ast.Not(like) if negate else like
        scoped = ast.conjoin(ast.Compare("_parent_id", "eq", parent), where)
        found = sample.services.records.find_records(sample.actor, CLASS_NAME, ast.Query(where=scoped)).records
        expected = run_query(ast.Query(where=where), rows, nulls_first=True)
        assert [r.id for r in found] == [row["_id"] for row in expected], where


LIKE_SEMANTICS: list[tuple[str, str | None, str, bool | None]] = [
    ("percent-any-run", "abc", "a%", True),
    ("percent-empty-run", "a", "a%", True),
    ("underscore-one", "ab", "a_", True),
    ("underscore-not-zero", "a", "a_", False),
    ("underscore-one-code-point", "🙂", "_", True),
    ("whole-value", "abc", "b", False),
    ("ascii-case-folds", "ABC", "abc", True),
    ("ascii-case-folds-in-pattern", "abc", "A%C", True),
    ("e-acute-keeps-case", "É", "é", False),
    ("sharp-s-is-not-ss", "ß", "ss", False),
    ("kelvin-sign-is-not-k", "\u212a", "k", False),
    ("escaped-percent", "a%", "a\\%", True),
    ("escaped-percent-is-not-a-wildcard", "ab", "a\\%", False),
    ("escaped-underscore", "a_", "a\\_", True),
    ("escaped-backslash", "a\\", "a\\\\", True),
    ("escaped-letter-is-the-letter", "ab", "a\\b", True),
    ("trailing-backslash-is-literal", "a\\", "a\\", True),
    ("newline-in-any-run", "a\nb", "a%b", True),
    ("null-is-unknown", None, "%", None),
]


@pytest.mark.parametrize(("value", "pattern", "expected"), [c[1:] for c in LIKE_SEMANTICS],
                         ids=[c[0] for c in LIKE_SEMANTICS])
def test_like_semantics(value: str | None, pattern: str, expected: bool | None) -> None:
    assert evaluate(ast.Like("s", pattern), {"s": value}) is expected


PROBE_TEXTS = ["abc", "ABC", "É", "é", "\u212a", "k", "a%", "ab"]
PROBE_PATTERNS = ["abc", "AB%", "é", "É", "K", "a\\%", "_b_"]


def _probe(conn: sqlalchemy.Connection, dialect: str) -> None:
    """Every probe text against every pattern, in a table whose column has the connection's default
    collation (class tables use "C" on PostgreSQL, where lower() happens to fold ASCII only)."""
    table = sqlalchemy.Table("like_probe", sqlalchemy.MetaData(), sqlalchemy.Column("s", sqlalchemy.Text),
                             prefixes=["TEMPORARY"])
    table.create(conn)
    conn.execute(table.insert(), [{"s": text} for text in PROBE_TEXTS])
    compiler = Compiler(dialect, lambda ref: (table.c.s, False))
    for pattern in PROBE_PATTERNS:
        like = ast.Like("s", pattern)
        found = set(conn.execute(sqlalchemy.select(table.c.s).where(compiler.where(like))).scalars())
        assert found == {text for text in PROBE_TEXTS if evaluate(like, {"s": text})}, pattern


def test_compiled_like_does_not_depend_on_the_collation(storage: SqlStorage) -> None:
    with storage.engine.connect() as conn:
        _probe(conn, storage.dialect)
        conn.rollback()  # DDL is transactional on both databases: the probe table goes too


@pytest.mark.parametrize("case_sensitive", [False, True], ids=["default", "case-sensitive-like"])
def test_sqlite_case_sensitive_like_does_not_change_the_answer(case_sensitive: bool) -> None:
    # Its own engine: the pragma would otherwise stay on a pooled connection of the shared storage.
    engine = sqlalchemy.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA case_sensitive_like = {'ON' if case_sensitive else 'OFF'}")
        _probe(conn, "sqlite")
    engine.dispose()
