"""A1–A5: sessions, signatures, log-in and log-out."""

from __future__ import annotations

import time

import pytest

from objectbase.security.signatures import sign_params
from objectbase.storage import SqlStorage
from tests.conftest import QB


def test_application_session_is_created_with_a_signed_form(qb: QB) -> None:
    params = qb.session_params()
    response = qb.client.post("/session.json", data={k: str(v) for k, v in params.items()})
    assert response.status_code == 201
    session = response.json()["session"]
    assert session["application_id"] == qb.app_id
    assert session["user_id"] == 0
    assert session["nonce"] == params["nonce"] and session["ts"] == params["timestamp"]
    assert len(session["token"]) == 40 and session["_id"] == str(session["id"])
    assert session["created_at"].endswith("Z")
    assert response.headers["QB-Token-ExpirationDate"].endswith(" UTC")
    assert [e.kind for e in qb.events()][-1] == "session.created"


def test_user_session_with_nested_form_credentials(qb: QB) -> None:
    user_id = qb.make_user("bob", "p@ss w&rd!")
    params = qb.session_params({"login": "bob", "password": "p@ss w&rd!"})
    form = {k: str(v) for k, v in params.items() if k != "user"}
    form.update({"user[login]": "bob", "user[password]": "p@ss w&rd!"})
    response = qb.client.post("/session.json", data=form)
    assert response.status_code == 201, response.text
    assert response.json()["session"]["user_id"] == user_id


def test_sha256_signatures_are_accepted(qb: QB) -> None:
    params = qb.session_params()
    params["signature"] = sign_params({k: v for k, v in params.items() if k != "signature"},
                                      qb.credentials.auth_secret, "sha256")
    assert len(params["signature"]) == 64
    assert qb.client.post("/session.json", json=params).status_code == 201


def test_session_by_email(qb: QB) -> None:
    qb.make_user("carol", email="carol@example.com")
    params = qb.session_params({"email": "carol@example.com", "password": "password1"})
    assert qb.client.post("/session.json", json=params).status_code == 201


@pytest.mark.parametrize("change, status, message", [
    ({"signature": "0" * 40}, 422, "Unexpected signature"),
    ({"signature": "nothex"}, 422, "Unexpected signature"),
    ({"auth_key": "wrong"}, 422, "Unknown application or auth_key"),
    ({"application_id": 999999}, 422, "Unknown application or auth_key"),
], ids=["bad-signature", "malformed-signature", "wrong-auth-key", "unknown-app"])
def test_rejected_session_requests(qb: QB, change: dict[str, object], status: int, message: str) -> None:
    params = qb.session_params()
    params.update(change)
    before = len(qb.events())
    response = qb.client.post("/session.json", json=params)
    assert response.status_code == status
    assert response.json() == {"errors": {"base": [message]}}
    assert len(qb.events()) == before


def test_stale_timestamp_is_rejected(qb: QB) -> None:
    params = qb.session_params(timestamp=int(time.time()) - 2 * 3600)
    response = qb.client.post("/session.json", json=params)
    assert response.status_code == 422
    assert "timestamp" in response.json()["errors"]["base"][0]


def test_a_nonce_cannot_be_replayed(qb: QB) -> None:
    params = qb.session_params()
    assert qb.client.post("/session.json", json=params).status_code == 201
    replay = qb.client.post("/session.json", json=params)
    assert replay.status_code == 422
    assert "nonce" in replay.json()["errors"]["base"][0]


def test_missing_parameters_name_the_field(qb: QB) -> None:
    response = qb.client.post("/session.json", json={"application_id": qb.app_id})
    assert response.status_code == 422
    assert "nonce" in response.json()["errors"]


@pytest.mark.parametrize("user", [{"login": "bob", "password": "wrong-pass"},
                                  {"login": "nobody", "password": "password1"}],
                         ids=["wrong-password", "unknown-login"])
def test_wrong_credentials_are_401_and_leave_the_nonce_unused(qb: QB, user: dict[str, str]) -> None:
    qb.make_user("bob")
    params = qb.session_params(user)
    response = qb.client.post("/session.json", json=params)
    assert response.status_code == 401
    assert response.json() == {"errors": ["Unauthorized"]}
    # Nothing was written: the same nonce still works once the credentials are right.
    params = qb.session_params({"login": "bob", "password": "password1"}, nonce=params["nonce"],
                               timestamp=params["timestamp"])
    assert qb.client.post("/session.json", json=params).status_code == 201


def test_get_session_and_destroy_it(qb: QB) -> None:
    headers = qb.headers()
    current = qb.client.get("/session.json", headers=headers)
    assert current.status_code == 200
    assert current.json()["session"]["token"] == headers["QB-Token"]
    deleted = qb.client.delete("/session.json", headers=headers)
    assert deleted.status_code == 200 and deleted.content == b""
    after = qb.client.get("/session.json", headers=headers)
    assert after.status_code == 401
    assert "session does not exist" in after.text.lower()


@pytest.mark.parametrize("headers", [{}, {"QB-Token": "f" * 40}, {"QB-Token": ""}],
                         ids=["no-token", "unknown-token", "empty-token"])
def test_requests_without_a_valid_session_are_401(qb: QB, headers: dict[str, str]) -> None:
    response = qb.client.get("/users.json", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"errors": ["Required session does not exist"]}


def test_expired_session_is_401(qb: QB) -> None:
    token = qb.token()
    _actor, session = qb.services.sessions.authenticate_token(token)
    with qb.services.storage.transaction(write=True) as tx:
        tx.update_session(session.id, expires_at=time.time() - 1, now=time.time())
    assert qb.client.get("/session.json", headers={"QB-Token": token}).status_code == 401


def test_login_upgrades_an_application_session_and_logout_downgrades_it(qb: QB) -> None:
    user_id = qb.make_user("dave", tags="golf")
    headers = qb.headers()
    login = qb.client.post("/login.json", data={"login": "dave", "password": "password1"}, headers=headers)
    assert login.status_code == 202
    assert login.json()["user"]["id"] == user_id
    assert login.json()["user"]["user_tags"] == "golf"
    assert qb.client.get("/session.json", headers=headers).json()["session"]["user_id"] == user_id
    logout = qb.client.delete("/login.json", headers=headers)
    assert logout.status_code == 200
    assert qb.client.get("/session.json", headers=headers).json()["session"]["user_id"] == 0


def test_login_with_wrong_password_is_401(qb: QB) -> None:
    qb.make_user("erin")
    response = qb.client.post("/login.json", json={"login": "erin", "password": "nope-nope"}, headers=qb.headers())
    assert response.status_code == 401
    assert response.json() == {"errors": ["Unauthorized"]}


def test_token_is_stored_as_a_digest(qb: QB) -> None:
    token = qb.token()
    from sqlalchemy import select

    from objectbase.storage.system_tables import sessions
    storage = qb.services.storage
    assert isinstance(storage, SqlStorage)  # reads the stored row itself, below the core's protocols
    with storage.engine.connect() as conn:
        digests = list(conn.scalars(select(sessions.c.digest).where(sessions.c.app_id == qb.app_id)))
    assert token not in digests and len(digests) == 1 and len(digests[0]) == 64


def test_session_endpoints_also_answer_without_suffix_and_under_the_prefix(qb: QB) -> None:
    assert qb.client.post("/session", json=qb.session_params()).status_code == 201
    assert qb.client.post("/qb/session.json", json=qb.session_params()).status_code == 201
