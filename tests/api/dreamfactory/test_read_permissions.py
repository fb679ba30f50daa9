"""Reads never show, count or embed what the core ACL denies (issue 9, point 8): scenario tables
through HTTP on both surfaces and databases, for the application, users and the admin key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from objectbase.core.actor import Actor
from objectbase.core.permissions import Access, Permission
from tests.api.dreamfactory.conftest import DF, OPEN, OWNER

NOTE = {"name": "Note", "fields": {"text": "String"}}
REPLY = {"name": "Reply", "fields": {"text": "String"}}
# Records' read ACLs decide in Note; in Diary the class says "owner" for every record.
DIARY = {"name": "Diary", "fields": {"text": "String"},
         "permissions": {"create": {"access": "open"}, "read": {"access": "owner"},
                         "update": {"access": "owner"}, "delete": {"access": "owner"}},
         "use_class_permissions": {"read": True, "update": False, "delete": False}}
CALLERS = ["app", "owner", "other", "member", "listed", "admin"]


@dataclass
class World:
    df: DF
    notes: dict[str, str]  # note text -> id
    diaries: dict[str, str]

    def headers(self, caller: str) -> dict[str, str]:
        """The caller's credentials (a session is opened only for the user asked for: logins are slow)."""
        if caller == "app":
            return self.df.app_headers
        return self.df.admin_headers if caller == "admin" else self.df.user_headers(caller)

    def texts(self, ids: list[str]) -> set[str]:
        names = {v: k for k, v in {**self.notes, **self.diaries}.items()}
        return {names[i] for i in ids}


@pytest.fixture
def world(df: DF) -> World:
    df.qb.apply_class([NOTE, DIARY, REPLY])
    owner, other = df.user("owner"), df.user("other")
    df.user("member", tags="golf")
    listed: Actor = df.user("listed")
    notes = {}
    for text, read in [("open", OPEN), ("mine", OWNER), ("golfers", Permission(Access.GROUPS, ("golf",))),
                       ("listed", Permission(Access.USERS, (str(listed.user_id),)))]:
        notes[text] = df.create(owner, "Note", [{"text": text}], read=read)[0]
    # Replies to the open note, with their own read ACLs.
    for text, read in [("c-open", OPEN), ("c-mine", OWNER), ("c-golfers", Permission(Access.GROUPS, ("golf",)))]:
        df.create(owner, "Reply", [{"text": text}], read=read, parent_id=notes["open"])
    diaries = {"owner-diary": df.create(owner, "Diary", [{"text": "owner-diary"}])[0],
               "other-diary": df.create(other, "Diary", [{"text": "other-diary"}])[0]}
    return World(df, notes, diaries)


NOTES_SEEN = {
    "app": {"open"}, "owner": {"open", "mine"}, "other": {"open"}, "member": {"open", "golfers"},
    "listed": {"open", "listed"}, "admin": {"open", "mine", "golfers", "listed"},
}
DIARIES_SEEN = {
    "app": set(), "owner": {"owner-diary"}, "other": {"other-diary"}, "member": set(), "listed": set(),
    "admin": {"owner-diary", "other-diary"},
}


def _check_lists_and_counts(world: World, caller: str, table: str, expected: set[str]) -> None:
    df, headers = world.df, world.headers(caller)
    listed = df.items(df.get(table, headers=headers))
    assert world.texts([r["_id"] for r in listed]) == expected
    counted = df.get(table, {"include_count": "true", "limit": 1}, headers=headers).json()
    assert counted["meta"]["count"] == len(expected)
    assert df.get(table, {"count_only": "true"}, headers=headers).json() == len(expected)
    # A filter cannot reach past the ACL either.
    assert df.get(table, {"filter": "text IS NOT NULL", "count_only": "1"}, headers=headers).json() == len(expected)


def _check_by_id(world: World, caller: str, table: str, records: dict[str, str], expected: set[str]) -> None:
    df, headers = world.df, world.headers(caller)
    for text, record_id in records.items():
        item = df.get(table, record_id=record_id, headers=headers)
        by_ids = df.get(table, {"ids": record_id}, headers=headers)
        if text in expected:
            assert item.status_code == 200 and item.json()["text"] == text
            assert [r["text"] for r in df.items(by_ids)] == [text]
            continue
        # Hidden is indistinguishable from missing, on the item URL and by ids.
        not_found = f"Record with identifier '{record_id}' not found."
        assert df.error(item, 404) == not_found
        if df.surface == "v2":
            assert by_ids.status_code == 400
            assert by_ids.json()["error"]["context"]["resource"][0]["message"] == not_found
        else:
            assert df.error(by_ids, 404) == not_found  # a failed first item: its own error


@pytest.mark.parametrize("caller", CALLERS)
def test_reads_show_count_and_find_only_what_the_acl_allows(world: World, caller: str) -> None:
    for table, records, expected in [("Note", world.notes, NOTES_SEEN), ("Diary", world.diaries, DIARIES_SEEN)]:
        _check_lists_and_counts(world, caller, table, expected[caller])
        _check_by_id(world, caller, table, records, expected[caller])


CHILDREN_SEEN = {"app": {"c-open"}, "owner": {"c-open", "c-mine"}, "other": {"c-open"},
                 "member": {"c-open", "c-golfers"}, "listed": {"c-open"}, "admin": {"c-open", "c-mine", "c-golfers"}}


@pytest.mark.parametrize("caller", CALLERS)
def test_embedded_children_obey_the_acl(world: World, caller: str) -> None:
    df, headers = world.df, world.headers(caller)
    parent = world.notes["open"]
    item = df.get("Note", {"related": "Reply_by__parent_id"}, record_id=parent, headers=headers)
    assert {c["text"] for c in item.json()["Reply_by__parent_id"]} == CHILDREN_SEEN[caller]
    listed = df.items(df.get("Note", {"related": "*", "filter": "text = 'open'"}, headers=headers))
    assert {c["text"] for c in listed[0]["Reply_by__parent_id"]} == CHILDREN_SEEN[caller]
    by_ids = df.items(df.get("Note", {"related": "*", "ids": parent}, headers=headers))
    assert {c["text"] for c in by_ids[0]["Reply_by__parent_id"]} == CHILDREN_SEEN[caller]
