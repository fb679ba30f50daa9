"""A class with workflow states through the QuickBlox API: records start in the first state, removed
(trashed) records disappear from every read, archived ones from lists, and DELETE still deletes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import QB
from tests.core.workflow_helpers import TASK, signed_in, state_ids, stored


@pytest.fixture
def tasks(qb: QB) -> tuple[QB, dict[str, str], list[str]]:
    """Three tasks of "owner", made through QuickBlox."""
    qb.apply_class(TASK)
    qb.make_user("owner")
    headers = qb.headers("owner")
    made = []
    for title in ("a", "b", "c"):
        response = qb.client.post("/data/Task.json", json={"title": title}, headers=headers)
        assert response.status_code == 201, response.text
        made.append(str(response.json()["_id"]))
    return qb, headers, made


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["_id"] for item in response.json()["items"]]


def test_records_created_through_quickblox_start_in_the_first_state(tasks: tuple[QB, dict[str, str], list[str]]) -> None:
    qb, _, made = tasks
    first = state_ids(qb)["New"]
    assert [stored(qb, i).state_id for i in made] == [first] * 3  # type: ignore[union-attr]


def test_a_removed_record_disappears_from_lists_counts_and_reads_by_id(
        tasks: tuple[QB, dict[str, str], list[str]]) -> None:
    qb, headers, (a, b, c) = tasks
    qb.services.records.remove(signed_in(qb, "owner"), "Task", b)
    for who in (headers, qb.api_key_headers):
        assert _ids(qb.client.get("/data/Task.json", headers=who)) == [a, c]
        assert qb.client.get("/data/Task.json?count=1", headers=who).json()["items_count"] == 2
    assert _ids(qb.client.get(f"/data/Task/{a},{b}.json", headers=headers)) == [a]
    assert qb.client.get(f"/data/Task/{a},{b}.json", headers=headers).json()["not_found"] == {"ids": [b]}
    missing = qb.client.get(f"/data/Task/{b}.json", headers=headers)
    assert missing.status_code == 404
    # Updating or deleting it as its owner: it is not there.
    assert qb.client.put(f"/data/Task/{b}.json", json={"title": "x"}, headers=headers).status_code == 404
    assert qb.client.delete(f"/data/Task/{b}.json", headers=headers).status_code == 404
    assert stored(qb, b).removed_at is not None  # type: ignore[union-attr]


def test_an_archived_record_leaves_lists_but_is_read_by_id_and_not_updated(
        tasks: tuple[QB, dict[str, str], list[str]]) -> None:
    qb, headers, (a, b, c) = tasks
    qb.services.records.archive(signed_in(qb, "owner"), "Task", a)
    assert _ids(qb.client.get("/data/Task.json", headers=headers)) == [b, c]
    assert qb.client.get("/data/Task.json?count=1", headers=headers).json()["items_count"] == 2
    assert _ids(qb.client.get(f"/data/Task/{a}.json", headers=headers)) == [a]
    events = len(qb.events())
    refused = qb.client.put(f"/data/Task/{a}.json", json={"title": "x"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json() == {"errors": {"base": ["record is archived"]}}
    assert stored(qb, a).values["title"] == "a" and len(qb.events()) == events  # type: ignore[union-attr]
    # QuickBlox's DELETE still deletes at once (no trash).
    assert qb.client.delete(f"/data/Task/{a}.json", headers=headers).status_code == 200
    assert stored(qb, a) is None
