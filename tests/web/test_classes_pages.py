"""The Classes pages in-process, on both backends: list with record counts, create, fields of every
type, required and indexed flags, permissions, workflow states, options, the class file (shown,
downloaded, applied), delete; refused input shown beside its field with nothing changed."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import pytest
import sqlalchemy
from markupsafe import escape

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.errors import NotFoundError
from objectbase.core.fields import FIELD_TYPES
from objectbase.core.permissions import Access, Action
from objectbase.core.query import ast
from objectbase.core.records import NewRecord
from objectbase.core.schema import ClassDef
from tests.web.dashboard import Dash


def _admin(dash: Dash) -> Actor:
    return Actor.admin(dash.app_id)


def _class(dash: Dash, name: str) -> ClassDef:
    return dash.services.classes.get_class(_admin(dash), name)


def _apply(dash: Dash, spec: dict[str, Any]) -> None:
    dash.services.classes.apply_classes(_admin(dash), read_class_file(spec))


def _url(dash: Dash, path: str = "") -> str:
    return f"/_/apps/{dash.app_id}/classes{path}"


def _error_beside(page: str, field: str, text: str) -> bool:
    """The message is in the field's error paragraph (as macros.html renders it), and the input says so."""
    found = re.search(rf'<p class="error" id="{re.escape(field)}-error">([^<]*)</p>', page)
    return found is not None and text in html.unescape(found.group(1)) and 'aria-invalid="true"' in page


def _add_records(dash: Dash, class_name: str, count: int) -> list[str]:
    created = dash.services.records.create_records(_admin(dash), class_name, [NewRecord({}) for _ in range(count)])
    return [r.id for r in created.records]


# -- the list ----------------------------------------------------------------------------------

def test_the_list_shows_every_class_with_its_record_count_and_links(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    _apply(dash, {"name": "Empty", "fields": {}})
    dash.services.records.create_records(_admin(dash), "Lead", [NewRecord({"title": "a"}), NewRecord({"title": "b"})])
    page = dash.client.get(_url(dash))
    assert page.status_code == 200
    assert f'<a href="{_url(dash, "/Lead")}">Lead</a>' in page.text
    assert f'href="{_url(dash, "/Lead/records")}" aria-label="2 records of Lead">2 records</a>' in page.text
    assert f'href="{_url(dash, "/Empty/records")}" aria-label="0 records of Empty">0 records</a>' in page.text
    assert 'aria-current="page">Classes</a>' in page.text


def test_an_app_without_classes_says_so(dash: Dash) -> None:
    dash.as_operator()
    assert "No classes yet" in dash.client.get(_url(dash)).text


def test_create_a_class_then_see_its_page(dash: Dash) -> None:
    dash.as_operator()
    response = dash.post(_url(dash), {"name": "Invoice"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(_url(dash, "/Invoice?notice="))
    assert _class(dash, "Invoice").fields == {}
    page = dash.client.get(response.headers["location"])
    assert "<h1>Invoice</h1>" in page.text and "Class Invoice created" in page.text


@pytest.mark.parametrize(("name", "status", "message"), [
    ("9lives", 422, "must start with a letter"),
    ("", 422, "must start with a letter"),
    ("has space", 422, "must start with a letter"),
])
def test_an_invalid_class_name_is_refused_beside_the_field(dash: Dash, name: str, status: int, message: str) -> None:
    dash.as_operator()
    response = dash.post(_url(dash), {"name": name})
    assert response.status_code == status
    assert _error_beside(response.text, "name", message)
    assert dash.services.classes.list_classes(_admin(dash)) == []


def test_a_class_name_taken_is_refused(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    response = dash.post(_url(dash), {"name": "Lead"})
    assert response.status_code == 409
    assert _error_beside(response.text, "name", "already exists")
    assert list(_class(dash, "Lead").fields) == ["title"]


# -- fields ------------------------------------------------------------------------------------

def _field_form(type_name: str, **extra: str) -> dict[str, str]:
    return {"name": "f_" + type_name.replace("[]", "_list").lower(), "type": type_name, **extra}


def test_fields_of_every_core_type_can_be_added(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Target", "fields": {}})
    _apply(dash, {"name": "Every", "fields": {}})
    form = dash.client.get(_url(dash, "/Every/fields/new")).text
    for type_name in FIELD_TYPES:
        assert f'<option value="{type_name}"' in form
        kind = type_name.removesuffix("[]")
        extra = {"options": "Low\nHigh\n"} if kind == "Option" else {"target": "Target"} if kind == "Record" else {}
        response = dash.post(_url(dash, "/Every/fields"), _field_form(type_name, **extra))
        assert response.status_code == 303, (type_name, response.text)
    cls = _class(dash, "Every")
    assert [f.type.name for f in cls.fields.values()] == list(FIELD_TYPES)
    assert [o.text for o in cls.fields["f_option"].options] == ["Low", "High"]
    target = _class(dash, "Target")
    assert cls.fields["f_record_list"].target_class_id == target.id
    page = dash.client.get(_url(dash, "/Every")).text
    for type_name in FIELD_TYPES:
        assert f"<td class=\"nowrap\"><code>{type_name}</code></td>" in page
    assert "<td>Low, High</td>" in page and "<td>Target</td>" in page


def test_a_field_can_be_added_required_and_indexed(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {}})
    response = dash.post(_url(dash, "/Lead/fields"), {"name": "score", "type": "Integer", "required": "1",
                                                      "indexed": "1"})
    assert response.status_code == 303
    field = _class(dash, "Lead").fields["score"]
    assert (field.required, field.indexed) == (True, True)
    row = re.search(r"<th scope=\"row\">score</th>(.*?)</tr>", dash.client.get(_url(dash, "/Lead")).text, re.S)
    assert row and "<td>yes</td>\n    <td>yes</td>" in row.group(1)


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"name": "count", "type": "Integer"}, "name", "reserved word"),
    ({"name": "_hidden", "type": "Integer"}, "name", "must start with a letter"),
    ({"name": "", "type": "Integer"}, "name", "must start with a letter"),
    ({"name": "x", "type": "Nope"}, "type", "unknown type"),
    ({"name": "level", "type": "Option", "options": "Low\nLow"}, "options", "more than once"),
    ({"name": "lead", "type": "Record", "target": ""}, "target", "must start with a letter"),
    ({"name": "lead", "type": "Record", "target": "Missing"}, "name", "not a class"),
])
def test_a_refused_field_shows_why_beside_the_input_and_adds_nothing(dash: Dash, form: dict[str, str], field: str,
                                                                      message: str) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    response = dash.post(_url(dash, "/Lead/fields"), form)
    assert response.status_code == 422, response.text
    assert _error_beside(response.text, field, message), response.text
    assert f'value="{form["name"]}"' in response.text  # what was typed stays
    assert list(_class(dash, "Lead").fields) == ["title"]


def test_a_field_name_taken_is_refused(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    for name, status in (("title", 409), ("TITLE", 422)):
        response = dash.post(_url(dash, "/Lead/fields"), {"name": name, "type": "Integer"})
        assert response.status_code == status
        assert 'id="name-error"' in response.text
    assert _class(dash, "Lead").fields["title"].type.name == "String"


def test_required_and_indexed_flags_are_switched_on_and_off(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"score": "Integer"}})
    lead = _url(dash, "/Lead/fields/score")
    assert dash.post(lead + "/required", {"required": "1"}).status_code == 303
    assert dash.post(lead + "/indexed", {"indexed": "1"}).status_code == 303
    field = _class(dash, "Lead").fields["score"]
    assert (field.required, field.indexed) == (True, True)
    assert _column_indexed(dash, _class(dash, "Lead"), "score")
    page = dash.client.get(_url(dash, "/Lead")).text
    assert "Make optional" in page and "Remove index" in page
    assert dash.post(lead + "/required", {}).status_code == 303
    assert dash.post(lead + "/indexed", {}).status_code == 303
    field = _class(dash, "Lead").fields["score"]
    assert (field.required, field.indexed) == (False, False)
    assert not _column_indexed(dash, _class(dash, "Lead"), "score")
    # Each change is in the class's history, with the index flag before and after.
    with dash.services.storage.transaction(write=False) as tx:
        events = [(e.old, e.new) for e in tx.select_events(dash.app_id, "Lead") if e.kind == "class.updated"]
    assert [(old["indexes"], new["indexes"]) for old, new in events if old and new
            and old["indexes"] != new["indexes"]] == [
        ([], ["score"]), (["score"], [])]
    # The records still read and write after the index went.
    dash.services.records.create_records(_admin(dash), "Lead", [NewRecord({"score": 3})])
    assert "1 record</a>" in dash.client.get(_url(dash)).text


def _column_indexed(dash: Dash, cls: ClassDef, field_name: str) -> bool:
    """Whether the database has an index on the field's column (what the flag promises)."""
    from objectbase.storage.class_tables import field_column_name
    column = field_column_name(cls.fields[field_name])
    engine: sqlalchemy.Engine = dash.services.storage.engine  # type: ignore[attr-defined]
    indexes = sqlalchemy.inspect(engine).get_indexes(f"obj_{cls.id}")
    return any(ix["column_names"] and ix["column_names"][0] == column for ix in indexes)


def test_a_field_is_deleted_with_its_values(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String", "score": "Integer"}})
    response = dash.post(_url(dash, "/Lead/fields/score/delete"))
    assert response.status_code == 303
    assert list(_class(dash, "Lead").fields) == ["title"]
    assert 'data-confirm="Delete the field title' in dash.client.get(_url(dash, "/Lead")).text


def test_an_unknown_field_or_class_is_a_404_page(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    assert dash.post(_url(dash, "/Lead/fields/nope/required"), {"required": "1"}).status_code == 404
    for path in ("/Nope", "/Nope/class.json", "/Nope/fields/new"):
        response = dash.client.get(_url(dash, path))
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


# -- permissions -------------------------------------------------------------------------------

def _permissions_form(**changes: str) -> dict[str, str]:
    form = {"create_access": "open", "read_access": "open", "update_access": "owner", "delete_access": "owner"}
    return {**form, **changes}


def test_class_permissions_and_use_class_permissions_are_saved(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    response = dash.post(_url(dash, "/Lead/permissions"), _permissions_form(
        create_access="open_for_users_ids", create_members="3, 7", read_access="open_for_groups",
        read_members="sales,support", read_use_class="1", delete_access="not_allowed", delete_use_class="1"))
    assert response.status_code == 303, response.text
    permissions = _class(dash, "Lead").permissions
    assert permissions.acl[Action.CREATE].access is Access.USERS
    assert permissions.acl[Action.CREATE].members == ("3", "7")
    assert permissions.acl[Action.READ].access is Access.GROUPS
    assert permissions.acl[Action.READ].members == ("sales", "support")
    assert permissions.acl[Action.UPDATE].access is Access.OWNER
    assert permissions.acl[Action.DELETE].access is Access.NOT_ALLOWED
    assert dict(permissions.use_class) == {Action.READ: True, Action.UPDATE: False, Action.DELETE: True}
    page = dash.client.get(_url(dash, "/Lead")).text
    assert '<option value="open_for_groups" selected>' in page
    assert 'id="f-read_members" name="read_members" type="text" value="sales, support"' in page
    assert 'name="read_use_class" type="checkbox" value="1" checked' in page
    assert 'name="update_use_class" type="checkbox" value="1">' in page
    assert list(_class(dash, "Lead").fields) == ["title"]  # the rest of the class stays


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"create_access": "owner"}, "create_access", "cannot be owner"),
    ({"read_access": "open_for_users_ids", "read_members": "bob"}, "read_access", "user ids"),
    ({"update_access": "open_for_groups"}, "update_access", "needs a list of groups"),
    ({"delete_access": "everyone"}, "delete_access", "unknown access level"),
])
def test_refused_permissions_show_why_and_change_nothing(dash: Dash, changes: dict[str, str], field: str,
                                                          message: str) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    before = _class(dash, "Lead").permissions
    response = dash.post(_url(dash, "/Lead/permissions"), _permissions_form(**changes))
    assert response.status_code == 422
    assert _error_beside(response.text, field, message), response.text
    assert _class(dash, "Lead").permissions == before


# -- workflow states ---------------------------------------------------------------------------

def test_states_and_transitions_are_added_changed_and_deleted(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Ticket", "fields": {"title": "String"}})
    assert dash.post(_url(dash, "/Ticket/states"), {"state_name": "New"}).status_code == 303
    new_id = _class(dash, "Ticket").states[0].id
    response = dash.post(_url(dash, "/Ticket/states"), {"state_name": "Open", "transitions": str(new_id)})
    assert response.status_code == 303
    assert dash.post(_url(dash, "/Ticket/states"), {"state_name": "Done", "state_color": "#00aa00"}).status_code == 303
    new, open_, done = _class(dash, "Ticket").states
    assert (new.color, done.color) == (0xFF9E9E9E, 0xFF00AA00)
    assert open_.transitions == (new.id,)
    response = dash.post(_url(dash, f"/Ticket/states/{new.id}/transitions"),
                         {"transitions": [str(open_.id), str(done.id)]})
    assert response.status_code == 303
    assert _class(dash, "Ticket").states[0].transitions == (open_.id, done.id)
    page = dash.client.get(_url(dash, "/Ticket")).text
    assert 'fill="#9e9e9e"/></svg> New <span class="badge">initial</span></th>' in page
    assert 'fill="#00aa00"/></svg> Done</th>' in page
    assert f'name="transitions" value="{done.id}" checked' in page
    assert dash.post(_url(dash, f"/Ticket/states/{done.id}/delete")).status_code == 303
    assert [s.name for s in _class(dash, "Ticket").states] == ["New", "Open"]
    assert _class(dash, "Ticket").states[0].transitions == (open_.id,)


def test_a_refused_state_shows_why_and_changes_nothing(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Ticket", "fields": {}, "states": [{"name": "New"}]})
    for name in ("New", "   ", "x" * 65):
        response = dash.post(_url(dash, "/Ticket/states"), {"state_name": name})
        assert response.status_code == 422
        assert _error_beside(response.text, "state_name", "unique name")
    response = dash.post(_url(dash, "/Ticket/states"), {"state_name": "Later", "state_color": "green"})
    assert response.status_code == 422 and _error_beside(response.text, "state_color", "#rrggbb")
    assert [s.name for s in _class(dash, "Ticket").states] == ["New"]


def test_a_state_records_are_in_cannot_be_deleted(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Ticket", "fields": {}, "states": [{"name": "New"}, {"name": "Done"}]})
    _add_records(dash, "Ticket", 1)
    new = _class(dash, "Ticket").states[0]
    response = dash.post(_url(dash, f"/Ticket/states/{new.id}/delete"))
    assert response.status_code == 409
    assert '<div class="alert" role="alert"><p>Records are in this state; move them first</p></div>' in response.text
    assert [s.name for s in _class(dash, "Ticket").states] == ["New", "Done"]


# -- options -----------------------------------------------------------------------------------

def test_options_are_added_and_deleted(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"level": {"type": "Option", "options": ["Low"]}, "tags": "Option[]"}})
    response = dash.post(_url(dash, "/Lead/fields/level/options"), {"text": "High", "color": "#ff0000"})
    assert response.status_code == 303
    assert dash.post(_url(dash, "/Lead/fields/tags/options"), {"text": "vip"}).status_code == 303
    level = _class(dash, "Lead").fields["level"]
    assert [(o.text, o.color) for o in level.options] == [("Low", 0xFF9E9E9E), ("High", 0xFFFF0000)]
    assert [o.text for o in _class(dash, "Lead").fields["tags"].options] == ["vip"]
    page = dash.client.get(_url(dash, "/Lead")).text
    assert '<label for="opt-level-text">New option of level</label>' in page
    assert 'fill="#ff0000"' in page
    # In use: deleting it clears it from the records, as the confirmation says.
    high = level.options[1]
    dash.services.records.create_records(_admin(dash), "Lead", [NewRecord({"level": "High"})])
    response = dash.post(_url(dash, f"/Lead/fields/level/options/{high.id}/delete"), {"clear": "1"})
    assert response.status_code == 303
    assert "cleared+from+1+records" in response.headers["location"]
    assert [o.text for o in _class(dash, "Lead").fields["level"].options] == ["Low"]


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"text": "Low"}, "text", "already has an option"),
    ({"text": "  "}, "text", "1 to 255"),
    ({"text": "Mid", "color": "red"}, "color", "#rrggbb"),
])
def test_a_refused_option_shows_why_and_adds_nothing(dash: Dash, form: dict[str, str], field: str,
                                                     message: str) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"level": {"type": "Option", "options": ["Low"]}}})
    response = dash.post(_url(dash, "/Lead/fields/level/options"), form)
    assert response.status_code in (409, 422)
    if field == "text":
        assert f'<p class="error" id="opt-level-text-error">' in response.text and message in response.text
    else:
        assert message in response.text
    assert [o.text for o in _class(dash, "Lead").fields["level"].options] == ["Low"]


def test_options_of_a_field_without_options_are_refused(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    response = dash.post(_url(dash, "/Lead/fields/title/options"), {"text": "x"})
    assert response.status_code == 422 and "not an Option field" in response.text


# -- the class file ----------------------------------------------------------------------------

FULL_CLASS = {
    "name": "Deal",
    "fields": {"title": "String", "amount": "Float", "closes": "Date", "contract": "File",
               "stage": {"type": "Option", "options": ["Cold", {"text": "Hot", "color": "#FF0000"},
                                                       {"text": "Faded", "color": "#80FF0000"}]},
               "owner": {"type": "User"}, "lead": {"type": "Record", "class": "Deal"}, "scores": "Integer[]"},
    "indexes": ["amount"],
    "required": ["title"],
    "permissions": {"create": {"access": "open"}, "read": {"access": "open_for_groups", "groups": ["sales"]},
                    "update": {"access": "open_for_users_ids", "ids": ["4"]}, "delete": {"access": "not_allowed"}},
    "use_class_permissions": {"read": True, "update": False, "delete": False},
    "states": [{"name": "New", "transitions": ["Won"]}, {"name": "Won", "transitions": [], "color": "#00FF00"}],
    "path": "Sales/CRM",
    "disabled": True,
}


def test_the_class_page_shows_the_class_file_and_it_downloads(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, FULL_CLASS)
    page = dash.client.get(_url(dash, "/Deal")).text
    shown = re.search(r'<pre class="card code" aria-label="Class file of Deal">(.*?)</pre>', page, re.S)
    assert shown and json.loads(html.unescape(shown.group(1))) == FULL_CLASS
    download = dash.client.get(_url(dash, "/Deal/class.json"))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/json"
    assert download.headers["content-disposition"] == 'attachment; filename="Deal.class.json"'
    assert download.json() == FULL_CLASS
    assert f'href="{_url(dash, "/Deal/class.json")}" download' in page
    assert '<h1>Deal <span class="badge">disabled</span></h1>' in page


def test_a_downloaded_class_file_applied_to_another_app_makes_the_same_class(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, FULL_CLASS)
    file = dash.client.get(_url(dash, "/Deal/class.json")).text
    other = dash.services.apps.create_app("copy")
    response = dash.post(f"/_/apps/{other.app_id}/classes/apply", {"class_file": file})
    assert response.status_code == 303
    copied = dash.client.get(f"/_/apps/{other.app_id}/classes/Deal/class.json").json()
    assert copied == FULL_CLASS


def test_a_class_file_is_applied_from_an_upload(dash: Dash) -> None:
    dash.as_operator()
    two = json.dumps([{"name": "A", "fields": {"x": "Integer"}},
                      {"name": "B", "fields": {"a": {"type": "Record", "class": "A"}}}])
    response = dash.client.post(_url(dash, "/apply"), data={"csrf_token": dash.csrf(), "class_file": ""},
                                files={"file": ("classes.json", io.BytesIO(two.encode()), "application/json")},
                                follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(_url(dash, "?notice="))
    assert _class(dash, "B").fields["a"].target_class_id == _class(dash, "A").id
    # Applying again with a new field adds it and keeps the rest.
    grown = json.dumps({"name": "A", "fields": {"y": "String"}})
    assert dash.post(_url(dash, "/apply"), {"class_file": grown}).status_code == 303
    assert list(_class(dash, "A").fields) == ["x", "y"]


@pytest.mark.parametrize(("content", "message"), [
    (b" " * 1_000_001, "at most 1000000 bytes"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
])
def test_a_refused_upload_says_why_beside_it(dash: Dash, content: bytes, message: str) -> None:
    dash.as_operator()
    response = dash.client.post(_url(dash, "/apply"), data={"csrf_token": dash.csrf()},
                                files={"file": ("big.json", io.BytesIO(content), "application/json")},
                                follow_redirects=False)
    assert response.status_code == 422
    assert _error_beside(response.text, "file", message)
    assert dash.services.classes.list_classes(_admin(dash)) == []


@pytest.mark.parametrize(("text", "status", "message"), [
    ("", 422, "paste a class file"),
    ("{not json", 422, "is not valid JSON"),
    ('{"name": "Lead", "fields": {"count": "Integer"}}', 422, "fields.count: is a reserved word"),
    ('{"name": "Lead", "fields": {"title": "Integer"}}', 409, "changing a field&#39;s type is not supported"),
])
def test_a_refused_class_file_shows_why_and_changes_nothing(dash: Dash, text: str, status: int, message: str) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    response = dash.post(_url(dash, "/apply"), {"class_file": text})
    assert response.status_code == status
    assert 'id="class_file-error"' in response.text and message in response.text, response.text
    assert str(escape(text)) in response.text  # what was pasted stays
    assert [c.name for c in dash.services.classes.list_classes(_admin(dash))] == ["Lead"]
    assert _class(dash, "Lead").fields["title"].type.name == "String"


# -- rename and delete -------------------------------------------------------------------------

def test_a_class_is_renamed_and_keeps_its_records(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    _apply(dash, {"name": "Taken", "fields": {}})
    ids = _add_records(dash, "Lead", 1)
    for new_name, status, message in (("Taken", 409, "already exists"), ("bad name", 422, "must start with a letter")):
        response = dash.post(_url(dash, "/Lead/settings"), {"new_name": new_name})
        assert response.status_code == status
        assert _error_beside(response.text, "new_name", message)
        assert f'value="{new_name}"' in response.text
    response = dash.post(_url(dash, "/Lead/settings"), {"new_name": "Prospect"})
    assert response.status_code == 303 and response.headers["location"].startswith(_url(dash, "/Prospect?notice="))
    assert dash.services.records.count_records(_admin(dash), "Prospect", ast.TRUE) == len(ids)
    assert dash.client.get(_url(dash, "/Lead")).status_code == 404


def test_a_class_is_put_in_a_folder_and_disabled(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    response = dash.post(_url(dash, "/Lead/settings"), {"new_name": "Lead", "path": "Sales/CRM", "disabled": "1"})
    assert response.status_code == 303
    cls = _class(dash, "Lead")
    assert (cls.path, cls.disabled) == ("Sales/CRM", True)
    assert "<td>Sales/CRM</td>" in dash.client.get(_url(dash)).text
    page = dash.client.get(_url(dash, "/Lead")).text
    assert 'id="f-path" name="path" type="text" value="Sales/CRM"' in page
    assert 'name="disabled" type="checkbox" value="1" checked' in page
    refused = dash.post(_url(dash, "/Lead/settings"), {"new_name": "Lead", "path": "Sales//CRM"})
    assert refused.status_code == 422 and _error_beside(refused.text, "path", "none blank")
    assert dash.post(_url(dash, "/Lead/settings"), {"new_name": "Lead"}).status_code == 303
    cls = _class(dash, "Lead")
    assert (cls.path, cls.disabled) == (None, False)


# -- delete ------------------------------------------------------------------------------------

def test_a_class_is_deleted_with_its_records(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {"title": "String"}})
    _add_records(dash, "Lead", 2)
    page = dash.client.get(_url(dash, "/Lead")).text
    assert 'data-confirm="Delete the class Lead and all its records?"' in page
    response = dash.post(_url(dash, "/Lead/delete"))
    assert response.status_code == 303 and response.headers["location"].startswith(_url(dash, "?notice="))
    with pytest.raises(NotFoundError):
        _class(dash, "Lead")


def test_a_class_other_classes_refer_to_is_not_deleted(dash: Dash) -> None:
    dash.as_operator()
    _apply(dash, {"name": "Lead", "fields": {}})
    _apply(dash, {"name": "Deal", "fields": {"lead": {"type": "Record", "class": "Lead"}}})
    response = dash.post(_url(dash, "/Lead/delete"))
    assert response.status_code == 409
    assert "Record fields of other classes refer to this class" in response.text
    assert _class(dash, "Lead").name == "Lead"


# -- who may -----------------------------------------------------------------------------------

POSTS = [
    ("", {"name": "Fresh"}),
    ("/apply", {"class_file": '{"name": "Fresh"}'}),
    ("/Lead/fields", {"name": "extra", "type": "String"}),
    ("/Lead/fields/title/required", {"required": "1"}),
    ("/Lead/fields/title/indexed", {"indexed": "1"}),
    ("/Lead/fields/title/delete", {}),
    ("/Lead/fields/level/options", {"text": "High"}),
    ("/Lead/permissions", _permissions_form(read_access="owner")),
    ("/Lead/states", {"state_name": "Done"}),
    ("/Lead/states/{new}/transitions", {"transitions": "{old}"}),
    ("/Lead/states/{old}/delete", {}),
    ("/Lead/fields/level/options/{low}/delete", {"clear": "1"}),
    ("/Lead/settings", {"new_name": "Renamed"}),
    ("/Lead/delete", {}),
]


def _lead(dash: Dash, path: str, form: dict[str, str]) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The class every refused change is tried on, its file, and the path and form with its ids."""
    _apply(dash, {"name": "Lead", "fields": {"title": "String", "level": {"type": "Option", "options": ["Low"]}},
                  "states": [{"name": "Old"}, {"name": "New"}]})
    cls = _class(dash, "Lead")
    ids = {"old": str(cls.states[0].id), "new": str(cls.states[1].id), "low": str(cls.fields["level"].options[0].id)}
    file = dash.client.get(_url(dash, "/Lead/class.json")).json()

    def with_ids(text: str) -> str:
        for key, value in ids.items():
            text = text.replace("{" + key + "}", value)
        return text

    return file, with_ids(path), {k: with_ids(v) for k, v in form.items()}


@pytest.mark.parametrize(("path", "form"), POSTS)
def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(dash: Dash, path: str,
                                                                        form: dict[str, str]) -> None:
    dash.as_operator()
    before, path, form = _lead(dash, path, form)
    response = dash.client.post(_url(dash, path), data=form, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text
    forged = dash.client.post(_url(dash, path), data={**form, "csrf_token": "x" * 43}, follow_redirects=False)
    assert forged.status_code == 403
    assert dash.client.get(_url(dash, "/Lead/class.json")).json() == before
    assert [c.name for c in dash.services.classes.list_classes(_admin(dash))] == ["Lead"]


@pytest.mark.parametrize(("path", "form"), POSTS)
def test_an_admin_of_another_app_gets_404_and_changes_nothing(dash: Dash, path: str, form: dict[str, str]) -> None:
    dash.as_operator()
    before, path, form = _lead(dash, path, form)
    other = dash.services.apps.create_app("other")
    login = dash.new_app_admin(other.app_id)
    dash.client.cookies.clear()
    assert dash.sign_in(login, app_id=other.app_id).status_code == 303
    for page in ("", "/Lead", "/Lead/class.json", "/Lead/fields/new"):
        assert dash.client.get(_url(dash, page)).status_code == 404
    assert dash.post(_url(dash, path), form).status_code == 404
    assert dash.services.classes.get_class(_admin(dash), "Lead").name == "Lead"
    assert [c.name for c in dash.services.classes.list_classes(_admin(dash))] == ["Lead"]
    assert before == _current_file(dash)


def _current_file(dash: Dash) -> dict[str, Any]:
    from objectbase.api.common.class_files import class_file
    cls = _class(dash, "Lead")
    return class_file(cls, {c.id: c.name for c in dash.services.classes.list_classes(_admin(dash))})


def test_an_app_admin_manages_the_classes_of_their_own_app(dash: Dash) -> None:
    login = dash.new_app_admin()
    assert dash.sign_in(login, app_id=dash.app_id).status_code == 303
    assert dash.post(_url(dash), {"name": "Mine"}).status_code == 303
    assert dash.post(_url(dash, "/Mine/fields"), {"name": "size", "type": "Integer"}).status_code == 303
    assert "<code>Integer</code>" in dash.client.get(_url(dash, "/Mine")).text


def test_a_user_who_is_not_an_admin_cannot_sign_in_to_see_classes(dash: Dash) -> None:
    login = dash.new_app_admin(admin=False)
    assert dash.sign_in(login, app_id=dash.app_id).status_code != 303
    response = dash.client.get(_url(dash), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/_/sign-in")
