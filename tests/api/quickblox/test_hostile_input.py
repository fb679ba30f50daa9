"""Issue 12, defects 1-5: input no database stores, or that names nothing, is refused in the
dialect's shape (422 naming the field, or 400 for an unreadable body), never a 500, and nothing
is written. Defect 6 (permissions) is in test_access_matrix.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest

from tests.api.quickblox.test_error_shape import assert_quickblox_error
from tests.conftest import QB

HUGE = "1" + "0" * 30
# (request, the field the error names). Each runs on a fresh app holding ScoreTable with one record.


@dataclass
class Scores:
    qb: QB
    headers: dict[str, str]
    record_id: str


Call = Callable[[Scores], Any]
NUL_CASES: list[tuple[str, Call, str | None]] = [
    ("session-login", lambda s: s.qb.client.post("/session.json", json=s.qb.session_params(
        {"login": "a\x00b", "password": "password1"})), "login"),
    ("login", lambda s: s.qb.client.post("/login.json", json={"login": "a\x00b", "password": "x" * 8},
                                           headers=s.headers), "login"),
    ("user-login", lambda s: s.qb.client.post("/users.json", json={"user": {
        "login": "new\x00", "password": "password1"}}, headers=s.headers), "login"),
    ("user-full-name", lambda s: s.qb.client.post("/users.json", json={"user": {
        "login": "new", "password": "password1", "full_name": "x\x00"}}, headers=s.headers), "full_name"),
    ("user-tags", lambda s: s.qb.client.post("/users.json", json={"user": {
        "login": "new", "password": "password1", "tag_list": "a\x00"}}, headers=s.headers), "tag_list"),
    ("string-field", lambda s: s.qb.client.post("/data/ScoreTable.json", json={"game_mode_name": "a\x00"},
                                                  headers=s.headers), "game_mode_name"),
    ("lone-surrogate", lambda s: s.qb.client.post("/data/ScoreTable.json", content=b'{"game_mode_name": "\\ud800"}',
                                                    headers={**s.headers, "Content-Type": "application/json"}), None),
    ("acl-groups", lambda s: s.qb.client.post("/data/ScoreTable.json", json={"permissions": {
        "read": {"access": "open_for_groups", "user_groups": ["a\x00"]}}}, headers=s.headers), "permissions.read"),
    ("ctn-filter", lambda s: s.qb.client.get("/data/ScoreTable.json?game_mode_name[ctn]=a%00", headers=s.headers),
     "game_mode_name"),
    ("user-filter", lambda s: s.qb.client.get("/users/by_login.json?login=a%00", headers=s.headers), "login"),
    ("blob-name", lambda s: s.qb.client.post("/blobs.json", json={"blob": {
        "name": "a\x00.txt", "content_type": "text/plain"}}, headers=s.headers), "name"),
    ("blob-uid", lambda s: s.qb.client.get("/blobs/a%00b.json", headers=s.headers), "uid"),
    ("external-id", lambda s: s.qb.client.get("/users/external/a%00.json", headers=s.headers), "external_user_id"),
]
INT_CASES: list[tuple[str, Call, str | None]] = [
    ("skip", lambda s: s.qb.client.get(f"/data/ScoreTable.json?skip={HUGE}", headers=s.headers), "skip"),
    ("skip-count", lambda s: s.qb.client.get(f"/data/ScoreTable.json?skip={HUGE}&count=1", headers=s.headers), "skip"),
    ("skip-group-by", lambda s: s.qb.client.get(
        f"/data/ScoreTable.json?skip=9223372036854775808&group_by=game_mode_name&score_value[calc]=sum",
        headers=s.headers), "skip"),
    ("integer-filter", lambda s: s.qb.client.get(f"/data/ScoreTable.json?score_value[gt]={HUGE}", headers=s.headers),
     "score_value"),
    ("date-value", lambda s: s.qb.client.post("/data/ScoreTable.json", json={"date": 10**30}, headers=s.headers), "date"),
    ("date-digits", lambda s: s.qb.client.post("/data/ScoreTable.json", json={"date": "9" * 5000}, headers=s.headers),
     "date"),
    ("integer-digits", lambda s: s.qb.client.post("/data/ScoreTable.json", json={"score_value": "9" * 5000},
                                                    headers=s.headers), "score_value"),
    ("set-index", lambda s: s.qb.client.put(f"/data/ScoreTable/{s.record_id}.json",
                                              json={"completed_levels": {"99999999999": 1}}, headers=s.headers),
     "completed_levels"),
    ("user-id", lambda s: s.qb.client.get(f"/users/{HUGE}.json", headers=s.headers), "id"),
    ("blob-id", lambda s: s.qb.client.get(f"/blobs/{HUGE}.json", headers=s.headers), "id"),
    ("users-page", lambda s: s.qb.client.get(f"/users.json?page=9223372036854775807&per_page=100", headers=s.headers),
     "page"),
]


@pytest.fixture
def scores(qb: QB) -> Scores:
    qb.apply_class()
    qb.make_user("player", tags="crew")
    headers = qb.headers("player")
    created = qb.client.post("/data/ScoreTable.json", json={"score_value": 1, "completed_levels": [1]},
                             headers=headers)
    return Scores(qb, headers, created.json()["_id"])


def _state(qb: QB) -> tuple[int, int]:
    return qb.count(), len(qb.events())


@pytest.mark.parametrize("call, field", [(c, f) for _, c, f in NUL_CASES + INT_CASES],
                         ids=[name for name, _, _ in NUL_CASES + INT_CASES])
def test_unstorable_values_are_422_naming_the_field(scores: Scores, call: Call, field: str | None) -> None:
    qb, headers = scores.qb, scores.headers
    before = _state(qb)
    response = call(scores)
    if field is None:  # JSON no database can hold is an unreadable body
        assert_quickblox_error(response, 400)
    else:
        errors = assert_quickblox_error(response, 422)
        assert field in errors, errors
    assert _state(qb) == before
    record = qb.client.get(f"/data/ScoreTable/{scores.record_id}.json", headers=headers).json()["items"][0]
    assert record["completed_levels"] == [1] and record["score_value"] == 1


def test_acting_for_a_user_id_past_64_bits_is_an_unknown_user(scores: Scores) -> None:
    headers = {**scores.qb.api_key_headers, "On-Behalf-Of": HUGE}
    assert_quickblox_error(scores.qb.client.get("/data/ScoreTable.json", headers=headers), 401)


@pytest.mark.parametrize("body", [
    b"{'score_value': 1}", b'{"score_value": 0x10}', b'{"score_value": Infinity}', b'{"score_value": NaN}',
    b'{"score_value": 1 /* c */}', b'{"score_value": 1,,}', b'{,}', b'{score_value: 1}',
], ids=["single-quotes", "hex", "infinity", "nan", "comment", "double-comma", "lone-comma", "bare-key"])
def test_json_beyond_trailing_commas_is_400(scores: Scores, body: bytes) -> None:
    qb, headers = scores.qb, scores.headers
    before = _state(qb)
    response = qb.client.post("/data/ScoreTable.json", content=body,
                              headers={**headers, "Content-Type": "application/json"})
    assert assert_quickblox_error(response, 400) == ["Request body is not valid JSON"]
    assert _state(qb) == before


def test_trailing_commas_are_still_read(scores: Scores) -> None:
    qb, headers = scores.qb, scores.headers
    response = qb.client.post("/data/ScoreTable.json", content=b'{"score_value": 5, "completed_levels": [1, 2,],}',
                              headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert (response.json()["score_value"], response.json()["completed_levels"]) == (5, [1, 2])


@pytest.mark.parametrize("request_", [
    ("GET", "/data/ScoreTable.json?score_value[bogus]=1", None),
    ("GET", "/data/ScoreTable.json?score_value[%20]=1", None),
    ("PUT", "/data/ScoreTable/by_criteria.json", {"search_criteria": {"score_value": {"": 1}}, "score_value": 2}),
    ("DELETE", "/data/ScoreTable/by_criteria.json", {"search_criteria": {"score_value": {"": 1}}}),
], ids=["unknown", "blank", "update-empty", "delete-empty"])
def test_empty_and_unknown_operators_are_422(scores: Scores, request_: tuple[str, str, Any]
                                             ) -> None:
    qb, headers = scores.qb, scores.headers
    method, url, body = request_
    before = _state(qb)
    errors = assert_quickblox_error(qb.client.request(method, url, json=body, headers=headers), 422)
    assert "score_value" in errors
    assert _state(qb) == before


def test_the_sdks_list_form_is_a_condition_not_an_empty_operator(scores: Scores) -> None:
    """`f[]=a,b` is how the JS SDK sends `{f: [a, b]}` (contract §7.2): "any of" (on arrays "all of")."""
    qb, headers = scores.qb, scores.headers
    qb.client.post("/data/ScoreTable.json", json={"score_value": 2}, headers=headers)
    found = qb.client.get("/data/ScoreTable.json?score_value[]=2", headers=headers).json()["items"]
    assert [i["score_value"] for i in found] == [2]
    assert qb.client.get("/data/ScoreTable.json?score_value[]=7", headers=headers).json()["items"] == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("ids", [",,,", "%20,%20"])
def test_an_id_list_without_ids_is_422(scores: Scores, method: str, ids: str) -> None:
    qb, headers = scores.qb, scores.headers
    before = _state(qb)
    response = qb.client.request(method, f"/data/ScoreTable/{ids}.json", headers=headers,
                                 json={"score_value": 3} if method == "PUT" else None)
    assert "ids" in assert_quickblox_error(response, 422)
    assert _state(qb) == before
