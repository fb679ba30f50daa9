"""Hostile-input properties (issue 12, item 3): strings (NUL, lone surrogates, very long, SQL and
path fragments), integers at and past every bound, deeply nested JSON and bracket parameters of
every shape, sent through each dialect's parser into the core over HTTP. Whatever comes in, the
answer is never a 5xx, a refusal is a 4xx in the dialect's shape, and a refused request writes
nothing (records and events are counted before and after).

One app per database serves every example; examples are few (`EXAMPLES`) so that the suite stays
within its time budget."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from objectbase.core.services import Services
from objectbase.core.storable import INT64_MAX, INT64_MIN
from tests.conftest import QB

EXAMPLES = 25
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_FRAGMENTS = ["\x00", "\ud800", "\udfff", "'; DROP TABLE records; --", "\" OR 1=1 --", "../../etc/passwd",
              "%00", "%", "_", "\\", "[", "]", "{}", "null", "\u202e", "😀", "a" * 5000]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=5), min_size=1, max_size=4).map("".join),
)
_BOUNDS = [0, -1, 1, 2**31 - 1, 2**31, 2**53, 2**62, 2**62 + 1, INT64_MAX, INT64_MAX + 1, INT64_MIN, INT64_MIN - 1,
           10**30, -(10**30)]
HOSTILE_INT = st.sampled_from(_BOUNDS) | st.integers(min_value=-(2**80), max_value=2**80)
NESTED = st.recursive(st.none() | st.booleans() | HOSTILE_INT | HOSTILE_TEXT,
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                      max_leaves=30)
FIELDS = ["score_value", "progress", "expert_mode", "game_mode_name", "user_location", "date", "completed_levels",
          "user_avatar", "_id", "_parent_id", "permissions", "missing"]
SEGMENT = st.sampled_from(["", "gt", "in", "ctn", "near", "or", "calc", "0", "x", "[", "]", "include"]) | HOSTILE_TEXT
BRACKET_KEY = st.builds(lambda name, parts: name + "".join(f"[{p}]" for p in parts),
                        st.sampled_from(FIELDS + ["skip", "limit", "output", "sort_asc", "group_by", "count"]),
                        st.lists(SEGMENT, max_size=7))


@dataclass
class World:
    qb: QB
    headers: dict[str, str]

    def state(self) -> tuple[int, int]:
        return self.qb.count(), len(self.qb.events())

    def quickblox(self, response: Any) -> int:
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert set(response.json()) == {"errors"}, response.text
        return int(response.status_code)


@pytest.fixture(scope="module")
def world(client: TestClient, services: Services) -> World:
    qb = QB(client, services, services.apps.create_app(f"hostile-{uuid.uuid4().hex[:8]}"))
    qb.apply_class()
    qb.make_user("player")
    return World(qb, qb.headers("player"))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()  # lone surrogates travel as `\ud800`


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='[]', errors='surrogatepass')}={quote(v, errors='surrogatepass')}"
                    for k, v in pairs)


def _created_or_unchanged(world: World, before: tuple[int, int], status: int, created: int = 1) -> None:
    count, events = world.state()
    if status >= 400:
        assert (count, events) == before
    else:
        assert (count - before[0], events - before[1]) == (created, created)


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=NESTED)
def test_any_record_value(world: World, field: str, value: Any) -> None:
    before = world.state()
    response = world.qb.client.post("/data/ScoreTable.json", content=_json({field: value}),
                                    headers={**world.headers, "Content-Type": "application/json"})
    status = world.quickblox(response)
    assert status in (201, 400, 404, 422), response.text
    _created_or_unchanged(world, before, status)


@PROPERTY
@given(depth=st.integers(min_value=1, max_value=3000), kind=st.sampled_from(["[", "{\"a\":"]))
def test_deeply_nested_json(world: World, depth: int, kind: str) -> None:
    close = "]" if kind == "[" else "}"
    body = ('{"completed_levels": ' + kind * depth + "1" + close * depth + "}").encode()
    before = world.state()
    response = world.qb.client.post("/data/ScoreTable.json", content=body,
                                    headers={**world.headers, "Content-Type": "application/json"})
    _created_or_unchanged(world, before, world.quickblox(response))


@PROPERTY
@given(text=HOSTILE_TEXT, op=st.sampled_from(["", "[ctn]", "[in]", "[ne]", "[or]", "[]"]),
       name=st.sampled_from(["game_mode_name", "score_value", "date", "_id", "user_id", "completed_levels"]))
def test_any_filter_text(world: World, text: str, op: str, name: str) -> None:
    response = world.qb.client.get(f"/data/ScoreTable.json?{_query([(name + op, text)])}", headers=world.headers)
    assert world.quickblox(response) in (200, 422), response.text


@PROPERTY
@given(number=HOSTILE_INT, where=st.sampled_from(["skip", "limit", "score_value[gt]", "date[lt]", "user_id",
                                                  "count_skip"]))
def test_any_integer_in_a_search(world: World, number: int, where: str) -> None:
    params = [("count", "1"), ("skip", str(number))] if where == "count_skip" else [(where, str(number))]
    response = world.qb.client.get(f"/data/ScoreTable.json?{_query(params)}", headers=world.headers)
    assert world.quickblox(response) in (200, 422), response.text


@PROPERTY
@given(number=HOSTILE_INT, op=st.sampled_from(["set", "inc", "index"]))
def test_any_integer_in_an_update(world: World, number: int, op: str) -> None:
    made = world.qb.client.post("/data/ScoreTable.json", json={"score_value": 1, "completed_levels": [1]},
                                headers=world.headers).json()
    body = {"set": {"score_value": number}, "inc": {"inc": {"score_value": number}},
            "index": {"completed_levels": {str(number): 2}}}[op]
    before = world.state()
    response = world.qb.client.put(f"/data/ScoreTable/{made['_id']}.json", content=_json(body),
                                   headers={**world.headers, "Content-Type": "application/json"})
    status = world.quickblox(response)
    assert status in (200, 422), response.text
    assert world.state()[1] == before[1] + (1 if status == 200 else 0)


@PROPERTY
@given(pairs=st.lists(st.tuples(BRACKET_KEY, HOSTILE_TEXT), min_size=1, max_size=5),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
def test_any_bracket_parameters(world: World, pairs: list[tuple[str, str]], method: str) -> None:
    encoded = _query(pairs)
    before = world.state()
    if method == "GET":
        response = world.qb.client.get(f"/data/ScoreTable.json?{encoded}", headers=world.headers)
    else:
        url = {"POST": "/data/ScoreTable.json", "PUT": "/data/ScoreTable/by_criteria.json",
               "DELETE": "/data/ScoreTable/by_criteria.json"}[method]
        response = world.qb.client.request(method, url, content=encoded.encode(), headers={
            **world.headers, "Content-Type": "application/x-www-form-urlencoded"})
    status = world.quickblox(response)
    if method == "POST":
        _created_or_unchanged(world, before, status)
    elif status >= 400:
        assert world.state() == before


@settings(PROPERTY, max_examples=10)  # each example hashes a password twice
@given(login=HOSTILE_TEXT, password=HOSTILE_TEXT)
def test_any_credentials(world: World, login: str, password: str) -> None:
    """QuickBlox sign-in and Tracy's access tokens: a refusal, never a crash, and no session."""
    before = world.state()
    qb = world.qb
    session = qb.client.post("/session.json", content=_json(qb.session_params({"login": login, "password": password})),
                             headers={"Content-Type": "application/json"})
    assert world.quickblox(session) in (400, 401, 422), session.text
    tracy = qb.client.post("/v1/access-tokens", content=_json({"login": login, "password": password}),
                           headers={"X-Api-Key": qb.credentials.auth_key, "Content-Type": "application/json"})
    assert 400 <= tracy.status_code < 500, tracy.text
    assert tracy.headers["content-type"].startswith("application/problem+json")
    assert world.state() == before


@PROPERTY
@given(name=HOSTILE_TEXT, value=NESTED, offset=HOSTILE_INT)
def test_dreamfactory_any_value_and_offset(world: World, name: str, value: Any, offset: int) -> None:
    headers = {"X-DreamFactory-API-Key": world.qb.credentials.auth_key,
               "X-DreamFactory-Session-Token": world.headers["QB-Token"], "Content-Type": "application/json"}
    before = world.state()
    created = world.qb.client.post("/api/v2/db/_table/ScoreTable",
                                   content=_json({"resource": [{name: value, "game_mode_name": value}]}),
                                   headers=headers)
    assert created.status_code < 500, created.text
    if created.status_code >= 400:
        assert set(created.json()) == {"error"}
    _created_or_unchanged(world, before, created.status_code)
    listed = world.qb.client.get(f"/api/v2/db/_table/ScoreTable?{_query([('offset', str(offset))])}",
                                 headers=headers)
    assert listed.status_code < 500, listed.text
