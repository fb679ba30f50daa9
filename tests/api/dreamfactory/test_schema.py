"""Service and table listings (L1–L3) and the schema endpoints (contract §10), on both surfaces and
both databases, through the core's class management: the CLI, QuickBlox and DreamFactory see one schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy
from click.testing import CliRunner

from objectbase.cli import main
from objectbase.core.classes import class_snapshot
from tests.api.dreamfactory.wire import LEGACY, SURFACES, V2, Wire, assert_df_error, df_login, state_of
from tests.api.quickblox.test_record_files import make_record, upload_file
from tests.conftest import QB, SCORE_TABLE, QBFiles

HIDDEN = {"name": "Hidden", "fields": {"text": "String"},
          "permissions": {"read": {"access": "not_allowed"}}, "use_class_permissions": {"read": True}}
CONTACT = {"name": "contact", "label": "Contact", "plural": "Contacts", "field": [
    {"name": "id", "type": "id"},
    {"name": "first_name", "type": "string", "is_index": True, "required": True},
    {"name": "age", "type": "integer", "allow_null": False},
    {"name": "score", "type": "double"},
    {"name": "ratio", "type": "decimal"},
    {"name": "vip", "type": "boolean", "validation": {"x": 1}},
    {"name": "born", "type": "date"},
    {"name": "seen", "type": "timestamp"},
    {"name": "notes", "type": "text"},
    {"name": "home", "type": "Location"},
    {"name": "tags", "type": "String[]"},
    {"name": "created", "type": "timestamp_on_create"},
]}
CONTACT_SNAPSHOT_FIELDS = {"first_name": "String", "age": "Integer", "score": "Float", "ratio": "Float",
                           "vip": "Boolean", "born": "Date", "seen": "Date", "notes": "String",
                           "home": "Location", "tags": "String[]"}


def admin(qb: QB, wire: Wire) -> dict[str, str]:
    return wire.app(qb.credentials.api_key)


def app(qb: QB, wire: Wire) -> dict[str, str]:
    return wire.app(qb.credentials.auth_key)


def snapshot(qb: QB, name: str) -> dict[str, Any]:
    return next(class_snapshot(c) for c in qb.services.classes.list_classes(qb.admin) if c.name == name)


# -- listings -------------------------------------------------------------------------------

def test_l1_lists_the_resources_of_the_service(qb: QB) -> None:
    response = qb.client.get("/api/v2/db", headers=app(qb, V2))
    assert response.status_code == 200 and response.json() == {"resource": [{"name": "_schema"}, {"name": "_table"}]}


def test_l2_lists_the_tables_the_actor_may_read(qb: QB) -> None:
    qb.apply_class([SCORE_TABLE, HIDDEN])
    headers = {"X-DreamFactory-API-Key": qb.credentials.auth_key}
    response = qb.client.get("/api/v2/db/_table", headers=headers)
    assert response.json() == {"resource": [{"name": "ScoreTable", "label": "ScoreTable"}]}
    assert qb.client.get("/api/v2/db/_table", headers=headers, params={"as_list": "true"}).json() == {
        "resource": ["ScoreTable"]}
    assert qb.client.get("/api/v2/db/_table", headers=headers, params={"fields": "name"}).json() == {
        "resource": [{"name": "ScoreTable"}]}
    everything = qb.client.get("/api/v2/db/_table", headers={"X-DreamFactory-API-Key": qb.credentials.api_key})
    assert [t["name"] for t in everything.json()["resource"]] == ["ScoreTable", "Hidden"]


def test_l3_lists_tables_with_their_access(qb: QB) -> None:
    qb.apply_class([SCORE_TABLE, HIDDEN])
    qb.make_user("ann")
    token = df_login(qb, LEGACY, "ann")
    response = qb.client.get("/rest/db", headers={"X-DreamFactory-Session-Token": token})
    assert response.json() == {"resource": [{"name": "ScoreTable", "label": "ScoreTable", "plural": "ScoreTables",
                                             "access": ["GET", "POST", "PUT", "PATCH", "DELETE"]}]}
    names = qb.client.get("/rest/db", headers={"X-Application-Name": qb.credentials.auth_key},
                          params={"names_only": "true"})
    assert names.json() == {"resource": ["ScoreTable"]}


# -- reading the schema ---------------------------------------------------------------------

# The keys of §10's `<field>` object.
SPEC_FIELD_KEYS = {
    "alias", "name", "label", "description", "native", "type", "db_type", "length", "precision", "scale",
    "default", "required", "allow_null", "fixed_length", "supports_multibyte", "auto_increment", "is_primary_key",
    "is_unique", "is_index", "is_foreign_key", "ref_table", "ref_field", "ref_on_update", "ref_on_delete",
    "picklist", "validation", "db_function", "is_virtual", "is_aggregate"}
TYPES = {"score_value": ("integer", "bigint"), "progress": ("double", "double precision"),
         "expert_mode": ("boolean", "boolean"), "game_mode_name": ("string", "text"),
         "user_location": ("string", "json"), "date": ("datetime", "datetime"),
         "completed_levels": ("string", "json"), "user_avatar": ("string", "file")}


@pytest.mark.parametrize("wire", SURFACES)
def test_a_table_in_the_section_10_shape(qb: QB, wire: Wire) -> None:
    qb.apply_class()
    table = qb.client.get(wire.schema("ScoreTable"), headers=app(qb, wire)).json()
    assert {k: table[k] for k in ("name", "label", "plural", "is_view", "primary_key", "related", "access")} == {
        "name": "ScoreTable", "label": "ScoreTable", "plural": "ScoreTables", "is_view": False,
        "primary_key": ["_id"], "access": ["GET"],
        # `_parent_id` names no class, so a record of any class (this one too) may be a child (§8).
        "related": [{"name": "ScoreTable_by__parent_id", "type": "has_many", "field": "_id",
                     "ref_table": "ScoreTable", "ref_field": "_parent_id"}]}
    fields = {f["name"]: f for f in table["field"]}
    assert list(fields)[:5] == ["_id", "_parent_id", "user_id", "created_at", "updated_at"]
    assert {n: (f["type"], f["db_type"]) for n, f in fields.items() if n in TYPES} == TYPES
    assert (fields["_id"]["is_primary_key"], fields["_id"]["length"], fields["_id"]["allow_null"]) == (True, 24, False)
    assert (fields["user_id"]["type"], fields["created_at"]["type"], fields["updated_at"]["type"]) == (
        "user_id_on_create", "timestamp_on_create", "timestamp_on_update")
    assert fields["score_value"]["is_index"] is True and fields["progress"]["is_index"] is False
    assert all(set(f) == SPEC_FIELD_KEYS for f in fields.values())
    one = qb.client.get(wire.schema("ScoreTable", "progress"), headers=app(qb, wire))
    assert one.status_code == 200 and one.json() == fields["progress"]
    assert qb.client.get(wire.schema("ScoreTable", "_id"), headers=app(qb, wire)).json() == fields["_id"]


@pytest.mark.parametrize("wire", SURFACES)
def test_listing_and_naming_tables(qb: QB, wire: Wire) -> None:
    qb.apply_class([SCORE_TABLE, HIDDEN])
    assert qb.client.get(wire.schema(), headers=app(qb, wire)).json() == {
        "resource": [{"name": "ScoreTable", "label": "ScoreTable"}]}
    named = qb.client.get(wire.schema(), headers=admin(qb, wire), params={"names": "Hidden,ScoreTable"}).json()
    assert [t["name"] for t in named[wire.schema_wrapper]] == ["Hidden", "ScoreTable"]
    assert_df_error(qb.client.get(wire.schema(), headers=app(qb, wire), params={"names": "Hidden"}), wire, 404)


@pytest.mark.parametrize("wire", SURFACES)
def test_unknown_tables_and_fields_are_404(qb: QB, wire: Wire) -> None:
    qb.apply_class()
    message = assert_df_error(qb.client.get(wire.schema("Nope"), headers=app(qb, wire)), wire, 404)
    assert message == 'Table "Nope" does not exist in the database.'
    message = assert_df_error(qb.client.get(wire.schema("ScoreTable", "nope"), headers=app(qb, wire)), wire, 404)
    assert message == 'Field "nope" does not exist in table "ScoreTable".'
    assert_df_error(qb.client.get(f"{wire.base}/other/_schema", headers=app(qb, wire)), wire, 404)


# -- creating tables ------------------------------------------------------------------------

@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("wrapping", ["wrapped", "bare-array", "bare-object"])
def test_create_a_table_and_use_it_everywhere_at_once(qb: QB, wire: Wire, wrapping: str,
                                                      database_url: str) -> None:
    body: Any = {"wrapped": {wire.schema_wrapper: [CONTACT]}, "bare-array": [CONTACT], "bare-object": CONTACT}[wrapping]
    response = qb.client.post(wire.schema(), json=body, headers=admin(qb, wire))
    assert response.status_code == 200, response.text
    expected = {"name": "contact"} if wrapping == "bare-object" else {wire.schema_wrapper: [{"name": "contact"}]}
    assert response.json() == expected
    shot = snapshot(qb, "contact")
    assert shot["fields"] == CONTACT_SNAPSHOT_FIELDS
    assert (shot["indexes"], shot["required"]) == (["first_name"], ["first_name", "age"])
    assert [e.kind for e in qb.events()][-1] == "class.created"
    # The CLI sees it…
    listed = CliRunner().invoke(main, ["class", "list", "--app", str(qb.app_id), "--json",
                                       "--database-url", database_url], catch_exceptions=False)
    assert [c for c in json.loads(listed.output) if c["name"] == "contact"] == [shot]
    # …and QuickBlox writes to it at once.
    qb.make_user("ann")
    created = qb.client.post("/data/contact.json", json={"first_name": "Joe", "age": "41"}, headers=qb.headers("ann"))
    assert created.status_code == 201, created.text
    assert qb.count("contact") == 1
    # DreamFactory describes it back with the same types.
    table = qb.client.get(wire.schema("contact"), headers=admin(qb, wire)).json()
    assert {f["name"]: f["type"] for f in table["field"][5:]} == {
        "first_name": "string", "age": "integer", "score": "double", "ratio": "double", "vip": "boolean",
        "born": "datetime", "seen": "datetime", "notes": "string", "home": "string", "tags": "string"}


BAD_CREATES: list[Any] = [
    pytest.param({"resource": [{"name": "ScoreTable", "field": []}]}, 400, id="existing-table"),
    pytest.param({"resource": [{"name": "t1", "field": [{"name": "a", "type": "blob"}]}]}, 400, id="unknown-type"),
    pytest.param({"resource": [{"name": "x; DROP TABLE y", "field": []}]}, 400, id="hostile-table-name"),
    pytest.param({"resource": [{"name": "t1", "field": [{"name": "a\u0000b", "type": "string"}]}]}, 400,
                 id="nul-in-field-name"),
    pytest.param({"resource": [{"name": "t1", "field": [{"name": "a", "type": "string"},
                                                       {"name": "a", "type": "integer"}]}]}, 400, id="duplicate"),
    pytest.param({"resource": [{"name": "t1", "field": [{"name": "a"}]}]}, 400, id="no-type"),
    pytest.param({"resource": [{"name": "t1", "field": "a"}]}, 400, id="field-not-a-list"),
    pytest.param({"resource": [{"name": "t1"}, {"name": "t1"}]}, 400, id="same-name-twice"),
    pytest.param({"resource": [{"name": "t2"}, {"name": "ScoreTable"}]}, 400, id="second-exists-none-created"),
    pytest.param({"resource": []}, 400, id="empty"),
    pytest.param({}, 400, id="no-table"),
    pytest.param({"resource": ["t1"]}, 400, id="table-not-an-object"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("body, status", BAD_CREATES)
def test_refused_creates_change_nothing(qb: QB, wire: Wire, body: Any, status: int) -> None:
    qb.apply_class()
    if wire.name == "legacy" and isinstance(body, dict) and "resource" in body:
        body = {"table": body["resource"]}
    before = state_of(qb)
    assert_df_error(qb.client.post(wire.schema(), json=body, headers=admin(qb, wire)), wire, status)
    assert state_of(qb) == before


# -- changing and dropping tables -----------------------------------------------------------

@pytest.mark.parametrize("wire", SURFACES)
def test_patch_adds_fields_and_keeps_values(qb: QB, wire: Wire) -> None:
    qb.apply_class()
    qb.make_user("ann")
    record = qb.client.post("/data/ScoreTable.json", json={"score_value": 7}, headers=qb.headers("ann")).json()["_id"]
    body = {wire.schema_wrapper: [{"name": "ScoreTable", "field": [{"name": "level", "type": "integer",
                                                                    "is_index": True}]}]}
    response = qb.client.patch(wire.schema(), json=body, headers=admin(qb, wire))
    assert response.status_code == 200 and response.json() == {wire.schema_wrapper: [{"name": "ScoreTable"}]}
    shot = snapshot(qb, "ScoreTable")
    assert shot["fields"]["level"] == "Integer" and "level" in shot["indexes"]
    assert shot["permissions"] == class_snapshot(qb.services.classes.get_class(qb.admin, "ScoreTable"))["permissions"]
    # One more through the table URL, and one through the field URL.
    assert qb.client.patch(wire.schema("ScoreTable"), json={"field": [{"name": "rank", "type": "string"}]},
                           headers=admin(qb, wire)).json() == {"name": "ScoreTable"}
    field = qb.client.put(wire.schema("ScoreTable", "bonus"), json={"type": "double", "is_index": True},
                          headers=admin(qb, wire))
    assert field.status_code == 200 and (field.json()["name"], field.json()["type"], field.json()["is_index"]) == (
        "bonus", "double", True)
    flagged = qb.client.patch(wire.schema("ScoreTable", "rank"), json={"type": "string", "is_index": True},
                              headers=admin(qb, wire))
    assert flagged.json()["is_index"] is True
    stored = qb.client.get(f"/data/ScoreTable/{record}.json", headers=qb.headers("ann")).json()["items"][0]
    assert stored["score_value"] == 7 and stored["level"] is None


def _score_fields(extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    types = {"Integer": "integer", "Float": "double", "Boolean": "boolean", "String": "string", "Date": "date"}
    fields: dict[str, str] = SCORE_TABLE["fields"]  # type: ignore[assignment]
    return [{"name": n, "type": types.get(t, t)} for n, t in fields.items()] + (extra or [])


@pytest.mark.parametrize("wire", SURFACES)
def test_put_lists_every_field_and_may_add(qb: QB, wire: Wire) -> None:
    qb.apply_class()
    body = {"field": _score_fields([{"name": "level", "type": "integer"}])}
    response = qb.client.put(wire.schema("ScoreTable"), json=body, headers=admin(qb, wire))
    assert response.status_code == 200, response.text
    assert "level" in snapshot(qb, "ScoreTable")["fields"]


REFUSED_CHANGES: list[Any] = [
    pytest.param("put", ("ScoreTable",), {"field": [{"name": "level", "type": "integer"}]}, 400, id="put-drops-fields"),
    pytest.param("patch", ("ScoreTable",), {"field": [{"name": "progress", "type": "string"}]}, 400,
                 id="type-change"),
    pytest.param("patch", ("ScoreTable", "progress"), {"type": "integer"}, 400, id="field-type-change"),
    pytest.param("patch", ("ScoreTable", "level"), {}, 400, id="field-without-type"),
    pytest.param("patch", ("ScoreTable",), {"field": [{"name": "Progress", "type": "double"}]}, 400,
                 id="differs-only-in-case"),
    pytest.param("delete", ("ScoreTable", "progress"), None, 400, id="delete-field"),
    pytest.param("delete", ("ScoreTable", "nope"), None, 404, id="delete-unknown-field"),
    pytest.param("delete", ("Nope",), None, 404, id="drop-unknown-table"),
    pytest.param("patch", ("Nope",), {"field": [{"name": "a", "type": "string"}]}, 404, id="patch-unknown-table"),
    pytest.param("post", ("ScoreTable",), {}, 405, id="post-to-a-table"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("verb, path, body, status", REFUSED_CHANGES)
def test_refused_changes_change_nothing(qb: QB, wire: Wire, verb: str, path: tuple[str, ...], body: Any,
                                        status: int) -> None:
    qb.apply_class()
    before = state_of(qb), snapshot(qb, "ScoreTable")
    response = qb.client.request(verb.upper(), wire.schema(*path), json=body, headers=admin(qb, wire))
    assert_df_error(response, wire, status)
    assert (state_of(qb), snapshot(qb, "ScoreTable")) == before


@pytest.mark.parametrize("wire", SURFACES)
def test_drop_a_table(qb: QB, wire: Wire) -> None:
    qb.apply_class()
    qb.make_user("ann")
    qb.client.post("/data/ScoreTable.json", json={"score_value": 7}, headers=qb.headers("ann"))
    class_id = qb.services.classes.get_class(qb.admin, "ScoreTable").id
    response = qb.client.delete(wire.schema("ScoreTable"), headers=admin(qb, wire))
    assert response.status_code == 200 and response.json() == {"name": "ScoreTable"}
    assert state_of(qb)[1] == []
    event = qb.events()[-1]
    assert (event.kind, event.subject_id, event.class_id) == ("class.deleted", "ScoreTable", class_id)
    assert not sqlalchemy.inspect(qb.services.storage.engine).has_table(f"obj_{class_id}")  # type: ignore[attr-defined]
    assert_df_error(qb.client.get(wire.schema("ScoreTable"), headers=admin(qb, wire)), wire, 404)
    assert qb.client.get("/data/ScoreTable.json", headers=qb.headers("ann")).status_code != 200
    # The name is free again, with a new table.
    assert qb.client.post(wire.schema(), json=[{"name": "ScoreTable"}], headers=admin(qb, wire)).status_code == 200
    assert qb.count() == 0


def test_dropping_a_table_deletes_its_files_after_commit(qbf: QBFiles) -> None:
    qbf.apply_class()
    qbf.make_user("bob")
    headers = qbf.headers("bob")
    record = make_record(qbf, headers)
    assert upload_file(qbf, headers, record).status_code == 200
    assert qbf.stored()
    response = qbf.client.delete("/api/v2/db/_schema/ScoreTable",
                                 headers={"X-DreamFactory-API-Key": qbf.credentials.api_key})
    assert response.status_code == 200, response.text
    assert qbf.stored() == []


NOT_ADMIN: list[Any] = [
    pytest.param("post", (), [{"name": "t1"}], id="create"),
    pytest.param("patch", (), [{"name": "ScoreTable", "field": [{"name": "a", "type": "string"}]}], id="patch"),
    pytest.param("put", ("ScoreTable", "a"), {"type": "string"}, id="put-field"),
    pytest.param("delete", ("ScoreTable",), None, id="drop"),
    pytest.param("delete", ("ScoreTable", "progress"), None, id="delete-field"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("who", ["app", "user"])
@pytest.mark.parametrize("verb, path, body", NOT_ADMIN)
def test_schema_writes_need_the_admin(qb: QB, wire: Wire, who: str, verb: str, path: tuple[str, ...],
                                      body: Any) -> None:
    qb.apply_class()
    qb.make_user("ann")
    headers = app(qb, wire) if who == "app" else {"X-DreamFactory-Session-Token": df_login(qb, wire, "ann")}
    before = state_of(qb), snapshot(qb, "ScoreTable")
    response = qb.client.request(verb.upper(), wire.schema(*path), json=body, headers=headers)
    assert_df_error(response, wire, 403)
    assert (state_of(qb), snapshot(qb, "ScoreTable")) == before


def test_a_drop_that_fails_keeps_the_table_and_its_files(qbf: QBFiles) -> None:
    qbf.apply_class()
    qbf.make_user("bob")
    headers = qbf.headers("bob")
    assert upload_file(qbf, headers, make_record(qbf, headers)).status_code == 200
    stored = qbf.stored()

    def fail(*_: Any) -> None:
        raise RuntimeError("disk on fire")

    qbf.services.classes.on_delete.append(fail)  # after the files hook: its after-commit is queued
    try:
        response = qbf.client.delete("/api/v2/db/_schema/ScoreTable",
                                     headers={"X-DreamFactory-API-Key": qbf.credentials.api_key})
    finally:
        qbf.services.classes.on_delete.remove(fail)
    assert_df_error(response, V2, 500)
    assert qbf.stored() == stored and qbf.count() == 1
    assert qbf.events()[-1].kind != "class.deleted"
