"""DreamFactory session endpoints (contract §3.2), on both surfaces and both databases."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Any

import pytest

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.sessions import NewSession
from objectbase.security.tokens import token_digest
from tests.api.dreamfactory.wire import SURFACES, Wire, assert_df_error, df_login
from tests.conftest import QB

_DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
_SHAPE = {"session_token", "session_id", "id", "name", "first_name", "last_name", "email", "is_sys_admin",
          "last_login_date", "token_expiry_date"}


def _seconds(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def _session_count(qb: QB) -> int:
    return sum(1 for e in qb.events() if e.kind == "session.created")


def _stored(qb: QB, token: str) -> Any:
    with qb.services.storage.transaction(write=False) as tx:
        return tx.select_session(token_digest(token))


def _expire(qb: QB, token: str, at: float) -> None:
    session = _stored(qb, token)
    with qb.services.storage.transaction(write=True) as tx:
        tx.update_session(session.id, expires_at=at, now=at - 7200)


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("by", ["email", "login"])
def test_login_answers_the_session_shape_and_the_token_works(qb: QB, wire: Wire, by: str) -> None:
    user_id = qb.make_user("ann", email="ann@example.com", full_name="Ann Lee Smith")
    before = time.time()
    response = qb.client.post(wire.session, json={by: "ann@example.com" if by == "email" else "ann",
                                                  "password": "password1"},
                              headers=wire.app(qb.credentials.auth_key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == _SHAPE
    assert body["session_id"] == body["session_token"] and len(body["session_token"]) >= 32
    assert (body["id"], body["name"], body["first_name"], body["last_name"], body["email"],
            body["is_sys_admin"]) == (user_id, "Ann Lee Smith", "Ann", "Lee Smith", "ann@example.com", False)
    assert _DATE.match(body["last_login_date"]) and _DATE.match(body["token_expiry_date"])
    assert int(before) <= _seconds(body["last_login_date"]) <= time.time()
    assert _seconds(body["token_expiry_date"]) - _seconds(body["last_login_date"]) == pytest.approx(7200, abs=2)
    # Stored as a digest only, and recorded in the event history.
    assert _stored(qb, body["session_token"]).user_id == user_id
    assert [e.actor_user_id for e in qb.events() if e.kind == "session.created"] == [user_id]
    token = body["session_token"]
    for headers, params in [({"X-DreamFactory-Session-Token": token}, {}),
                            ({"Authorization": f"Bearer {token}"}, {}),
                            ({}, {"session_token": token})]:
        again = qb.client.get(wire.session, headers=headers, params=params)
        assert again.status_code == 200, again.text
        assert again.json()["id"] == user_id


@pytest.mark.parametrize("wire", SURFACES)
def test_a_token_sent_with_the_login_is_ignored(qb: QB, wire: Wire) -> None:
    qb.make_user("ann")
    bob = qb.make_user("bob")
    ann_token = df_login(qb, wire, "ann")
    for token in (ann_token, "not-a-token"):
        response = qb.client.post(wire.session, json={"login": "bob", "password": "password1"},
                                  headers={**wire.app(qb.credentials.auth_key), "X-DreamFactory-Session-Token": token})
        assert response.status_code == 200, response.text
        assert response.json()["id"] == bob and response.json()["session_token"] != ann_token


@pytest.mark.parametrize("wire", SURFACES)
def test_the_api_key_given_as_app_key_opens_a_user_session_too(qb: QB, wire: Wire) -> None:
    ann = qb.make_user("ann")
    response = qb.client.post(wire.session, json={"login": "ann", "password": "password1"},
                              headers=wire.app(qb.credentials.api_key))
    assert response.status_code == 200 and response.json()["id"] == ann


REFUSED_LOGINS: list[Any] = [
    pytest.param({"login": "ann", "password": "wrong-pass"}, "app", 401, id="wrong-password"),
    pytest.param({"email": "nobody@example.com", "password": "password1"}, "app", 401, id="unknown-email"),
    pytest.param({"login": "ann", "password": "password1"}, "bad", 401, id="unknown-app-key"),
    pytest.param({"login": "ann", "password": "password1"}, "none", 400, id="no-app-key"),
    pytest.param({"login": "ann"}, "app", 400, id="no-password"),
    pytest.param({"password": "password1"}, "app", 400, id="no-login-or-email"),
    pytest.param({"login": ["ann"], "password": "password1"}, "app", 400, id="login-not-text"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("body, key, status", REFUSED_LOGINS)
def test_refused_logins_open_nothing(qb: QB, wire: Wire, body: dict[str, Any], key: str, status: int) -> None:
    qb.make_user("ann", email="ann@example.com")
    headers = {"app": wire.app(qb.credentials.auth_key), "bad": wire.app("f" * 32), "none": {}}[key]
    events = len(qb.events())
    assert_df_error(qb.client.post(wire.session, json=body, headers=headers), wire, status)
    assert len(qb.events()) == events


@pytest.mark.parametrize("wire", SURFACES)
def test_get_pushes_the_expiry_forward_and_keeps_the_token(qb: QB, wire: Wire) -> None:
    qb.make_user("ann")
    token = df_login(qb, wire, "ann")
    soon = time.time() + 60
    _expire(qb, token, soon)
    response = qb.client.get(wire.session, headers={"X-DreamFactory-Session-Token": token})
    assert response.status_code == 200, response.text
    assert response.json()["session_token"] == token
    assert _stored(qb, token).expires_at > soon + 7000
    assert _seconds(response.json()["token_expiry_date"]) == pytest.approx(_stored(qb, token).expires_at, abs=1)


@pytest.mark.parametrize("wire", SURFACES)
def test_delete_ends_the_session_and_the_token_stops_working(qb: QB, wire: Wire) -> None:
    qb.make_user("ann")
    token = df_login(qb, wire, "ann")
    headers = {"X-DreamFactory-Session-Token": token}
    response = qb.client.delete(wire.session, headers=headers)
    assert response.status_code == 200 and response.json() == {"success": True}
    assert _stored(qb, token) is None
    assert [e.kind for e in qb.events()][-1] == "session.deleted"
    # Logged out = unknown token: 401, as any invalid token (decision, see sessions.py).
    assert_df_error(qb.client.get(wire.session, headers=headers), wire, 401)
    assert_df_error(qb.client.get(wire.schema(), headers=headers), wire, 401)
    assert_df_error(qb.client.delete(wire.session, headers=headers), wire, 401)


@pytest.mark.parametrize("wire", SURFACES)
def test_expired_and_invalid_tokens_are_401(qb: QB, wire: Wire) -> None:
    qb.make_user("ann")
    token = df_login(qb, wire, "ann")
    _expire(qb, token, time.time() - 1)
    for bad in (token, "0" * 32):
        message = assert_df_error(qb.client.get(wire.session, headers={"X-DreamFactory-Session-Token": bad}),
                                  wire, 401)
        assert "token" in message.lower()


@pytest.mark.parametrize("wire", SURFACES)
def test_session_endpoints_without_a_session(qb: QB, wire: Wire) -> None:
    app_only = wire.app(qb.credentials.auth_key)
    assert_df_error(qb.client.get(wire.session, headers=app_only), wire, 401)
    assert_df_error(qb.client.delete(wire.session, headers=app_only), wire, 401)
    assert_df_error(qb.client.get(wire.session), wire, 400)
    assert_df_error(qb.client.delete(wire.session), wire, 400)
    # A session of the application (QuickBlox-made, no user) is not a user's: 401.
    message = assert_df_error(qb.client.get(wire.session, headers={"X-DreamFactory-Session-Token": qb.token()}),
                              wire, 401)
    assert message == "Unauthorized. User is not authenticated."


@pytest.mark.parametrize("wire", SURFACES)
def test_a_quickblox_user_session_works_here(qb: QB, wire: Wire) -> None:
    ann = qb.make_user("ann")
    response = qb.client.get(wire.session, headers={"Authorization": f"Bearer {qb.token('ann')}"})
    assert response.status_code == 200 and response.json()["id"] == ann


@pytest.mark.parametrize("wire", SURFACES)
def test_admin_sessions_are_for_users_flagged_admin(qb: QB, wire: Wire) -> None:
    boss = qb.make_user("boss")
    with qb.services.storage.transaction(write=True) as tx:
        tx.update_user(qb.app_id, boss, {"is_admin": True}, None, time.time())
    qb.make_user("ann")
    app = wire.app(qb.credentials.auth_key)
    response = qb.client.post(wire.admin_session, json={"login": "boss", "password": "password1"}, headers=app)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == boss and response.json()["is_sys_admin"] is True
    events = len(qb.events())
    assert_df_error(qb.client.post(wire.admin_session, json={"login": "ann", "password": "password1"},
                                   headers=app), wire, 401)
    assert len(qb.events()) == events
    ann_token = df_login(qb, wire, "ann")
    assert_df_error(qb.client.get(wire.admin_session, headers={"X-DreamFactory-Session-Token": ann_token}),
                    wire, 403)
    boss_token = response.json()["session_token"]
    assert qb.client.get(wire.admin_session, headers={"X-DreamFactory-Session-Token": boss_token}).status_code == 200
    assert qb.client.delete(wire.admin_session, headers={"X-DreamFactory-Session-Token": boss_token}).json() == {
        "success": True}


def test_open_session_in_the_core_stores_only_a_digest(qb: QB) -> None:
    from objectbase.core.users import LoginCredentials

    qb.make_user("ann")
    new: NewSession = qb.services.sessions.open_session(Actor(ActorKind.APP, qb.app_id), LoginCredentials("password1", "ann"))
    with qb.services.storage.transaction(write=False) as tx:
        assert tx.select_session(new.token) is None
        assert tx.select_session(token_digest(new.token)) is not None
