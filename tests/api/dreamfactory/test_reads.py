"""R1–R4 (contract §4, §5, §6.4, §7.3): reading records through both surfaces, on both databases."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.dreamfactory.conftest import DF

ITEM = {"name": "Item", "fields": {"title": "String", "score": "Integer", "rank": "Float", "tags": "String[]"}}
MISSING = "5d866b53a28f9a5ad51cb562"


@pytest.fixture
def items(df: DF) -> tuple[DF, list[str]]:
    """Five records by one user: scores 3, 1, None, 2, 1 (in creation, so `_id`, order)."""
    df.qb.apply_class(ITEM)
    rows: list[dict[str, Any]] = [
        {"title": "c", "score": 3, "rank": 0.5, "tags": ["x"]}, {"title": "a", "score": 1},
        {"title": "n", "score": None, "rank": 1.5}, {"title": "b", "score": 2, "tags": ["x", "y"]},
        {"title": "a2", "score": 1, "rank": 2.5},
    ]
    return df, df.create(df.user("owner"), "Item", rows)


def titles(df: DF, response: Any) -> list[str]:
    return [i["title"] for i in df.items(response)]


def test_r1_lists_every_record_in_id_order_with_every_column(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    response = df.get("Item")
    body = response.json()
    assert set(body) == {df.wrapper}  # no meta: nothing to say
    assert [i["_id"] for i in body[df.wrapper]] == ids
    first = body[df.wrapper][0]
    assert set(first) == {"_id", "_parent_id", "user_id", "created_at", "updated_at", "title", "score", "rank", "tags"}
    assert first["tags"] == ["x"] and first["rank"] == 0.5
    assert len(first["created_at"]) == len("YYYY-MM-DD HH:MM:SS")


@pytest.mark.parametrize(("params", "expected"), [
    ({"filter": "score = 1"}, ["a", "a2"]),
    ({"where": "SCORE >= 2 AND title != 'b'"}, ["c"]),
    ({"filter": "score IS NULL"}, ["n"]),
    ({"filter": "title LIKE 'a%' OR score IN (3)"}, ["c", "a", "a2"]),
    ({"filter": "tags = 'y'"}, ["b"]),
    ({"filter": "NOT (score < 3)"}, ["c"]),
], ids=["equals", "where-alias-folded-case", "is-null", "like-or-in", "array-holds", "not"])
def test_r1_filter(items: tuple[DF, list[str]], params: dict[str, str], expected: list[str]) -> None:
    df, _ = items
    assert titles(df, df.get("Item", params)) == expected


@pytest.mark.parametrize(("filter_", "message"), [
    ("score = ", "Invalid or unparsable filter request."),
    ("nope = 1", "Invalid or unparsable field in filter request: 'nope'"),
    ("score IN 1, 2", "Filter value lists must be wrapped in parentheses."),
    ("score = 'many'", "Field 'score': is not an integer."),
    ("score = :missing", "Invalid or unparsable filter request. Filter parameter :missing is missing."),
], ids=["unparsable", "unknown-field", "unwrapped-list", "bad-cast", "missing-param"])
def test_r1_bad_filters_are_400(items: tuple[DF, list[str]], filter_: str, message: str) -> None:
    df, _ = items
    assert df.error(df.get("Item", {"filter": filter_}), 400) == message


def test_r1_ordering_keys_directions_and_nulls(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    assert titles(df, df.get("Item", {"order": "score"})) == ["n", "a", "a2", "b", "c"]
    assert titles(df, df.get("Item", {"sort": "score DESC, title DESC"})) == ["c", "b", "a2", "a", "n"]
    assert titles(df, df.get("Item", {"order_by": "score ASC NULLS LAST"})) == ["a", "a2", "b", "c", "n"]
    assert titles(df, df.get("Item", {"order": "score desc nulls first, title"})) == ["n", "c", "b", "a", "a2"]
    assert titles(df, df.get("Item", {"order": "Rank DESC NULLS LAST"})) == ["a2", "n", "c", "a", "b"]


@pytest.mark.parametrize(("order", "message"), [
    ("nope", "Invalid or unparsable field in order request: 'nope'"),
    ("score; DROP TABLE x", "Invalid order by clause in request."),
    ("score SIDEWAYS", "Invalid order by clause in request: 'score SIDEWAYS'."),
    ("tags", "Field 'sort': tags is a String[] field and cannot be sorted by."),
], ids=["unknown", "semicolon", "bad-direction", "array"])
def test_r1_bad_orders_are_400(items: tuple[DF, list[str]], order: str, message: str) -> None:
    df, _ = items
    assert df.error(df.get("Item", {"order": order}), 400) == message


def test_r1_paging_and_meta_per_surface(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    extra = 0 if df.surface == "v2" else 1  # 1.x's next page is one too far (sic, §6.4)
    page = df.get("Item", {"limit": 2, "include_count": "true"}).json()
    assert [i["title"] for i in page[df.wrapper]] == ["c", "a"]
    assert page["meta"] == {"count": 5, "next": 2 + extra}
    page = df.get("Item", {"top": 2, "skip": 2, "include_count": True}).json()
    assert [i["title"] for i in page[df.wrapper]] == ["n", "b"]
    assert page["meta"] == {"count": 5, "next": 4 + extra}
    last = df.get("Item", {"limit": 2, "offset": 4, "include_count": "1"}).json()
    assert last["meta"] == {"count": 5}
    # A limit the client chose is not counted unless asked (no meta at all).
    assert set(df.get("Item", {"limit": 2}).json()) == {df.wrapper}
    assert df.get("Item", {"limit": 2, "filter": "score = 1", "include_count": "true"}).json()["meta"] == {"count": 2}


@pytest.mark.parametrize("params", [
    {"limit": "99999999999999999999999999"}, {"limit": "-5"}, {"limit": "0"},
    {"offset": "-3"}, {"limit": "", "offset": ""},
], ids=["huge-limit", "negative-limit", "zero-limit", "negative-offset", "empty"])
def test_r1_limits_out_of_range_mean_the_maximum(items: tuple[DF, list[str]], params: dict[str, str]) -> None:
    df, _ = items
    assert len(df.items(df.get("Item", params))) == 5


def test_r1_huge_offset_is_an_empty_page(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    assert df.items(df.get("Item", {"offset": "9" * 40, "include_count": "true"})) == []


def test_r1_bad_numbers_are_400(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    assert df.error(df.get("Item", {"limit": "ten"}), 400) == "Field 'limit': must be an integer."


def test_r1_fields_and_select(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    assert df.items(df.get("Item", {"fields": "title", "limit": 1})) == [{"title": "c", "_id": ids[0]}]
    assert df.items(df.get("Item", {"select": "SCORE,Title", "limit": 1})) == [
        {"score": 3, "title": "c", "_id": ids[0]}]
    assert len(df.items(df.get("Item", {"fields": "*", "limit": 1}))[0]) == 9


@pytest.mark.parametrize("fields", ["nope", "title,x; DROP TABLE Item"], ids=["unknown", "hostile"])
def test_r1_unknown_fields_are_400_naming_them(items: tuple[DF, list[str]], fields: str) -> None:
    df, _ = items
    unknown = fields.split(",")[-1]
    assert df.error(df.get("Item", {"fields": fields}), 400) == f"Invalid or unparsable field in fields request: '{unknown}'"


def test_count_only_is_a_bare_integer(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    response = df.get("Item", {"count_only": "true", "filter": "score >= 2"})
    assert response.status_code == 200 and response.json() == 2
    assert df.get("Item", {"count_only": "true"}).json() == 5


def test_include_schema_puts_the_table_in_meta(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    schema = df.get("Item", {"include_schema": "true", "limit": 1}).json()["meta"]["schema"]
    assert schema["name"] == "Item" and schema["primary_key"] == ["_id"]
    types = {f["name"]: f["type"] for f in schema["field"]}
    assert types == {"_id": "string", "user_id": "user_id_on_create", "_parent_id": "string",
                     "created_at": "timestamp_on_create", "updated_at": "timestamp_on_update",
                     "title": "string", "score": "integer", "rank": "double", "tags": "string"}
    assert {"name": "Item_by__parent_id", "type": "has_many", "field": "_id", "ref_table": "Item",
            "ref_field": "_parent_id"} in schema["related"]


def test_wrap_false_answers_a_bare_list(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    bare = df.get("Item", {"wrap": "false", "fields": "title"})
    assert bare.status_code == 200 and [i["title"] for i in bare.json()] == ["c", "a", "n", "b", "a2"]
    # meta needs the wrapper, so it keeps it.
    assert set(df.get("Item", {"wrap": "false", "include_count": "true"}).json()) == {df.wrapper, "meta"}


def test_r2_ids_in_the_order_given(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    response = df.get("Item", {"ids": f"{ids[3]},{ids[0]},{ids[3]}", "fields": "title"})
    assert df.items(response) == [{"title": "b", "_id": ids[3]}, {"title": "c", "_id": ids[0]},
                                  {"title": "b", "_id": ids[3]}]


def test_r2_a_missing_id_is_the_retrieve_batch_error(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    not_found = f"Record with identifier '{MISSING}' not found."
    response = df.get("Item", {"ids": f"{ids[0]},{MISSING},{ids[1]}", "fields": "title"})
    if df.surface == "v2":
        assert response.status_code == 400
        assert response.json() == {"error": {
            "code": 1000, "status_code": 400, "message": "Batch Error: Not all requested records could be retrieved.",
            "context": {"error": [1], "resource": [
                {"title": "c", "_id": ids[0]},
                {"code": 404, "status_code": 404, "context": None, "message": not_found}]}}}
    else:
        assert response.status_code == 404
        assert response.json() == {"error": [{
            "code": 404, "message": "Batch Error: Not all records could be retrieved.",
            "context": {"error": [1], "record": [{"title": "c", "_id": ids[0]}, not_found]}}]}


def test_r2_continue_looks_every_id_up(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    response = df.get("Item", {"ids": f"{MISSING},{ids[1]},junk", "fields": "title", "continue": "true"})
    assert response.status_code == 400
    body = response.json()["error"]
    context = body["context"] if df.surface == "v2" else body[0]["context"]
    assert context["error"] == [0, 2]
    assert context[df.wrapper][1] == {"title": "a", "_id": ids[1]}
    assert len(context[df.wrapper]) == 3


def test_r2_legacy_answers_a_failed_first_id_with_its_own_error(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    response = df.get("Item", {"ids": f"{MISSING},{ids[0]}"})
    if df.surface == "legacy":
        assert df.error(response, 404) == f"Record with identifier '{MISSING}' not found."
    else:
        assert response.json()["error"]["context"] == {"error": [0], "resource": [
            {"code": 404, "status_code": 404, "context": None,
             "message": f"Record with identifier '{MISSING}' not found."}]}


def test_r2_up_to_1000_ids(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    many = ",".join([ids[0]] * 1000)
    assert len(df.items(df.get("Item", {"ids": many, "fields": "_id"}))) == 1000
    assert df.error(df.get("Item", {"ids": many + "," + ids[0]}), 400) == "At most 1000 records per request"


def test_r3_get_with_a_body(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    by_records = df.tunnelled_get("Item", {df.wrapper: [{"_id": ids[2]}, {"_id": ids[0]}]}, {"fields": "title"})
    assert titles(df, by_records) == ["n", "c"]
    by_ids = df.tunnelled_get("Item", {"ids": [ids[4], ids[1]], "fields": ["title"]})
    assert titles(df, by_ids) == ["a2", "a"]
    by_filter = df.tunnelled_get("Item", {"filter": "score = :s AND title LIKE :t", "params": {":s": 1, ":t": "a%"}})
    assert titles(df, by_filter) == ["a", "a2"]
    no_id = df.tunnelled_get("Item", {df.wrapper: [{"title": "c"}]})
    assert df.error(no_id, 400) == "Required id field '_id' not found in record 0."


def test_r3_body_and_query_precedence_per_surface(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    response = df.tunnelled_get("Item", {"filter": "score = 3"}, {"filter": "score = 2"})
    # v2: the query string wins; legacy: the body (§1).
    assert titles(df, response) == (["b"] if df.surface == "v2" else ["c"])


def test_r4_one_record_unwrapped(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    response = df.get("Item", record_id=ids[3])
    assert response.status_code == 200 and response.json()["title"] == "b" and response.json()["_id"] == ids[3]
    assert df.get("Item", {"fields": "score"}, record_id=ids[3]).json() == {"score": 2, "_id": ids[3]}
    assert df.error(df.get("Item", {"fields": "nope"}, record_id=ids[3]), 400) == (
        "Invalid or unparsable field in fields request: 'nope'")


@pytest.mark.parametrize("record_id", [MISSING, "junk", "x'; DROP TABLE Item; --"], ids=["missing", "junk", "hostile"])
def test_r4_a_missing_record_is_404(items: tuple[DF, list[str]], record_id: str) -> None:
    df, _ = items
    assert df.error(df.get("Item", record_id=record_id), 404) == f"Record with identifier '{record_id}' not found."


def test_unknown_service_and_table_are_404(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    response = df.qb.client.get(df.url("Item", service="files"), headers=df.app_headers)
    assert df.error(response, 404) == 'Service "files" not found.'
    df.error(df.get("Nope"), 404)


# --- hostile input: each a clean 400 in the surface's envelope, never a 500 or SQL text ---

@pytest.mark.parametrize(("params", "message"), [
    ({"filter": "title = 'a\x00b'"}, "Invalid or unparsable filter request."),
    ({"filter": "(" * 10_000 + "score = 1" + ")" * 10_000},
     "Invalid or unparsable filter request. The filter is longer than 10000 characters."),
    ({"filter": "(" * 4_000 + "score = 1" + ")" * 4_000},
     "Invalid or unparsable filter request. The filter nests deeper than 64 parentheses."),
    ({"filter": "x; DROP TABLE Item = 1"}, "Invalid or unparsable filter request."),
    ({"filter": "\"x; DROP TABLE Item\" = 1"}, "Invalid or unparsable filter request."),
    ({"order": "x; DROP TABLE Item"}, "Invalid order by clause in request."),
    ({"order": "title\x00"}, "Invalid order by clause in request: 'title\x00'."),
    ({"fields": "x; DROP TABLE Item"}, "Invalid or unparsable field in fields request: 'x; DROP TABLE Item'"),
    ({"fields": "ti\x00tle"}, "Invalid or unparsable field in fields request: 'ti\x00tle'"),
    ({"related": "x; DROP TABLE Item"}, "Invalid relationship 'x; DROP TABLE Item' requested for table 'Item'."),
], ids=["nul-in-filter", "10000-deep-too-long", "4000-deep", "hostile-filter-field", "quoted-hostile-field",
        "hostile-order", "nul-in-order", "hostile-fields", "nul-in-fields", "hostile-related"])
def test_hostile_read_parameters_are_400(items: tuple[DF, list[str]], params: dict[str, str], message: str) -> None:
    df, _ = items
    response = df.get("Item", params)
    assert df.error(response, 400) == message
    assert "SELECT" not in response.text and "sqlite" not in response.text.lower()


@pytest.mark.parametrize("value", ["a\x00b", "\x00"], ids=["inner-nul", "only-nul"])
def test_nul_bytes_in_filter_values_are_400(items: tuple[DF, list[str]], value: str) -> None:
    df, _ = items
    response = df.tunnelled_get("Item", {"filter": "title = :t", "params": {":t": value}})
    assert "NUL" in df.error(response, 400)
    # No record has such an id: the retrieve batch error (legacy: the first item's own 404).
    df.error(df.tunnelled_get("Item", {"ids": [value]}), 400 if df.surface == "v2" else 404)


def test_server_imposed_limit_counts_and_pages(df: DF) -> None:
    df.qb.apply_class(ITEM)
    owner = df.user("owner")
    for start in range(0, 1001, 100):
        df.create(owner, "Item", [{"score": n} for n in range(start, min(start + 100, 1001))])
    page = df.get("Item", {"fields": "_id", "limit": "5000"}).json()
    assert len(page[df.wrapper]) == 1000
    assert page["meta"] == {"count": 1001, "next": 1000 if df.surface == "v2" else 1001}



# -- as_list, id_field, params as JSON text ------------------------------------------------------

def test_as_list_answers_only_the_identifiers(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    assert df.get("Item", {"as_list": "true"}).json() == {df.wrapper: ids}


def test_id_field_other_than_the_identifier_is_refused(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    assert len(df.items(df.get("Item", {"id_field": "_id", "id_type": "string"}))) == len(ids)
    assert df.error(df.get("Item", {"id_field": "score"}), 400) == (
        "Field 'score' is not unique: only _id identifies records.")


def test_params_may_come_as_json_text_in_the_query(items: tuple[DF, list[str]]) -> None:
    df, _ = items
    assert titles(df, df.get("Item", {"filter": "score = :v", "params": '{":v": 2}'})) == ["b"]


@pytest.mark.parametrize("param", ["group", "having"])
def test_grouping_is_refused_rather_than_ignored(items: tuple[DF, list[str]], param: str) -> None:
    df, _ = items
    assert df.error(df.get("Item", {param: "score"}), 400) == "Grouping records (group, having) is not supported."


def test_credentials_may_come_in_the_body(items: tuple[DF, list[str]]) -> None:
    df, ids = items
    body = {"api_key": df.qb.credentials.auth_key, "filter": "score = 2"}
    assert titles(df, df.tunnelled_get("Item", body, headers={})) == ["b"]
    df.error(df.tunnelled_get("Item", {"filter": "score = 2"}, headers={}), 400)  # and nothing else identifies
