"""The records pages in-process, on both databases: the table (paging, sorting, the QuickBlox filter),
create and edit with a typed input per field type, delete, permissions, states and File fields.
Every refused form also checks that nothing was written."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from starlette.testclient import TestClient

from objectbase.api.field_names import read_class_file
from objectbase.app import build_app
from objectbase.core.actor import Actor
from objectbase.core.event_query import EventQuery
from objectbase.core.models import Record
from objectbase.core.permissions import Access, Action
from objectbase.core.query import ast
from objectbase.core.records import NewRecord
from objectbase.core.services import Services
from objectbase.core.users import NewUser
from objectbase.settings import Settings
from objectbase.storage import SqlStorage
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


# Uploads larger than this are refused (small, so the test of it is cheap).
UPLOAD_MOST = 64 * 1024


@pytest.fixture(scope="session")
def services_with_files(storage: SqlStorage, settings: Settings, make_file_store: Any) -> Services:
    return Services.build(storage, files=make_file_store("local"), max_upload_bytes=UPLOAD_MOST,
                          passwords=settings.passwords)


@pytest.fixture
def dash(settings: Settings, services_with_files: Services) -> Iterator[Dash]:
    """The web fixture's fresh browser, on a server with a files backend (record forms upload)."""
    app = build_app(dataclasses.replace(settings, max_upload_bytes=UPLOAD_MOST), services_with_files)
    with TestClient(app, base_url="https://testserver") as client:
        yield Dash(client, services_with_files, services_with_files.apps.create_app(f"dash-{uuid.uuid4().hex[:8]}"))


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
    return dash.services.events.list_events(Actor.admin(dash.app_id), EventQuery(limit=1)).total


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


def test_pages_of_twenty_with_next_and_previous(signed: Dash) -> None:
    made = [add(signed, score=i).id for i in range(25)]
    first = signed.client.get(url(signed))
    assert ids_in_table(first.text) == made[:20]
    assert "Records 1–20 of 25" in first.text
    assert 'rel="prev"' not in first.text
    assert f'href="{url(signed)}?skip=20" hx-get="{url(signed)}?skip=20" rel="next"' in first.text
    second = signed.client.get(url(signed, "?skip=20"))
    assert ids_in_table(second.text) == made[20:]
    assert "Records 21–25 of 25" in second.text and 'rel="next"' not in second.text
    assert f'href="{url(signed)}" hx-get="{url(signed)}" rel="prev"' in second.text
    fifty = signed.client.get(url(signed, "?limit=50"))
    assert ids_in_table(fifty.text) == made


def test_sorting_by_a_column_header_both_ways(signed: Dash) -> None:
    low, high, middle = add(signed, score=1), add(signed, score=9), add(signed, score=5)
    table = signed.client.get(url(signed))
    assert f'<a href="{url(signed)}?sort_asc=score"' in table.text
    ascending = signed.client.get(url(signed, "?sort_asc=score"))
    assert ids_in_table(ascending.text) == [low.id, middle.id, high.id]
    assert 'aria-sort="ascending"' in ascending.text
    # The header now sorts the other way.
    assert f'<a href="{url(signed)}?sort_desc=score"' in ascending.text
    descending = signed.client.get(url(signed, "?sort_desc=score"))
    assert ids_in_table(descending.text) == [high.id, middle.id, low.id]
    assert 'aria-sort="descending"' in descending.text


def test_columns_without_an_order_are_not_sort_links(signed: Dash) -> None:
    table = signed.client.get(url(signed))
    assert "?sort_asc=place" not in table.text and "?sort_asc=levels" not in table.text
    refused = signed.client.get(url(signed, "?sort_asc=place"))
    assert refused.status_code == 422
    assert "place is a Location field and cannot be sorted by" in unescape(refused.text)


def test_the_filter_takes_quickblox_search_syntax(signed: Dash) -> None:
    add(signed, score=50, mode="classic")
    wanted = add(signed, score=150, mode="classic")
    add(signed, score=150, mode="arcade")
    filtered = signed.client.get(url(signed), params={"q": "score[gt]=100&mode=classic"})
    assert filtered.status_code == 200
    assert ids_in_table(filtered.text) == [wanted.id]
    assert 'value="score[gt]=100&amp;mode=classic"' in filtered.text
    # Sorting and paging keep the filter.
    assert "?q=score%5Bgt%5D%3D100%26mode%3Dclassic&amp;sort_asc=score" in filtered.text
    several = signed.client.get(url(signed), params={"q": "score[in]=50,150&mode[ne]=arcade", "sort_desc": "score"})
    assert len(ids_in_table(several.text)) == 2 and ids_in_table(several.text)[0] == wanted.id
    none = signed.client.get(url(signed), params={"q": "mode=nothing"})
    assert none.status_code == 200 and "No records match the filter." in none.text


@pytest.mark.parametrize(("text", "message"), [
    ("score[gt]=abc", "score is not an integer"),
    ("nothing=1", "nothing is not a field of Game"),
    ("score[between]=1", "between is not a search operator"),
    ("place[near]=here", "near takes 'longitude,latitude;radius_in_metres'"),
    ("mode[ctn]=a&score[ctn]=1", "substring search applies to String fields only"),
    ("sort_desc=score", "sort_desc is not a filter"),
    ("a[b][c][d][e][f][g]=1", "nested too deeply"),
], ids=["bad-value", "unknown-field", "unknown-operator", "bad-near", "wrong-type", "control-param", "too-deep"])
def test_a_bad_filter_is_told_beside_the_box(signed: Dash, text: str, message: str) -> None:
    add(signed, score=1)
    page = signed.client.get(url(signed), params={"q": text})
    assert page.status_code == 422
    box = re.search(r'<div class="error" id="q-error" role="alert">(.*?)</div>', page.text, re.S)
    assert box and message in unescape(box.group(1)), page.text
    assert 'aria-describedby="q-error"' in page.text
    assert ids_in_table(page.text) == []


@pytest.mark.parametrize("query", ["?skip=-1", "?skip=many", "?limit=0", "?limit=-1", "?limit=x"])
def test_bad_paging_in_the_url_is_told_too(signed: Dash, query: str) -> None:
    page = signed.client.get(url(signed, query))
    assert page.status_code == 422
    assert 'id="q-error"' in page.text


def test_htmx_gets_only_the_table_and_a_history_restore_the_page(signed: Dash) -> None:
    record = add(signed, score=3)
    swap = {"HX-Request": "true", "HX-Target": "records"}
    part = signed.client.get(url(signed, "?sort_desc=score"), headers=swap)
    assert part.status_code == 200
    assert part.text.lstrip().startswith("{#") is False and part.text.lstrip().startswith('<div id="records"')
    assert "<html" not in part.text and ids_in_table(part.text) == [record.id]
    assert part.headers["vary"] == "HX-Request, HX-Target, Origin"  # the page's own, and the pipeline's
    bad = signed.client.get(url(signed, "?q=score[gt]=x"), headers=swap)
    assert bad.status_code == 422 and "<html" not in bad.text and 'id="q-error"' in bad.text
    restored = signed.client.get(url(signed), headers={**swap, "HX-History-Restore-Request": "true"})
    assert "<html" in restored.text


def test_the_table_of_a_class_that_does_not_exist_is_a_404(signed: Dash) -> None:
    page = signed.client.get(url(signed, class_name="Nope"))
    assert page.status_code == 404 and "<html" in page.text


def test_an_app_admin_sees_no_other_apps_records(dash: Dash) -> None:
    dash.services.classes.apply_classes(Actor.admin(dash.app_id), read_class_file([TEAM, GAME]))
    add(dash, score=1)
    other = dash.services.apps.create_app("other")
    login = dash.new_app_admin(other.app_id)
    assert dash.sign_in(login, app_id=other.app_id).status_code == 303
    assert dash.client.get(url(dash)).status_code == 404
    assert dash.client.get(f"/_/apps/{other.app_id}/classes/Game/records").status_code == 404


def test_an_app_admin_manages_their_own_apps_records(dash: Dash) -> None:
    dash.services.classes.apply_classes(Actor.admin(dash.app_id), read_class_file([TEAM, GAME]))
    login = dash.new_app_admin()
    assert dash.sign_in(login, app_id=dash.app_id).status_code == 303
    created = dash.post(url(dash, "/new"), {"score": "4"})
    assert created.status_code == 303, created.text
    [record] = stored(dash)
    assert record.values["score"] == 4
    assert record.user_id == dash.services.users.find_user_by(Actor.admin(dash.app_id), "login", login).id


# -- create and edit ------------------------------------------------------------------------------
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ede0000000049454e44ae426082")


def option_id(dash: Dash, field: str, text: str) -> int:
    cls = dash.services.classes.get_class(Actor.admin(dash.app_id), "Game")
    return next(o.id for o in cls.fields[field].options if o.text == text)


def new_user(dash: Dash, login: str = "rival") -> int:
    return dash.services.users.create_user(Actor.admin(dash.app_id), NewUser({"login": login}, "password1", ())).id


def test_the_new_record_form_has_a_typed_input_per_field(signed: Dash) -> None:
    user_id = new_user(signed)
    team = add(signed, "Team", title="Blue")
    form = signed.client.get(url(signed, "/new")).text
    assert 'enctype="multipart/form-data"' in form
    for expected in ('id="f-score" name="score" type="number" value="" step="1"',
                     'id="f-progress" name="progress" type="number" value="" step="any"',
                     'id="f-expert" name="expert" type="checkbox" value="1"',
                     'id="f-mode" name="mode" type="text"',
                     'id="f-place.longitude" name="place.longitude" type="number"',
                     'id="f-place.latitude" name="place.latitude" type="number"',
                     'id="f-played" name="played" type="datetime-local" value="" step="1"',
                     'id="f-levels" name="levels" type="text"',
                     'id="f-avatar" name="avatar" type="file"',
                     f'<option value="{option_id(signed, "level", "High")}">High</option>',
                     'id="f-moods" name="moods" multiple',
                     f'<option value="{user_id}">rival (#{user_id})</option>',
                     f'<option value="{team.seq}">#{team.seq} Blue</option>'):
        assert expected in form, expected
    for label in ("score", "place longitude", "place latitude", "played", "avatar", "level", "rival", "team"):
        assert re.search(rf'<label[^>]*for="f-[^"]+"[^>]*>{re.escape(label)}</label>', form), label
    assert "Several values, comma-separated" in form and "in UTC" in form


def test_create_a_record_with_every_type(signed: Dash) -> None:
    user_id = new_user(signed)
    team = add(signed, "Team", title="Blue")
    before = event_count(signed)
    data = {"score": "5", "progress": "0.25", "expert": "1", "mode": "classic", "place.longitude": "11.5",
            "place.latitude": "45.25", "played": "2024-05-01T10:00:30", "levels": "1, 2,3", "tags": "red, green",
            "level": str(option_id(signed, "level", "High")),
            "moods": [str(option_id(signed, "moods", "Calm")), str(option_id(signed, "moods", "Angry"))],
            "rival": str(user_id), "team": str(team.seq)}
    created = signed.post(url(signed, "/new"), data, files={"avatar": ("face.png", PNG, "image/png")})
    assert created.status_code == 303, created.text
    [record] = stored(signed)
    assert created.headers["location"].startswith(url(signed, f"/{record.id}?notice="))
    values = record.values
    assert (values["score"], values["progress"], values["expert"], values["mode"]) == (5, 0.25, True, "classic")
    assert values["place"] == [11.5, 45.25] and values["played"] == 1714557630
    assert values["levels"] == [1, 2, 3] and values["tags"] == ["red", "green"]
    assert values["level"] == option_id(signed, "level", "High")
    assert values["moods"] == [option_id(signed, "moods", "Calm"), option_id(signed, "moods", "Angry")]
    assert (values["rival"], values["team"]) == (user_id, team.seq)
    assert values["avatar"]["name"] == "face.png" and values["avatar"]["size"] == len(PNG)
    assert values["avatar"]["content_type"] == "image/png"
    assert event_count(signed) == before + 2  # created, then its file attached


def test_an_empty_form_creates_a_record_without_values(signed: Dash) -> None:
    created = signed.post(url(signed, "/new"), {"score": "", "place.longitude": "", "place.latitude": ""})
    assert created.status_code == 303
    [record] = stored(signed)
    assert record.values["score"] is None and record.values["place"] is None and record.values["expert"] is False


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"score": "1.5"}, "score", "score is not an integer"),
    ({"progress": "fast"}, "progress", "progress is not a number"),
    ({"expert": "maybe"}, "expert", "expert is not a boolean"),
    ({"mode": "a\x00b"}, "mode", "mode"),
    ({"place.longitude": "11.5", "place.latitude": ""}, "place", 'place is not a location'),
    ({"place.longitude": "200", "place.latitude": "0"}, "place", "place is out of range"),
    ({"played": "tomorrow"}, "played", "played is not a date"),
    ({"levels": "1, two"}, "levels", "levels has an element that is not an integer"),
    ({"level": "999999"}, "level", "level has no option 999999"),
    ({"moods": ["999999"]}, "moods", "moods has an element that has no option 999999"),
    ({"rival": "999999"}, "rival", "rival"),
    ({"team": "999999"}, "team", "team"),
], ids=["integer", "float", "boolean", "string", "location-half", "location-range", "date", "array", "option",
        "options", "user", "record"])
def test_a_value_the_core_refuses_is_told_beside_its_field(signed: Dash, data: dict[str, Any], field: str,
                                                             message: str) -> None:
    before = event_count(signed)
    refused = signed.post(url(signed, "/new"), {"mode": "kept", **data})
    assert refused.status_code == 422, refused.text
    errors = errors_of(refused.text, field)
    assert errors and message in errors[0], (errors, refused.text)
    assert f'aria-describedby="{field}-error"' in refused.text
    assert stored(signed) == [] and event_count(signed) == before
    if "mode" not in data:  # what was typed is kept
        assert 'name="mode" type="text" value="kept"' in refused.text


def test_a_required_field_left_empty_is_refused(dash: Dash) -> None:
    dash.services.classes.apply_classes(Actor.admin(dash.app_id), read_class_file([FLOW]))
    dash.as_operator()
    refused = dash.post(url(dash, "/new", "Ticket"), {"subject": "hello", "answer": ""})
    assert refused.status_code == 422
    assert errors_of(refused.text, "answer") == ["answer can't be blank"]
    assert 'name="answer" type="text" value="" required' in refused.text
    assert stored(dash, "Ticket") == []


def test_the_record_page_shows_its_values_in_the_inputs(signed: Dash) -> None:
    record = add(signed, score=5, progress=0.25, expert=True, place="11.5, 45.25", played="2024-05-01 10:00:30",
                 levels=[1, 2], level="High", moods=["Calm"])
    page = signed.client.get(url(signed, f"/{record.id}"))
    assert page.status_code == 200
    for expected in ('name="score" type="number" value="5"', 'name="progress" type="number" value="0.25"',
                     'name="expert" type="checkbox" value="1" checked',
                     'name="place.longitude" type="number" value="11.5"',
                     'name="place.latitude" type="number" value="45.25"',
                     'name="played" type="datetime-local" value="2024-05-01T10:00:30"',
                     'name="levels" type="text" value="1, 2"',
                     f'<option value="{option_id(signed, "level", "High")}" selected>High</option>',
                     f'<option value="{option_id(signed, "moods", "Calm")}" selected>Calm</option>',
                     f'href="{url(signed, f"/{record.id}/history")}"', record.id):
        assert expected in page.text, expected


def test_edit_a_record(signed: Dash) -> None:
    record = add(signed, score=5, expert=True, mode="classic", levels=[1])
    saved = signed.post(url(signed, f"/{record.id}"), {"score": "6", "mode": "arcade", "levels": "4, 5",
                                                       "place.longitude": "-3", "place.latitude": "40"})
    assert saved.status_code == 303
    assert saved.headers["location"] == url(signed, f"/{record.id}?notice=Record+saved.")
    [after] = stored(signed)
    values = after.values
    # The box was not ticked: false.
    assert (values["score"], values["mode"], values["levels"], values["expert"]) == (6, "arcade", [4, 5], False)
    assert values["place"] == [-3.0, 40.0]
    assert "Record saved." in signed.client.get(saved.headers["location"]).text


def test_an_edit_the_core_refuses_changes_nothing(signed: Dash) -> None:
    record = add(signed, score=5, mode="classic")
    before = event_count(signed)
    refused = signed.post(url(signed, f"/{record.id}"), {"score": "six", "mode": "arcade"})
    assert refused.status_code == 422
    assert errors_of(refused.text, "score") == ["score is not an integer"]
    assert 'name="score" type="number" value="six"' in refused.text
    assert stored(signed)[0].values["mode"] == "classic" and event_count(signed) == before


def test_a_record_that_does_not_exist_is_a_404(signed: Dash) -> None:
    assert signed.client.get(url(signed, "/" + "0" * 24)).status_code == 404
    assert signed.client.get(url(signed, "/not-an-id")).status_code == 404
    assert signed.post(url(signed, "/" + "0" * 24), {"score": "1"}).status_code == 404


# -- delete and CSRF ------------------------------------------------------------------------------
def test_delete_a_record(signed: Dash) -> None:
    kept, doomed = add(signed, score=1), add(signed, score=2)
    page = signed.client.get(url(signed, f"/{doomed.id}"))
    assert f'action="{url(signed, f"/{doomed.id}/delete")}" data-confirm="Delete this Game record for good?"' \
        in page.text
    deleted = signed.post(url(signed, f"/{doomed.id}/delete"))
    assert deleted.status_code == 303 and deleted.headers["location"].startswith(url(signed, "?notice="))
    assert [r.id for r in stored(signed)] == [kept.id]
    assert signed.post(url(signed, f"/{doomed.id}/delete")).status_code == 404


@pytest.mark.parametrize("action", ["/new", "/{id}", "/{id}/delete", "/{id}/state", "/{id}/permissions"])
def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(signed: Dash, action: str) -> None:
    record = add(signed, score=1)
    before = event_count(signed)
    path = url(signed, action.format(id=record.id))
    refused = signed.client.post(path, data={"score": "2", "state_id": "1", "permissions.read": "owner"},
                                 follow_redirects=False)
    assert refused.status_code == 403
    forged = signed.client.post(path, data={"score": "2", "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert [r.values["score"] for r in stored(signed)] == [1] and event_count(signed) == before


# -- permissions ----------------------------------------------------------------------------------
def test_edit_the_records_permissions(signed: Dash) -> None:
    record = add(signed, score=1)
    page = signed.client.get(url(signed, f"/{record.id}")).text
    for action in ("read", "update", "delete"):
        assert f'<label for="f-permissions.{action}">Who may {action}</label>' in page
    saved = signed.post(url(signed, f"/{record.id}/permissions"), {
        "permissions.read": "users", "permissions.read.members": "5, 7",
        "permissions.update": "groups", "permissions.update.members": "editors",
        "permissions.delete": "owner", "permissions.delete.members": ""})
    assert saved.status_code == 303
    acl = stored(signed)[0].acl
    assert (acl[Action.READ].access, acl[Action.READ].members) == (Access.USERS, ("5", "7"))
    assert (acl[Action.UPDATE].access, acl[Action.UPDATE].members) == (Access.GROUPS, ("editors",))
    assert acl[Action.DELETE].access is Access.OWNER
    shown = signed.client.get(url(signed, f"/{record.id}")).text
    assert '<option value="users" selected>' in shown and 'value="5, 7"' in shown


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"permissions.read": "users", "permissions.read.members": "ann"}, "permissions.read", "user ids"),
    ({"permissions.read": "groups", "permissions.read.members": ""}, "permissions.read.members", "at least one tag"),
    ({"permissions.read": "not_allowed"}, "permissions.read", "choose who may read"),
], ids=["users-not-ids", "groups-empty", "not-a-choice"])
def test_permissions_the_core_refuses_change_nothing(signed: Dash, data: dict[str, str], field: str,
                                                     message: str) -> None:
    record = add(signed, score=1)
    before = event_count(signed)
    refused = signed.post(url(signed, f"/{record.id}/permissions"),
                          {"permissions.update": "owner", "permissions.delete": "owner", **data})
    assert refused.status_code == 422
    errors = errors_of(refused.text, field)
    assert errors and message in errors[0], refused.text
    assert stored(signed)[0].acl[Action.READ].access is Access.OPEN and event_count(signed) == before


def test_a_class_that_decides_every_records_permissions_shows_them_instead(dash: Dash) -> None:
    spec = {"name": "Locked", "fields": {"note": "String"},
            "use_class_permissions": {"read": True, "update": True, "delete": True}}
    dash.services.classes.apply_classes(Actor.admin(dash.app_id), read_class_file([spec]))
    dash.as_operator()
    record = add(dash, "Locked", note="x")
    page = dash.client.get(url(dash, f"/{record.id}", "Locked")).text
    assert "Save permissions" not in page
    assert "The class's permissions decide, for every record (use_class_permissions)" in page
    assert "read: open" in page and "update: owner" in page


# -- states ---------------------------------------------------------------------------------------
@pytest.fixture
def tickets(dash: Dash) -> Dash:
    dash.services.classes.apply_classes(Actor.admin(dash.app_id), read_class_file([FLOW]))
    return dash.as_operator()


def state_names(dash: Dash) -> dict[int, str]:
    cls = dash.services.classes.get_class(Actor.admin(dash.app_id), "Ticket")
    return {s.id: s.name for s in cls.states}


def state_id(dash: Dash, name: str) -> int:
    return next(i for i, n in state_names(dash).items() if n == name)


def test_a_record_shows_its_state_and_a_button_per_allowed_move(tickets: Dash) -> None:
    record = add(tickets, "Ticket", subject="help", answer="yes")
    page = tickets.client.get(url(tickets, f"/{record.id}", "Ticket")).text
    assert '<span class="badge state">New</span>' in page
    assert "Move to Open" in page and "Move to Done" not in page
    assert "state" in tickets.client.get(url(tickets, "", "Ticket")).text
    moved = tickets.post(url(tickets, f"/{record.id}/state", "Ticket"), {"state_id": str(state_id(tickets, "Open"))})
    assert moved.status_code == 303 and "Moved+to+Open" in moved.headers["location"]
    [after] = stored(tickets, "Ticket")
    assert state_names(tickets)[after.state_id or 0] == "Open"
    page = tickets.client.get(url(tickets, f"/{record.id}", "Ticket")).text
    assert "Move to Done" in page and "Move to New" not in page


@pytest.mark.parametrize(("target", "message"), [
    ("Done", "New does not move to this state"), ("New", "is the record's current state"), ("x", "choose a state"),
], ids=["not-allowed", "unchanged", "not-a-state"])
def test_a_move_the_core_refuses_is_told_on_the_record(tickets: Dash, target: str, message: str) -> None:
    record = add(tickets, "Ticket", subject="help", answer="yes")
    before = event_count(tickets)
    wanted = str(state_id(tickets, target)) if target != "x" else "x"
    refused = tickets.post(url(tickets, f"/{record.id}/state", "Ticket"), {"state_id": wanted})
    assert refused.status_code == 422
    assert message in unescape(refused.text)
    assert stored(tickets, "Ticket")[0].state_id == state_id(tickets, "New") and event_count(tickets) == before


# -- files ----------------------------------------------------------------------------------------
def test_upload_download_preview_and_remove_a_file(signed: Dash) -> None:
    record = add(signed, score=1)
    uploaded = signed.post(url(signed, f"/{record.id}"), {"score": "1"},
                           files={"avatar": ("face.png", PNG, "image/png")})
    assert uploaded.status_code == 303
    model = stored(signed)[0].values["avatar"]
    assert model["name"] == "face.png" and model["size"] == len(PNG)
    page = signed.client.get(url(signed, f"/{record.id}")).text
    link = url(signed, f"/{record.id}/files/avatar")
    assert f'<a href="{link}?download=1">Download face.png</a>' in page
    assert f'<img class="preview" src="{link}" alt="avatar: face.png">' in page
    download = signed.client.get(link + "?download=1")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith('attachment; filename="face.png"')
    inline = signed.client.get(link)
    assert inline.content == PNG and inline.headers["content-disposition"].startswith("inline")
    assert signed.client.get(link, headers={"Range": "bytes=0-3"}).content == PNG[:4]
    removed = signed.post(url(signed, f"/{record.id}"), {"score": "1", "remove.avatar": "1"})
    assert removed.status_code == 303
    assert stored(signed)[0].values["avatar"] is None
    assert signed.client.get(link).status_code == 404


def test_a_text_file_has_a_link_but_no_preview(signed: Dash) -> None:
    record = add(signed, score=1)
    signed.post(url(signed, f"/{record.id}"), {}, files={"avatar": ("notes.txt", b"hello", "text/plain")})
    page = signed.client.get(url(signed, f"/{record.id}")).text
    assert "Download notes.txt" in page and '<img class="preview"' not in page


def test_a_file_too_large_is_refused_and_nothing_is_written(signed: Dash) -> None:
    before = event_count(signed)
    big = b"x" * (UPLOAD_MOST + 1)
    refused = signed.post(url(signed, "/new"), {"score": "1"}, files={"avatar": ("big.bin", big, "text/plain")})
    assert refused.status_code == 413
    assert errors_of(refused.text, "avatar") == [f"The file is larger than {UPLOAD_MOST} bytes."]
    assert stored(signed) == [] and event_count(signed) == before
    record = add(signed, score=1)
    refused = signed.post(url(signed, f"/{record.id}"), {"score": "2"}, files={"avatar": ("big.bin", big, "text/plain")})
    assert refused.status_code == 413
    assert [r.values["score"] for r in stored(signed)] == [1] and stored(signed)[0].values["avatar"] is None


def test_a_field_that_is_not_a_file_has_no_download(signed: Dash) -> None:
    record = add(signed, score=1)
    assert signed.client.get(url(signed, f"/{record.id}/files/score")).status_code == 422
    assert signed.client.get(url(signed, f"/{record.id}/files/avatar")).status_code == 404


# -- pickers --------------------------------------------------------------------------------------
def test_with_too_many_users_or_records_to_list_the_inputs_take_ids(signed: Dash,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from objectbase.web.pages import record as record_page
    monkeypatch.setattr(record_page, "PICKER_MAX", 1)
    new_user(signed, "one"), new_user(signed, "two")
    add(signed, "Team", title="A"), add(signed, "Team", title="B")
    form = signed.client.get(url(signed, "/new")).text
    assert 'id="f-rival" name="rival" type="number"' in form and "the app has 2 users" in form
    assert 'id="f-team" name="team" type="number"' in form and "The record number (#) of a Team record" in form
    team = stored(signed, "Team")[1]
    created = signed.post(url(signed, "/new"), {"team": str(team.seq)})
    assert created.status_code == 303 and stored(signed)[0].values["team"] == team.seq
