"""Related data (contract §8): `_parent_id` children embedded as `<Child>_by__parent_id` arrays,
with their own fields, limit and order, on R1, R2, R3 and R4, on both surfaces and databases."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.dreamfactory.conftest import DF

CLASSES = [{"name": "Post", "fields": {"title": "String"}},
           {"name": "Comment", "fields": {"body": "String", "votes": "Integer"}}]
COMMENTS = "Comment_by__parent_id"


@pytest.fixture
def posts(df: DF) -> tuple[DF, list[str]]:
    """Posts p1 (comments a, b, c with 2, 5, 1 votes), p2 (comment d) and p3 (none)."""
    df.qb.apply_class(CLASSES)
    author = df.user("author")
    ids = df.create(author, "Post", [{"title": "p1"}, {"title": "p2"}, {"title": "p3"}])
    df.create(author, "Comment", [{"body": "a", "votes": 2}, {"body": "b", "votes": 5}, {"body": "c", "votes": 1}],
              parent_id=ids[0])
    df.create(author, "Comment", [{"body": "d", "votes": 3}], parent_id=ids[1])
    return df, ids


def bodies(post: dict[str, Any], relation: str = COMMENTS) -> list[str]:
    return [c["body"] for c in post[relation]]


def test_named_relation_embeds_children_as_arrays(posts: tuple[DF, list[str]]) -> None:
    df, ids = posts
    found = df.items(df.get("Post", {"related": COMMENTS, "fields": "title"}))
    assert [(p["title"], bodies(p)) for p in found] == [("p1", ["a", "b", "c"]), ("p2", ["d"]), ("p3", [])]
    assert set(found[0]) == {"_id", "title", COMMENTS}
    child = found[0][COMMENTS][0]
    assert child["_parent_id"] == ids[0] and child["votes"] == 2 and len(child["created_at"]) == 19


def test_star_embeds_every_relation(posts: tuple[DF, list[str]]) -> None:
    df, _ = posts
    first = df.items(df.get("Post", {"related": "*", "limit": 1}))[0]
    # `_parent_id` is untyped: records of every class, Post included, may be children.
    assert bodies(first) == ["a", "b", "c"] and first["Post_by__parent_id"] == []


@pytest.mark.parametrize("sep", [".", "_"], ids=["dot", "underscore"])
def test_per_relation_fields_limit_and_order(posts: tuple[DF, list[str]], sep: str) -> None:
    df, _ = posts
    params = {"related": COMMENTS, f"{COMMENTS}{sep}fields": "body", f"{COMMENTS}{sep}limit": "2",
              f"{COMMENTS}{sep}order": "votes DESC"}
    found = df.items(df.get("Post", params))
    assert [[set(c) for c in p[COMMENTS]] for p in found][0] == [{"_id", "body"}] * 2
    # The limit is per parent record, not over all of them.
    assert [bodies(p) for p in found] == [["b", "a"], ["d"], []]


def test_on_ids_body_records_and_the_item_url(posts: tuple[DF, list[str]]) -> None:
    df, ids = posts
    by_ids = df.items(df.get("Post", {"ids": f"{ids[1]},{ids[0]}", "related": COMMENTS}))
    assert [bodies(p) for p in by_ids] == [["d"], ["a", "b", "c"]]
    by_body = df.items(df.tunnelled_get("Post", {df.wrapper: [{"_id": ids[1]}], "related": [COMMENTS]}))
    assert [bodies(p) for p in by_body] == [["d"]]
    item = df.get("Post", {"related": COMMENTS, f"{COMMENTS}.order": "body DESC"}, record_id=ids[0])
    assert item.status_code == 200 and bodies(item.json()) == ["c", "b", "a"]


@pytest.mark.parametrize(("params", "message"), [
    ({"related": "Nope_by__parent_id"}, "Invalid relationship 'Nope_by__parent_id' requested for table 'Post'."),
    ({"related": "Comment_by_votes"}, "Invalid relationship 'Comment_by_votes' requested for table 'Post'."),
    ({"related": COMMENTS, f"{COMMENTS}.fields": "nope"}, "Invalid or unparsable field in fields request: 'nope'"),
    ({"related": COMMENTS, f"{COMMENTS}.order": "nope"}, "Invalid or unparsable field in order request: 'nope'"),
    ({"related": COMMENTS, f"{COMMENTS}.order": "votes; DROP TABLE Post"}, "Invalid order by clause in request."),
    ({"related": COMMENTS, f"{COMMENTS}.limit": "x"}, f"Field '{COMMENTS}.limit': must be an integer."),
], ids=["unknown", "not-a-relation", "bad-fields", "bad-order", "semicolon", "bad-limit"])
def test_bad_related_parameters_are_400(posts: tuple[DF, list[str]], params: dict[str, str], message: str) -> None:
    df, ids = posts
    assert df.error(df.get("Post", params), 400) == message
    assert df.error(df.get("Post", params, record_id=ids[0]), 400) == message


def test_related_on_an_empty_result_still_checks_names(posts: tuple[DF, list[str]]) -> None:
    df, _ = posts
    assert df.items(df.get("Post", {"filter": "title = 'none'", "related": COMMENTS})) == []
    df.error(df.get("Post", {"filter": "title = 'none'", "related": "Nope_by__parent_id"}), 400)
