"""The event history read API (filters, paging, ACL) and elementary changes of QuickBlox updates."""

from __future__ import annotations

from typing import Any

import pytest

from objectbase.core.elementary import ElementaryChange, elementary_changes
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.event_query import EventQuery
from tests.conftest import QB
from tests.core.record_helpers import create, put, user, with_owner_and_other

CLASS = {"name": "Game", "fields": {"score": "Integer", "tags": "String[]"}}


@pytest.fixture
def game(qb: QB) -> QB:
    return with_owner_and_other(qb, CLASS)


def test_events_filter_by_record_class_kind_user_and_time_and_page(game: QB) -> None:
    headers = game.headers("owner")
    owner = user(game, "owner")
    one = create(game, headers, score=1)
    two = create(game, headers, score=2)
    put(game, one, headers, {"score": 3})
    service = game.services.events
    admin = game.admin

    everything = service.list_events(admin, EventQuery())
    assert [e.id for e in everything.events] == sorted(e.id for e in everything.events if e.id is not None)
    mine = service.list_events(admin, EventQuery(record_id=one))
    assert [(e.kind, e.subject_id) for e in mine.events] == [("record.created", one), ("record.updated", one)]
    assert mine.total == 2
    seq = mine.events[0].record_seq
    assert [e.id for e in service.list_events(admin, EventQuery(record_seq=seq)).events] == [e.id for e in mine.events]
    created = service.list_events(admin, EventQuery(class_name="Game", kinds=("record.created",)))
    assert [e.subject_id for e in created.events] == [one, two]
    by_owner = service.list_events(admin, EventQuery(actor_user_id=owner.user_id, class_name="Game"))
    assert by_owner.total == 3
    assert service.list_events(admin, EventQuery(actor_user_id=(owner.user_id or 0) + 1000)).total == 0

    at = mine.events[1].at
    assert all(e.at >= at for e in service.list_events(admin, EventQuery(since=at)).events)
    records_only = ("record.created", "record.updated")
    assert service.list_events(admin, EventQuery(kinds=records_only, until=mine.events[0].at)).total == 0

    page = service.list_events(admin, EventQuery(actor_user_id=owner.user_id, class_name="Game", offset=1,
                                                  limit=1))
    assert page.total == 3 and len(page.events) == 1
    assert page.events[0].id == by_owner.events[1].id
    assert service.get_event(admin, page.events[0].id or 0) == page.events[0]

    for bad in (EventQuery(limit=0), EventQuery(offset=-1), EventQuery(since=2.0, until=1.0)):
        with pytest.raises(ValidationError):
            service.list_events(admin, bad)


def test_a_feed_pages_newest_first_and_names_its_users(game: QB) -> None:
    headers = game.headers("owner")
    owner = user(game, "owner")
    one = create(game, headers, score=1)
    put(game, one, headers, {"score": 2})
    put(game, one, headers, {"score": 3})
    oldest_first = game.services.events.list_events(game.admin, EventQuery(record_id=one)).events
    feed = game.services.record_views.event_page(game.admin, EventQuery(record_id=one, newest_first=True, limit=2))
    assert [e.id for e in feed.events] == [e.id for e in reversed(oldest_first)][:2]
    assert feed.total == 3
    assert feed.users[owner.user_id or 0].login == "owner"
    assert [c.name for c in feed.classes] == ["Game"]
    later = game.services.record_views.event_page(game.admin, EventQuery(record_id=one, newest_first=True,
                                                                         offset=2, limit=2))
    assert [e.id for e in later.events] == [oldest_first[0].id]
    # Any subject, by its id: here a user's events (the administrator's only, as every non-record event).
    ann = game.services.record_views.event_page(game.admin, EventQuery(subject_id=str(owner.user_id),
                                                                       kinds=("user.created", "user.updated")))
    assert [e.kind for e in ann.events] == ["user.created"]
    assert game.services.events.list_events(owner, EventQuery(subject_id=str(owner.user_id))).total == 0
    # A user event names its subject, who may be someone other than the actor.
    users = game.services.record_views.event_page(game.admin, EventQuery(kinds=("user.created",)))
    assert {u.login for u in users.users.values()} >= {"owner", "other"}


def test_a_user_never_sees_events_of_records_they_cannot_read(game: QB) -> None:
    headers = game.headers("owner")
    public = create(game, headers, score=1)
    private = create(game, headers, score=2, permissions={"read": {"access": "owner"}})
    put(game, private, headers, {"score": 5})
    owner, other = user(game, "owner"), user(game, "other")
    service = game.services.events

    seen = service.list_events(other, EventQuery())
    assert {e.subject_id for e in seen.events} == {public}
    assert seen.total == 1
    assert service.list_events(other, EventQuery(record_id=private)).total == 0
    hidden = service.list_events(owner, EventQuery(record_id=private)).events
    assert len(hidden) == 2
    with pytest.raises(NotFoundError):
        service.get_event(other, hidden[0].id or 0)
    # Non-record events (the users made above) are the administrator's only.
    assert service.list_events(game.admin, EventQuery(kinds=("user.created",))).total == 2
    assert service.list_events(owner, EventQuery(kinds=("user.created",))).total == 0

    # A deleted record's events: the administrator's only.
    response = game.client.delete(f"/data/Game/{public}.json", headers=headers)
    assert response.status_code == 200, response.text
    assert service.list_events(other, EventQuery()).total == 0
    assert [e.kind for e in service.list_events(game.admin, EventQuery(record_id=public)).events] == [
        "record.created", "record.deleted"]


def _changes(qb: QB, record_id: str) -> list[list[ElementaryChange]]:
    cls = qb.services.classes.get_class(qb.admin, "Game")
    events = qb.services.events.list_events(qb.admin, EventQuery(record_id=record_id)).events
    return [elementary_changes(cls, e) for e in events]


def _short(changes: list[ElementaryChange]) -> list[tuple[str, str, Any, Any, int | None, int | None]]:
    return [(c.kind, c.field, c.old_value, c.new_value, c.old_position, c.new_position) for c in changes]


def test_quickblox_updates_expand_into_elementary_changes(game: QB) -> None:
    headers = game.headers("owner")
    record_id = create(game, headers, score=1, tags=["a", "b", "c"])
    put(game, record_id, headers, {"score": 2, "push": {"tags": "d"}})
    put(game, record_id, headers, {"pull": {"tags": "b"}, "score": None})
    put(game, record_id, headers, {"tags": ["a", "X", "d"], "score": 4})
    response = game.client.delete(f"/data/Game/{record_id}.json", headers=headers)
    assert response.status_code == 200, response.text
    created, pushed, pulled, replaced, deleted = _changes(game, record_id)
    cls = game.services.classes.get_class(game.admin, "Game")
    assert {c.field_id for c in created} == {cls.fields["score"].id, cls.fields["tags"].id}
    assert _short(created) == [("added", "score", None, 1, None, 0), ("added", "tags", None, "a", None, 0),
                               ("added", "tags", None, "b", None, 1), ("added", "tags", None, "c", None, 2)]
    assert _short(pushed) == [("changed", "score", 1, 2, 0, 0), ("added", "tags", None, "d", None, 3)]
    assert _short(pulled) == [("removed", "score", 2, None, 0, None), ("removed", "tags", "b", None, 1, None)]
    assert _short(replaced) == [("added", "score", None, 4, None, 0), ("changed", "tags", "c", "X", 1, 1)]
    assert [c.kind for c in deleted] == ["removed"] * 4
