"""The records pages in-process, on both databases: the table (paging, sorting, the QuickBlox filter),
create and edit with a typed input per field type, delete, permissions, states and File fields.
Every refused form also checks that nothing was written."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.models import Record
from objectbase.core.permissions import Access, Action
from objectbase.core.query import ast
from objectbase.core.records import NewRecord
from objectbase.core.users import NewUser
from tests.web.dashboard import Dash

TEAM = {"name": "Team", "fields": {"title": "String"}}
GAME = {
    "name": "Game",
    "fields": {"score": "Integer", "progress": "Float", "expert": "Boolean", "mode": "String",
               "place": "Location", "played": "Date", "levels": "Integer[]", "tags": "String[]",
               "avatar": "File", "level": {"type": "Option", "options": ["Low", "High"]},
               "moods": {"type": "Option[]", "options": ["Calm", "Angry"]}, "rival": {"type": "User"},
               "team": {"type": "Record", "class": "Team"}},
}
FLOW = {"name": "Ticket", "fields": {"subject": "String", "answer": "String"}, "required": ["answer"],
        "states": [{"name": "New", "transitions": ["Open"]}, {"name": "Open", "transitions": ["Done"]},
                   {"name": "Done", "transitions": ["Open"]}]}


@pytest.fixture
def signed(dash: Dash) -> Dash:
    """An operator signed in, with the Team and Game classes in the test's app."""
    dash.services.classes.apply_classes(Actor.admin(dash.app_id), read_class_file([TEAM, GAME]))
    return dash.as_operator()


def url(dash: Dash, path: str = "", class_name: str = "Game") -> str:
    return f"/_/apps/{dash.app_id}/classes/{class_name}/records{path}"


def add(dash: Dash, class_name: str = "Game", **values: Any) -> Record:
    created = dash.services.records.create_records(Actor.admin(dash.app_id), class_name, [NewRecord(values)])
    return created.records[0]


def stored(dash: Dash, class_name: str = "Game") -> list[Record]:
    return dash.services.records.find_records(Actor.admin(dash.app_id), class_name, ast.Query(limit=100)).records


def event_count(dash: Dash) -> int:
    return len(dash.services.events.find_events(Actor.admin(dash.app_id), limit=1000))


def ids_in_table(html: str) -> list[str]:
    return re.findall(r'<a class="mono" href="[^"]+/records/([0-9a-f]{24})"', html)


def errors_of(html: str, name: str) -> list[str]:
    return [unescape(m) for m in re.findall(rf'<p class="error" id="{re.escape(name)}-error">([^<]*)</p>', html)]


# -- the table ------------------------------------------------------------------------------------
def test_the_table_lists_records_with_their_values(signed: Dash) -> None:
    record = add(signed, score=7, mode="classic", place="11.5, 45.25", played="2024-05-01 10:00:00",
                 levels=[1, 2], level="High")
    page = signed.client.get(url(signed))
    assert page.status_code == 200
    assert ids_in_table(page.text) == [record.id]
    for shown in ("classic", "11.5, 45.25", "2024-05-01 10:00:00", "1, 2", "High", "New record"):
        assert shown in page.text
