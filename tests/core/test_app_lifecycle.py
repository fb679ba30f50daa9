"""Apps through the core: created and deleted only by a superuser's session, keys rotated by the
app's administrator (the old key refused at once), and a deleted app's data and files all gone."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from sqlalchemy import func, inspect, select

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import NotFoundError, PermissionDeniedError, UnauthenticatedError, ValidationError
from objectbase.core.query import ast
from objectbase.core.users import NewUser
from objectbase.storage.sql_storage import SqlStorage
from objectbase.storage.system_tables import datums
from tests.api.quickblox.test_record_files import make_record, upload_file
from tests.conftest import QB, QBFiles
from tests.files.flows import uploaded_blob

PASSWORD = "operator-pw-1"


def _operator_token(qb: QB) -> str:
    login = f"op-{qb.app_id}-{qb._nonce}"
    qb.services.operators.create_operator(login, PASSWORD)
    return qb.services.operators.sign_in(login, PASSWORD).token


def _admin_user_token(qb: QB) -> str:
    login = f"boss-{qb._nonce}"
    qb.services.users.create_user(qb.admin, NewUser({"login": login}, PASSWORD, (), is_admin=True))
    return qb.services.operators.sign_in(login, PASSWORD, qb.app_id).token


def test_a_superuser_creates_and_deletes_an_app(qb: QB, caplog: pytest.LogCaptureFixture) -> None:
    token = _operator_token(qb)
    login = qb.services.operators.session(token).login
    created = qb.services.operators.create_app(token, "  Made here  ")
    with qb.services.storage.transaction(write=False) as tx:
        (event,) = tx.select_events(created.app_id)
    assert (event.kind, event.new) == ("app.created", {"name": "Made here", "operator": login})
    app = qb.services.operators.actor_for(token, created.app_id)
    assert app.app_id == created.app_id
    assert [a.name for a in qb.services.operators.visible_apps(token) if a.id == created.app_id] == ["Made here"]
    qb.services.keys.authenticate_key(created.api_key)
    with caplog.at_level(logging.INFO, logger="objectbase.core.operators"):
        qb.services.operators.delete_app(token, created.app_id)
    assert f"app {created.app_id} deleted by the superuser {login}" in caplog.text
    assert created.app_id not in [a.id for a in qb.services.operators.visible_apps(token)]
    with pytest.raises(UnauthenticatedError):
        qb.services.keys.authenticate_key(created.api_key)
    with pytest.raises(NotFoundError):
        qb.services.operators.delete_app(token, created.app_id)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bad\x00name"])
def test_an_app_name_is_checked(qb: QB, name: str) -> None:
    token = _operator_token(qb)
    before = len(qb.services.operators.visible_apps(token))
    with pytest.raises(ValidationError) as raised:
        qb.services.operators.create_app(token, name)
    assert list(raised.value.field_errors) == ["name"]
    assert len(qb.services.operators.visible_apps(token)) == before


def test_an_app_admin_can_neither_create_nor_delete_apps(qb: QB) -> None:
    token = _admin_user_token(qb)
    with pytest.raises(PermissionDeniedError):
        qb.services.operators.create_app(token, "not allowed")
    with pytest.raises(PermissionDeniedError):
        qb.services.operators.delete_app(token, qb.app_id)
    assert qb.services.operators.visible_apps(token)[0].id == qb.app_id


def test_rotating_the_api_key_refuses_the_old_one_at_once(qb: QB) -> None:
    new_key = qb.services.apps.rotate_key(qb.admin, "api_key")
    with pytest.raises(UnauthenticatedError):
        qb.services.keys.authenticate_key(qb.credentials.api_key)
    assert qb.services.keys.authenticate_key(new_key).app_id == qb.app_id
    assert qb.client.get("/data/ScoreTable.json", headers=qb.api_key_headers).status_code == 401
    event = [e for e in qb.events(str(qb.app_id)) if e.kind == "app.keys_rotated"][-1]
    assert event.new == {"key": "api_key"} and new_key not in str(event.new)


def test_rotating_the_auth_key_and_secret_refuses_sessions_signed_with_the_old_ones(qb: QB) -> None:
    assert qb.client.post("/session.json", json=qb.session_params()).status_code == 201
    new_auth_key = qb.services.apps.rotate_key(qb.admin, "auth_key")
    # QuickBlox answers a wrong application or signature with 422.
    assert qb.client.post("/session.json", json=qb.session_params()).status_code == 422
    with pytest.raises(UnauthenticatedError):
        qb.services.keys.authenticate_app_key(qb.credentials.auth_key)
    qb.credentials = dataclasses.replace(qb.credentials, auth_key=new_auth_key)
    assert qb.client.post("/session.json", json=qb.session_params()).status_code == 201
    new_secret = qb.services.apps.rotate_key(qb.admin, "auth_secret")
    assert qb.client.post("/session.json", json=qb.session_params()).status_code == 422
    qb.credentials = dataclasses.replace(qb.credentials, auth_secret=new_secret)
    assert qb.client.post("/session.json", json=qb.session_params()).status_code == 201
    app = qb.services.operators.actor_for(_operator_token(qb), qb.app_id)
    assert app.app_id == qb.app_id
    kinds = [e.new for e in qb.events(str(qb.app_id)) if e.kind == "app.keys_rotated"]
    assert kinds == [{"key": "auth_key"}, {"key": "auth_secret"}]


def test_only_the_apps_administrator_rotates_keys(qb: QB) -> None:
    user_id = qb.make_user("plain")
    for actor in (Actor(ActorKind.USER, qb.app_id, user_id), Actor(ActorKind.APP, qb.app_id)):
        with pytest.raises(PermissionDeniedError):
            qb.services.apps.rotate_key(actor, "api_key")
    with pytest.raises(ValidationError):
        qb.services.apps.rotate_key(qb.admin, "account_key")
    qb.services.keys.authenticate_key(qb.credentials.api_key)
    assert not [e for e in qb.events(str(qb.app_id)) if e.kind == "app.keys_rotated"]


def _table_names(storage: SqlStorage) -> set[str]:
    return set(inspect(storage.engine).get_table_names())


def _datum_rows(storage: SqlStorage, app_id: int) -> int:
    """Datum rows of the app (they have no foreign key to cascade through: deletes remove them)."""
    with storage.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(datums.c.app_id == app_id)).scalar_one())


def test_deleting_an_app_removes_its_classes_records_users_and_files(qbf: QBFiles, storage: SqlStorage) -> None:
    other = QBFiles(qbf.client, qbf.services, qbf.services.apps.create_app("kept"), store=qbf.store)
    for app in (qbf, other):
        app.apply_class()
        app.make_user("bob")
        headers = app.headers("bob")
        record_id = make_record(app, headers)
        assert upload_file(app, headers, record_id).status_code == 200
        uploaded_blob(app.client, headers, b"blob bytes")
    gone, kept = (storage.class_tables.table(q.services.classes.get_class(q.admin, "ScoreTable")).name
                  for q in (qbf, other))
    assert len(qbf.stored()) == 2 and gone in _table_names(storage)
    assert _datum_rows(storage, qbf.app_id) > 0 and _datum_rows(storage, other.app_id) > 0

    qbf.services.operators.delete_app(_operator_token(qbf), qbf.app_id)

    assert gone not in _table_names(storage)
    assert qbf.stored() == []
    assert qbf.services.classes.list_classes(qbf.admin) == []
    assert qbf.services.users.find_users(qbf.admin, ast.TRUE).total == 0
    assert qbf.events() == []
    assert _datum_rows(storage, qbf.app_id) == 0
    # The other app has all it had.
    assert kept in _table_names(storage)
    assert other.count() == 1 and len(other.stored()) == 2 and _datum_rows(storage, other.app_id) > 0
    assert other.services.users.find_users(other.admin, ast.TRUE).total == 1
    assert other.client.post("/session.json", json=other.session_params()).status_code == 201


def test_deleting_a_class_removes_its_datum_rows(qb: QB, storage: SqlStorage) -> None:
    qb.apply_class()
    qb.make_user("bob")
    response = qb.client.post("/data/ScoreTable.json", json={"score_value": 1}, headers=qb.headers("bob"))
    assert response.status_code == 201
    assert _datum_rows(storage, qb.app_id) > 0
    qb.services.classes.delete_class(qb.admin, "ScoreTable")
    assert _datum_rows(storage, qb.app_id) == 0
