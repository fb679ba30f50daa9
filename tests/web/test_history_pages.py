"""The History pages in-process, on both databases: a record's timeline (old and new values per field,
who and when) and the app's feed, filtered by class, user, type and time, each alone and together,
paged newest first; events of records the viewer may not read stay hidden."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor, ActorKind
from objectbase.core.blobs import NewBlob
from objectbase.core.event_query import EventQuery
from objectbase.core.permissions import Access, Action, Permission
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.updates import FieldChange
from objectbase.core.users import NewUser, UserChanges
from tests.web.dashboard import Dash

TASK: dict[str, Any] = {
    "name": "Task",
    "fields": {"title": "String", "estimate": "Integer", "labels": {"type": "Option[]", "options": ["hot", "cold"]},
               "assignee": "User"},
    "states": [{"name": "New", "transitions": ["Doing"]}, {"name": "Doing"}],
}
NOTE: dict[str, Any] = {"name": "Note", "fields": {"text": "String"}}


def _entry_count(html: str) -> int:
    return len(re.findall(r'<li class="event"', html))


class History:
    """The app of `dash` with the two classes and a user "ann"; writes as the admin or as ann."""

    def __init__(self, dash: Dash) -> None:
        self.dash = dash
        self.admin = Actor.admin(dash.app_id)
        dash.services.classes.apply_classes(self.admin, read_class_file([TASK, NOTE]))
        dash.services.classes.change_field(self.admin, "Task", "title", title=True)
        self.ann_id = dash.services.users.create_user(self.admin, NewUser({"login": "ann"}, "pw-123456789")).id
        self.ann = Actor(ActorKind.USER, dash.app_id, self.ann_id)

    @property
    def feed(self) -> str:
        return f"/_/apps/{self.dash.app_id}/history"

    def timeline(self, record_id: str, class_name: str = "Task") -> str:
        return f"/_/apps/{self.dash.app_id}/classes/{class_name}/records/{record_id}/history"

    def create(self, class_name: str = "Task", actor: Actor | None = None, **values: Any) -> str:
        created = self.dash.services.records.create_records(actor or self.admin, class_name, [NewRecord(values)])
        return created.records[0].id

    def update(self, record_id: str, class_name: str = "Task", actor: Actor | None = None, **values: Any) -> None:
        changes = [FieldChange(name, "set", value) for name, value in values.items()]
        self.dash.services.records.update_records(actor or self.admin, class_name, [RecordChange(record_id, changes)])

    def get(self, path: str, **params: str) -> Any:
        return self.dash.client.get(path, params=params)


@pytest.fixture
def history(dash: Dash) -> History:
    dash.as_operator()
    return History(dash)


def test_a_records_timeline_shows_each_change_old_and_new_newest_first(history: History) -> None:
    record = history.create(title="Write docs", estimate=3, labels=["hot"])
    history.update(record, estimate=5, labels=["hot", "cold"], actor=None)
    history.update(record, title="Write the docs", assignee=history.ann_id)
    page = history.get(history.timeline(record))
    assert page.status_code == 200
    text = page.text
    assert "<h1>History of Task" in text and "3 events, newest first" in text
    assert re.search(r'<time class="muted" datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00">', text)
    # Newest first: the second update, the first, then the creation.
    assert text.index("Write the docs") < text.index("<ins>5</ins>") < text.index("Record created")
    assert re.search(r'<th scope="row">title</th>\s*<td class="old"><del>Write docs</del></td>\s*'
                     r'<td class="new"><ins>Write the docs</ins></td>', text)
    assert re.search(r'<th scope="row">estimate</th>\s*<td class="old"><del>3</del></td>\s*'
                     r'<td class="new"><ins>5</ins></td>', text)
    # Option texts and user logins, not ids.
    assert re.search(r'<td class="old"><del>hot</del></td>\s*<td class="new"><ins>hot, cold</ins></td>', text)
    assert re.search(r'<th scope="row">assignee</th>\s*<td class="old"><span class="muted">empty</span></td>\s*'
                     r'<td class="new"><ins>ann</ins></td>', text)
    # The creation lists the values set, and the state the record started in.
    assert re.search(r'<th scope="row">state</th>\s*<td class="old"><span class="muted">empty</span></td>\s*'
                     r'<td class="new"><ins>New</ins></td>', text)
    assert "updated_at" not in text and "_id" not in text
    assert re.search(r'<span class="muted">by</span>\s*<span>Administrator</span>', text)
    assert _entry_count(text) == 3


def test_the_timeline_names_the_acting_user_and_state_changes(history: History) -> None:
    record = history.create(title="Theirs", actor=history.ann)
    states = {s.name: s.id for s in history.dash.services.classes.get_class(history.admin, "Task").states}
    history.dash.services.records.change_state(history.ann, "Task", record, states["Doing"])
    text = history.get(history.timeline(record)).text
    assert "Record state changed" in text
    assert re.search(r'<td class="old"><del>New</del></td>\s*<td class="new"><ins>Doing</ins></td>', text)
    assert f'<a href="{history.feed}?user={history.ann_id}">ann</a>' in text


def test_a_deleted_records_timeline_keeps_its_last_values(history: History) -> None:
    record = history.create(title="Doomed", estimate=1)
    history.dash.services.records.delete_records(history.admin, "Task", [record])
    text = history.get(history.timeline(record)).text
    assert "This record was deleted; its history is kept." in text
    assert text.index("Record deleted") < text.index("Record created")
    assert re.search(r'<th scope="row">title</th>\s*<td class="old"><del>Doomed</del></td>\s*'
                     r'<td class="new"><span class="muted">empty</span></td>', text)
    assert "The record</a>" not in text


def test_a_timeline_of_nothing_is_a_404(history: History) -> None:
    record = history.create("Note", text="hi")
    assert history.get(history.timeline("nosuchrecord")).status_code == 404
    assert history.get(history.timeline(record, "NoSuchClass")).status_code == 404
    assert history.get(history.timeline(record, "Task")).status_code == 404  # another class's record
    assert history.get(history.timeline("bad%00id")).status_code == 422


def test_another_apps_history_is_not_found(history: History) -> None:
    other = history.dash.services.apps.create_app("history-other")
    login = history.dash.new_app_admin()
    history.dash.client.cookies.clear()
    assert history.dash.sign_in(login, app_id=history.dash.app_id).status_code == 303
    assert history.get(history.feed).status_code == 200
    assert history.get(f"/_/apps/{other.app_id}/history").status_code == 404


def test_the_feed_lists_every_kind_newest_first_with_links(history: History) -> None:
    task = history.create(title="One")
    note = history.create("Note", text="n")
    text = history.get(history.feed).text
    assert text.index(f"Note {note}") < text.index(f"Task {task} “One”")
    assert f'<a href="{history.timeline(task)}">Task {task} “One”</a>' in text
    assert "User ann" in text and "User created" in text  # not only records
    assert '<option value="Task">Task</option>' in text and '<option value="record.updated">' in text


def _feed_subjects(history: History, **params: str) -> list[tuple[str, str]]:
    response = history.get(history.feed, **params)
    assert response.status_code == 200, response.text
    found = re.findall(r'<span class="badge kind-\w+">([^<]+)</span>\s*(?:<a href="[^"]*">|<span>)([^<]*)<',
                       response.text)
    return [(kind, html.unescape(subject)) for kind, subject in found]


def test_the_feed_filters_by_class_user_type_and_time_alone_and_together(history: History) -> None:
    mine = history.create(title="Admin's")
    theirs = history.create(title="Ann's", actor=history.ann)
    note = history.create("Note", text="by ann", actor=history.ann)
    history.update(theirs, actor=history.ann, estimate=2)
    history.update(mine, estimate=9)

    # A class's own events are among its history.
    by_class = _feed_subjects(history, **{"class": "Note"})
    assert by_class == [("Record created", f"Note {note}"), ("Class created", "Class Note")]
    by_user = _feed_subjects(history, user="ann")
    assert by_user == [("Record updated", f"Task {theirs} “Ann's”"), ("Record created", f"Note {note}"),
                       ("Record created", f"Task {theirs} “Ann's”")]
    assert _feed_subjects(history, user=str(history.ann_id)) == by_user
    updates = _feed_subjects(history, type="record.updated")
    assert [subject for _kind, subject in updates] == [f"Task {mine} “Admin's”", f"Task {theirs} “Ann's”"]
    together = _feed_subjects(history, **{"class": "Task", "user": "ann", "type": "record.created"})
    assert together == [("Record created", f"Task {theirs} “Ann's”")]

    events = history.dash.services.events.list_events(history.admin, EventQuery(record_id=mine)).events
    last = datetime.fromtimestamp(events[-1].at, timezone.utc)
    after = last.replace(second=0, microsecond=0)
    # From the minute of the last update on; and up to the minute before the first event: nothing.
    since = _feed_subjects(history, **{"from": after.strftime("%Y-%m-%dT%H:%M"), "class": "Task",
                                       "type": "record.updated"})
    assert (("Record updated", f"Task {mine} “Admin's”")) in since
    first = datetime.fromtimestamp(events[0].at - 120, timezone.utc)
    assert _feed_subjects(history, to=first.strftime("%Y-%m-%dT%H:%M")) == []
    # A whole day as the end includes today.
    today = last.strftime("%Y-%m-%d")
    assert len(_feed_subjects(history, **{"from": today, "to": today, "class": "Note"})) == 2


def test_bad_filters_are_shown_beside_their_fields(history: History) -> None:
    cases = [({"user": "nobody"}, "user", "No user has this login."),
             ({"class": "Nope"}, "class", "No class has this name."),
             ({"type": "record.exploded"}, "type", "Choose one of the listed types."),
             ({"from": "yesterday"}, "from", "Give a date"),
             ({"from": "2026-12-03T10:00", "to": "2026-12-02"}, "to", "until must not be before since")]
    for params, field, message in cases:
        response = history.get(history.feed, **params)
        assert response.status_code == 422, params
        assert re.search(rf'<p class="error" id="{field}-error">{re.escape(message)}', response.text), params
        assert _entry_count(response.text) == 0
        for name, value in params.items():  # typed values are kept (a select keeps only its options)
            assert name in ("class", "type") or f'value="{value}"' in response.text


def test_the_feed_pages_by_twenty_five_newest_first(history: History) -> None:
    for i in range(27):
        history.create("Note", text=f"note {i}")
    first = history.get(history.feed, **{"class": "Note", "type": "record.created"})
    assert "27 events match, newest first" in first.text and "Page 1 of 2" in first.text
    assert _entry_count(first.text) == 25
    assert 'href="/_/apps/%d/history?class=Note&amp;type=record.created&amp;page=2" rel="next">Older</a>' % history.dash.app_id in first.text
    second = history.get(history.feed, **{"class": "Note", "type": "record.created", "page": "2"})
    assert _entry_count(second.text) == 2 and "Newer</a>" in second.text
    first_ids = re.findall(r'id="event-(\d+)"', first.text)
    second_ids = re.findall(r'id="event-(\d+)"', second.text)
    assert [int(i) for i in first_ids + second_ids] == sorted((int(i) for i in first_ids + second_ids), reverse=True)


def test_user_events_show_their_changes(history: History) -> None:
    history.dash.services.users.update_user(history.admin, history.ann_id, UserChanges({"full_name": "Ann A."}))
    text = history.get(history.feed, type="user.updated").text
    assert re.search(r'<th scope="row">full_name</th>\s*<td class="old"><span class="muted">empty</span></td>\s*'
                     r'<td class="new"><ins>Ann A.</ins></td>', text)


def test_the_feed_needs_a_signed_in_viewer(dash: Dash) -> None:
    response = dash.client.get(f"/_/apps/{dash.app_id}/history", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/_/sign-in?next=")


def test_class_file_and_mark_events_read_as_changes(history: History) -> None:
    history.dash.services.classes.apply_classes(history.admin, read_class_file(
        [{**NOTE, "fields": {**NOTE["fields"], "pages": "Integer"}}]))
    changed = history.get(history.feed, type="class.updated", **{"class": "Note"}).text
    assert re.search(r'<th scope="row">fields.pages</th>\s*<td class="old"><span class="muted">empty</span></td>\s*'
                     r'<td class="new"><ins>Integer</ins></td>', changed)
    history.dash.services.blobs.create_blob(history.admin, NewBlob("plan.pdf", "application/pdf"))
    files = history.get(history.feed, type="blob.created").text
    assert "File plan.pdf" in files and re.search(r'<th scope="row">content_type</th>\s*<td class="old">'
                                                   r'<span class="muted">empty</span></td>\s*<td class="new">'
                                                   r'<ins>application/pdf</ins>', files)
    record = history.create(title="Old news")
    history.dash.services.records.archive(history.admin, "Task", record)
    archived = history.get(history.timeline(record)).text
    assert "Record archived" in archived
    assert re.search(r'<th scope="row">archived_at</th>\s*<td class="old"><span class="muted">empty</span></td>\s*'
                     r'<td class="new"><ins>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</ins></td>', archived)


def test_a_permission_change_is_one_row_per_action(history: History) -> None:
    record = history.create(title="Shared")
    history.dash.services.records.update_records(history.admin, "Task", [RecordChange(
        record, permissions={Action.UPDATE: Permission(Access.USERS, (str(history.ann_id),))})])
    text = history.get(history.timeline(record)).text
    assert re.search(rf'<th scope="row">update permission</th>\s*<td class="old"><del>owner</del></td>\s*'
                     rf'<td class="new"><ins>users: {history.ann_id}</ins></td>', text)
    assert "read permission" not in text


def test_a_long_timeline_pages_newest_first(history: History) -> None:
    record = history.create(title="Busy", estimate=0)
    for estimate in range(1, 27):
        history.update(record, estimate=estimate)
    first = history.get(history.timeline(record)).text
    assert "27 events, newest first" in first and "Page 1 of 2" in first and _entry_count(first) == 25
    assert first.index("<ins>26</ins>") < first.index("<ins>2</ins>")
    second = history.get(history.timeline(record), page="2").text
    assert _entry_count(second) == 2 and "Record created" in second and "<ins>1</ins>" in second
    assert f'href="{history.timeline(record)}" rel="prev">Newer</a>' in second
