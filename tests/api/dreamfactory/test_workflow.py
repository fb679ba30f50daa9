"""A class with workflow states through DreamFactory: records start in the first state; removed
(trashed) records vanish from lists, counts and reads by id; DELETE still deletes."""

from __future__ import annotations

from tests.api.dreamfactory.conftest import DF
from tests.core.workflow_helpers import TASK, state_ids, stored


def _made(df: DF) -> list[str]:
    df.qb.apply_class(TASK)
    owner = df.user("owner")
    response = df.qb.client.post(df.url("Task"), json={df.wrapper: [{"title": t} for t in "abc"]},
                                 headers=df.user_headers("owner"))
    assert response.status_code == 200, response.text
    ids = [str(item["_id"]) for item in response.json()[df.wrapper]]
    assert df.qb.services.records.get_records(owner, "Task", ids).not_found == []
    return ids


def test_records_created_through_dreamfactory_start_in_the_first_state(df: DF) -> None:
    made = _made(df)
    first = state_ids(df.qb)["New"]
    assert [stored(df.qb, i).state_id for i in made] == [first] * 3  # type: ignore[union-attr]


def test_a_removed_record_disappears_from_lists_counts_and_reads_by_id(df: DF) -> None:
    a, b, c = _made(df)
    df.qb.services.records.remove(df.qb.admin, "Task", b)
    user = df.user_headers("owner")
    for who in (user, df.admin_headers):
        assert [i["_id"] for i in df.items(df.get("Task", headers=who))] == [a, c]
        assert df.get("Task", {"count_only": "true"}, headers=who).json() == 2
        assert df.get("Task", {"include_count": "true"}, headers=who).json()["meta"] == {"count": 2}
    # By id, for anyone but an admin, it is not there.
    both = df.get("Task", {"ids": f"{a},{b}"}, headers=user)
    df.error(both, 400 if df.surface == "v2" else 404)  # each surface's batch-error status
    listed = both.json()["error"]["context"] if df.surface == "v2" else both.json()["error"][0]["context"]
    assert listed["error"] == [1] and listed[df.wrapper][0]["_id"] == a
    df.error(df.get("Task", record_id=b, headers=user), 404)
    assert df.qb.client.delete(df.url("Task", b), headers=user).status_code == 404
    assert stored(df.qb, b) is not None


def test_dreamfactory_delete_still_deletes_an_archived_record(df: DF) -> None:
    a, _, _ = _made(df)
    df.qb.services.records.archive(df.qb.admin, "Task", a)
    assert df.qb.client.delete(df.url("Task", a), headers=df.user_headers("owner")).status_code == 200
    assert stored(df.qb, a) is None
