"""Issue 12's hostile-input rules, which the core applies, reach DreamFactory too: a value no
database stores, an integer past 64 bits or an id list naming no id is a 4xx in DreamFactory's
envelope, never a 500, and nothing is written (defects 1, 2, 5 and 6 seen from `/api/v2`, `/rest`)."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.permissions import Access, Action, Permission
from objectbase.core.records import RecordChange
from tests.api.dreamfactory.support import DF, df  # noqa: F401  (the fixture)

NOTES = {"name": "note", "fields": {"text": "String", "n": "Integer", "when": "Date"},
         "permissions": {"create": {"access": "open"}, "read": {"access": "open"},
                         "update": {"access": "owner"}, "delete": {"access": "owner"}}}
HUGE = "1" + "0" * 30


@pytest.fixture
def notes(df: DF) -> DF:
    df.qb.apply_class(NOTES)
    df.qb.make_user("owner")
    df.ok(df.send("POST", "note", json={df.wrapper: [{"text": "kept", "n": 1}]}))
    return df


@pytest.mark.parametrize("method, params, body, status", [
    ("POST", None, {"text": "a\x00b"}, 400),
    ("POST", None, {"n": HUGE}, 400),
    ("POST", None, {"when": 10**30}, 400),
    ("GET", {"filter": "text = 'a\x00'"}, None, 400),
    ("DELETE", {"ids": ",,"}, None, 400),
    ("PATCH", {"ids": " , "}, {"n": 2}, 400),
    ("GET", {"ids": ",,"}, None, 400),
], ids=["nul-value", "huge-integer", "huge-date", "nul-filter", "delete-no-ids",
        "update-no-ids", "get-no-ids"])
def test_hostile_input_is_a_4xx_and_changes_nothing(notes: DF, method: str, params: dict[str, str] | None,
                                                    body: Any, status: int) -> None:
    before = notes.state("note")
    response = notes.send(method, "note", params=params, json=body)
    assert 400 <= response.status_code < 500, response.text
    notes.error(response, response.status_code)
    assert notes.state("note") == before


@pytest.mark.parametrize("params, count", [({"offset": HUGE}, 0), ({"limit": HUGE}, 1)], ids=["offset", "limit"])
def test_offsets_and_limits_past_any_table_are_clamped(notes: DF, params: dict[str, str], count: int) -> None:
    """DreamFactory's own rule (params.py): beyond 2**62 nothing is left to page through."""
    assert len(notes.ok(notes.send("GET", "note", params=params))[notes.wrapper]) == count


def test_an_update_without_read_permission_shows_only_what_was_sent(notes: DF) -> None:
    """Defect 6: update permission stands on its own; the answer holds no value the caller cannot read."""
    notes.qb.make_user("member", tags="crew")
    made = notes.ok(notes.send("POST", "note", json={notes.wrapper: [{
        "text": "secret", "n": 1}]}, params={"fields": "_id"}))
    record_id = made[notes.wrapper][0]["_id"]
    # DreamFactory has no record ACLs on the wire: the owner's QuickBlox-style ACL, set in the core.
    notes.qb.services.records.update_records(notes.qb.admin, "note", [RecordChange(record_id, permissions={
        Action.READ: Permission(Access.OWNER), Action.UPDATE: Permission(Access.GROUPS, ("crew",))})])
    hidden = notes.send("GET", "note", record_id, login="member")
    assert hidden.status_code == 404
    updated = notes.ok(notes.send("PATCH", "note", record_id, login="member", json={"n": 5},
                                  params={"fields": "*"}))
    assert updated == {"_id": record_id, "n": 5}
    assert notes.rows("note")[record_id] == {"text": "secret", "n": 5, "when": None}
