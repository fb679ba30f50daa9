"""D4: search grammar (contract §4.5) — operators, sort, paging, count, projection, bad input, injection."""

from __future__ import annotations

from typing import Any

import pytest

from starlette.testclient import TestClient

from objectbase.core.services import Services
from tests.conftest import QB

ROWS = [
    {"score_value": 100, "game_mode_name": "deathmatch", "progress": 0.5, "expert_mode": True,
     "completed_levels": [1, 2, 3], "user_location": "11.13, 45.52", "date": "2019-09-21 21:21:00"},
    {"score_value": 400, "game_mode_name": "ctf", "progress": 0.25, "expert_mode": False,
     "completed_levels": [2, 5], "user_location": "11.00, 45.40", "date": "2020-01-01 00:00:00"},
    {"score_value": 900, "game_mode_name": "rage_100%", "progress": 1.0, "expert_mode": False,
     "completed_levels": [7], "user_location": "-70.0, 40.0", "date": "2021-06-01 12:00:00"},
    {"score_value": 50, "game_mode_name": "survivor", "expert_mode": True, "completed_levels": []},
    {"game_mode_name": "o'brien \"quoted\""},
]


@pytest.fixture(scope="module")
def data(client: TestClient, services: Services) -> tuple[QB, dict[str, str], list[str]]:
    """One app with five records, shared by the read-only tests of this module."""
    qb = QB(client, services, services.apps.create_app("search"))
    qb.apply_class()
    qb.make_user("searcher")
    headers = qb.headers("searcher")
    response = qb.client.post("/data/ScoreTable/multi.json", json={"record": {str(i): r for i, r in enumerate(ROWS)}},
                              headers=headers)
    assert response.status_code == 201, response.text
    return qb, headers, [item["_id"] for item in response.json()["items"]]


def scores(data: tuple[QB, dict[str, str], list[str]], query: str) -> list[Any]:
    qb, headers, _ = data
    response = qb.client.get(f"/data/ScoreTable.json?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [item["score_value"] for item in response.json()["items"]]


@pytest.mark.parametrize("query, expected", [
    ("score_value=400", [400]),
    ("score_value[lt]=400", [100, 50]),
    ("score_value[lte]=400", [100, 400, 50]),
    ("score_value[gt]=100", [400, 900]),
    ("score_value[gte]=100&score_value[lt]=900", [100, 400]),
    ("score_value[ne]=400", [100, 900, 50, None]),
    ("game_mode_name[in]=ctf,survivor", [400, 50]),
    ("game_mode_name[nin]=ctf,survivor", [100, 900, None]),
    ("game_mode_name[or]=ctf,deathmatch", [100, 400]),
    ("game_mode_name[or]=ctf&score_value[or]=900", [400, 900]),
    ("expert_mode=true&game_mode_name[or]=ctf&score_value[or]=100", [100]),
    ("game_mode_name[ctn]=at", [100]),
    ("game_mode_name[ctn]=100%25", [900]),
    ("game_mode_name[ctn]=_", [900]),
    ("game_mode_name[ctn]=DEATH", []),
    ("expert_mode=false", [400, 900]),
    ("progress[gt]=0.3", [100, 900]),
    ("completed_levels=2", [100, 400]),
    ("completed_levels[in]=5,7", [400, 900]),
    ("completed_levels[all]=1,2", [100]),
    ("completed_levels[]=2%2C5", [400]),
    ("game_mode_name[]=ctf%2Csurvivor", [400, 50]),
    ("date[gt]=2019-12-31%2000:00:00", [400, 900]),
    ("date[lt]=2020-01-01T00:00:00Z", [100]),
    ("user_location[near]=11.00,45.40;16800", [100, 400]),
    ("user_location[near]=11.00,45.40;5000", [400]),
    ("game_mode_name=o'brien%20%22quoted%22", [None]),
    ("missing_field=1", []),
    ("score_value=null", [None]),
], ids=lambda value: value if isinstance(value, str) else None)
def test_filters(data: tuple[QB, dict[str, str], list[str]], query: str, expected: list[Any]) -> None:
    assert scores(data, query) == expected


def test_sort_skip_limit(data: tuple[QB, dict[str, str], list[str]]) -> None:
    assert scores(data, "sort_desc=score_value&score_value[gt]=0") == [900, 400, 100, 50]
    assert scores(data, "sort_asc=score_value&score_value[gt]=0&skip=1&limit=2") == [100, 400]
    assert scores(data, "sort_asc=score_value&score_value[gt]=0&limit=-1") == [900]
    assert scores(data, "limit=-1") == [None]
    qb, headers, _ = data
    body = qb.client.get("/data/ScoreTable.json?limit=500", headers=headers).json()
    assert body["limit"] == 100 and body["skip"] == 0 and body["class_name"] == "ScoreTable"


def test_filter_by_system_fields(data: tuple[QB, dict[str, str], list[str]]) -> None:
    qb, headers, ids = data
    assert scores(data, f"_id={ids[1]}") == [400]
    assert scores(data, f"_id[in]={ids[0]},{ids[2]}") == [100, 900]
    assert scores(data, "_id=not-an-id") == []
    user_id = qb.client.get("/session.json", headers=headers).json()["session"]["user_id"]
    assert len(scores(data, f"user_id={user_id}")) == 5
    assert len(scores(data, "created_at[gt]=0&sort_desc=_id")) == 5


def test_count_and_projection(data: tuple[QB, dict[str, str], list[str]]) -> None:
    qb, headers, _ = data
    count = qb.client.get("/data/ScoreTable.json?count=1&score_value[gt]=60", headers=headers).json()
    assert count == {"class_name": "ScoreTable", "items_count": 3}
    included = qb.client.get("/data/ScoreTable.json?output[include]=score_value,game_mode_name&score_value=400",
                             headers=headers).json()["items"]
    assert set(included[0]) == {"_id", "score_value", "game_mode_name"}
    excluded = qb.client.get("/data/ScoreTable.json?output[exclude]=_id,progress&score_value=400",
                             headers=headers).json()["items"]
    assert "_id" not in excluded[0] and "progress" not in excluded[0] and excluded[0]["score_value"] == 400


@pytest.mark.parametrize("query, key", [
    ("score_value[bogus]=1", "score_value"),
    ("score_value[gt]=abc", "score_value"),
    ("expert_mode[gt]=true", "expert_mode"),
    ("game_mode_name[all]=a", "game_mode_name"),
    ("score_value[ctn]=1", "score_value"),
    ("user_location[near]=1,2", "user_location"),
    ("score_value[near]=1,2;3", "score_value"),
    ("sort_desc=nope", "sort_desc"),
    ("limit=abc", "limit"),
    ("limit=0", "limit"),
    ("skip=-1", "skip"),
    ("output[include]=nope", "output"),
    ("game_mode_name[in]=" + ",".join(str(i) for i in range(101)), "game_mode_name"),
    ("group_by=game_mode_name", "group_by"),
    ("group_by=game_mode_name&score_value[calc]=median", "score_value"),
    ("group_by=game_mode_name&game_mode_name[calc]=avg", "game_mode_name"),
], ids=lambda value: value if len(value) < 60 else "or-too-wide")
def test_bad_queries_are_422(data: tuple[QB, dict[str, str], list[str]], query: str, key: str) -> None:
    qb, headers, _ = data
    response = qb.client.get(f"/data/ScoreTable.json?{query}", headers=headers)
    assert response.status_code == 422, response.text
    assert key in response.json()["errors"]


@pytest.mark.parametrize("query", [
    "score_value;DROP%20TABLE%20users=1",
    "score_value%22%20OR%201=1--=1",
    "sort_desc=score_value%3B%20DROP%20TABLE%20users",
    "sort_asc=(SELECT%201)",
    "game_mode_name=%27%20OR%20%271%27=%271",
    "game_mode_name[ctn]=%27)%20OR%201=1--",
    "score_value[gt]=1%20OR%201=1",
    "score_value[%27;DROP]=1",
    "output[include]=score_value%22,%22x",
    "group_by=game_mode_name%22--&score_value[calc]=avg",
])
def test_injection_attempts_never_reach_sql(data: tuple[QB, dict[str, str], list[str]], query: str) -> None:
    qb, headers, _ = data
    response = qb.client.get(f"/data/ScoreTable.json?{query}", headers=headers)
    # Either a clean 422 or a normal answer that matched nothing: never a 500, never every row.
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["items"] == []
    assert qb.count() == 5
    assert qb.services.users.find_users(qb.admin).total == 1


def test_group_by_with_calculations(qb: QB) -> None:
    qb.apply_class()
    qb.make_user("grouper")
    headers = qb.headers("grouper")
    rows = {"record": {str(i): r for i, r in enumerate(ROWS)}}
    assert qb.client.post("/data/ScoreTable/multi.json", json=rows, headers=headers).status_code == 201
    more = {"record": {"0": {"score_value": 300, "game_mode_name": "ctf", "progress": 0.75}}}
    assert qb.client.post("/data/ScoreTable/multi.json", json=more, headers=headers).status_code == 201
    response = qb.client.get("/data/ScoreTable.json?group_by=game_mode_name&score_value[calc]=avg"
                             "&progress[calc]=max&game_mode_name[in]=ctf,deathmatch&sort_asc=game_mode_name",
                             headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [
        {"game_mode_name": "ctf", "score_value": 350.0, "progress": 0.75},
        {"game_mode_name": "deathmatch", "score_value": 100.0, "progress": 0.5},
    ]
    summed = qb.client.get("/data/ScoreTable.json?group_by=expert_mode&score_value[calc]=sum&sort_desc=score_value",
                           headers=headers).json()["items"]
    # Records without expert_mode form a group of their own (null).
    assert summed == [{"expert_mode": False, "score_value": 1300}, {"expert_mode": None, "score_value": 300},
                      {"expert_mode": True, "score_value": 150}]
