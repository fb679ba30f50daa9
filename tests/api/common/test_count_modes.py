"""`Prefer: count=exact|planned|estimated` in the QuickBlox and DreamFactory dialects: the planner's
estimate on PostgreSQL when the caller may read every record, an exact count otherwise (SQLite, a
small count in `estimated` mode, a caller under record permissions), and `Preference-Applied`
exactly when the figure is an estimate."""

from __future__ import annotations

import pytest

from objectbase.core.records import NewRecord
from tests.conftest import QB

RECORDS = 300
ABOVE = 149  # score_value > 149: 150 of them


@pytest.fixture
def scores(qb: QB, backend: str) -> QB:
    qb.apply_class()
    for start in range(0, RECORDS, 100):
        qb.services.records.create_records(
            qb.admin, "ScoreTable", [NewRecord({"score_value": n}) for n in range(start, start + 100)])
    if backend == "postgresql":
        table = f"obj_{qb.services.classes.get_class(qb.admin, 'ScoreTable').id}"
        with qb.services.storage.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"ANALYZE {table}")  # the statistics the planner estimates from
    return qb


def _qb_count(qb: QB, headers: dict[str, str]) -> tuple[int, str | None]:
    response = qb.client.get("/data/ScoreTable.json", params={"score_value[gt]": ABOVE, "count": 1},
                             headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items_count"], response.headers.get("preference-applied")


def test_planned_is_the_planners_figure_on_postgresql_and_exact_on_sqlite(scores: QB, backend: str) -> None:
    count, applied = _qb_count(scores, {**scores.api_key_headers, "Prefer": "count=planned"})
    if backend == "postgresql":
        assert applied == "count=planned"
        assert 50 <= count <= 300  # an estimate from the histogram, near the 150 that match
    else:
        assert (count, applied) == (150, None)


@pytest.mark.parametrize("prefer", [None, "count=exact", "count=estimated", "count=bogus", "return=minimal"])
def test_exact_unless_an_estimate_is_asked_for_and_large(scores: QB, prefer: str | None) -> None:
    # `estimated` counts exactly below 10,000 planned rows; unknown preferences are ignored.
    headers = {**scores.api_key_headers, **({"Prefer": prefer} if prefer else {})}
    assert _qb_count(scores, headers) == (150, None)


def test_a_caller_under_record_permissions_always_gets_an_exact_count(scores: QB) -> None:
    # Statistics cover every row: an estimate would tell something of records the caller may not read.
    scores.make_user("reader")
    assert _qb_count(scores, {**scores.headers("reader"), "Prefer": "count=planned"}) == (150, None)


def test_dreamfactory_count_only_and_include_count_take_the_preference(scores: QB, backend: str) -> None:
    headers = {"X-DreamFactory-API-Key": scores.credentials.api_key, "Prefer": "count=planned"}
    only = scores.client.get("/api/v2/db/_table/ScoreTable",
                             params={"filter": f"score_value > {ABOVE}", "count_only": "true"}, headers=headers)
    listed = scores.client.get("/api/v2/db/_table/ScoreTable",
                               params={"filter": f"score_value > {ABOVE}", "include_count": "true", "limit": 5},
                               headers=headers)
    assert only.status_code == listed.status_code == 200, (only.text, listed.text)
    assert len(listed.json()["resource"]) == 5
    if backend == "postgresql":
        assert only.headers["preference-applied"] == listed.headers["preference-applied"] == "count=planned"
        assert 50 <= only.json() <= 300 and 50 <= listed.json()["meta"]["count"] <= 300
    else:
        assert "preference-applied" not in only.headers and "preference-applied" not in listed.headers
        assert only.json() == listed.json()["meta"]["count"] == 150


def test_tracy_x_total_count_takes_the_preference(scores: QB, backend: str) -> None:
    dataset = scores.services.classes.get_class(scores.admin, "ScoreTable").id
    response = scores.client.get("/v1/records", params={"datasetId": dataset, "limit": 5},
                                 headers={"X-Api-Key": scores.credentials.api_key, "Prefer": "count=planned"})
    assert response.status_code == 200, response.text
    assert len(response.json()) == 5
    total = int(response.headers["x-total-count"])
    if backend == "postgresql":
        assert response.headers["preference-applied"] == "count=planned"
        assert 150 <= total <= 600  # the planner's figure for all 300
    else:
        assert "preference-applied" not in response.headers and total == RECORDS
