"""Credentials and the failure table of contract §3.1/§3.3, on both surfaces and both databases.

The probe is `GET {S}/{table}` (a table schema read): it needs credentials and the class's read
permission, and writes nothing.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from objectbase.security.tokens import token_digest
from tests.api.dreamfactory.wire import SURFACES, Wire, assert_df_error, df_login
from tests.conftest import QB

OPEN = {"name": "Notes", "fields": {"text": "String"}}
# Read by groups only, the class ACL deciding: the application never, users by their tags.
MEMBERS = {"name": "Secrets", "fields": {"text": "String"},
           "permissions": {"read": {"access": "open_for_groups", "groups": "staff"}},
           "use_class_permissions": {"read": True}}
CLOSED = {"name": "Vault", "fields": {"text": "String"},
          "permissions": {"read": {"access": "not_allowed"}}, "use_class_permissions": {"read": True}}


def _setup(qb: QB) -> None:
    qb.apply_class([OPEN, MEMBERS, CLOSED])
    qb.make_user("ann")
    qb.make_user("sam", tags="staff")


# Every way of presenting the app key, on both surfaces (a harmless superset, §3.1).
APP_KEYS: list[Any] = [
    pytest.param({"X-DreamFactory-API-Key": "{key}"}, {}, id="v2-header"),
    pytest.param({"X-DreamFactory-Application-Name": "{key}"}, {}, id="legacy-header"),
    pytest.param({"X-Application-Name": "{key}"}, {}, id="seed-header"),
    pytest.param({"x-dreamfactory-api-key": "{key}"}, {}, id="header-lower-case"),
    pytest.param({}, {"api_key": "{key}"}, id="query-api-key"),
    pytest.param({}, {"app_name": "{key}"}, id="query-app-name"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("headers, params", APP_KEYS)
def test_the_app_key_is_read_from_every_place(qb: QB, wire: Wire, headers: dict[str, str],
                                             params: dict[str, str]) -> None:
    _setup(qb)
    key = qb.credentials.auth_key
    response = qb.client.get(wire.schema("Notes"), headers={k: v.format(key=key) for k, v in headers.items()},
                             params={k: v.format(key=key) for k, v in params.items()})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Notes"
    # The application actor may read but not write.
    assert response.json()["access"] == ["GET"]


def _token(qb: QB, wire: Wire, who: str) -> str:
    if who == "expired":
        token = df_login(qb, wire, "ann")
        with qb.services.storage.transaction(write=True) as tx:
            session = tx.select_session(token_digest(token))
            assert session is not None
            tx.update_session(session.id, expires_at=time.time() - 1, now=time.time() - 7200)
        return token
    if who == "logged-out":
        token = df_login(qb, wire, "ann")
        assert qb.client.delete(wire.session, headers={"X-DreamFactory-Session-Token": token}).status_code == 200
        return token
    return {"invalid": "0" * 32, "garbage": "not a token at all"}.get(who) or df_login(qb, wire, who)


# (id, app key: auth/api/bad/none, token: who or None, table, status, message substance)
FAILURES: list[Any] = [
    pytest.param("none", None, "Notes", 400, "API key", id="nothing-400"),
    pytest.param("bad", None, "Notes", 401, "API key", id="unknown-app-key-401"),
    pytest.param("auth", "invalid", "Notes", 401, "token", id="invalid-token-401"),
    pytest.param("none", "garbage", "Notes", 401, "token", id="unparsable-token-401"),
    pytest.param("auth", "expired", "Notes", 401, "token", id="expired-token-401"),
    pytest.param("auth", "logged-out", "Notes", 401, "token", id="logged-out-token-401"),
    pytest.param("auth", None, "Secrets", 401, "not authenticated", id="app-needs-a-user-401"),
    pytest.param("auth", "ann", "Secrets", 403, "privileges", id="user-not-in-group-403"),
    pytest.param("auth", "sam", "Vault", 403, "privileges", id="nobody-may-read-403"),
    pytest.param("auth", None, "Vault", 403, "privileges", id="app-and-nobody-may-read-403"),
]


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("app_key, who, table, status, substance", FAILURES)
def test_failure_table(qb: QB, wire: Wire, app_key: str, who: str | None, table: str, status: int,
                       substance: str) -> None:
    _setup(qb)
    headers: dict[str, str] = {}
    if who is not None:
        headers["X-DreamFactory-Session-Token"] = _token(qb, wire, who)
    keys: dict[str, Callable[[], str]] = {"auth": lambda: qb.credentials.auth_key, "bad": lambda: "b" * 20}
    if app_key in keys:
        headers.update(wire.app(keys[app_key]()))
    events = len(qb.events())
    message = assert_df_error(qb.client.get(wire.schema(table), headers=headers), wire, status)
    assert substance.lower() in message.lower()
    assert len(qb.events()) == events


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("who, table", [("sam", "Secrets"), ("ann", "Notes")], ids=["group-member", "open"])
def test_allowed_readers(qb: QB, wire: Wire, who: str, table: str) -> None:
    _setup(qb)
    token = df_login(qb, wire, who)
    response = qb.client.get(wire.schema(table), headers={"X-DreamFactory-Session-Token": token})
    assert response.status_code == 200 and response.json()["name"] == table


@pytest.mark.parametrize("wire", SURFACES)
@pytest.mark.parametrize("how", ["header", "bearer", "query"])
def test_a_session_token_without_an_app_key_is_that_user(qb: QB, wire: Wire, how: str) -> None:
    _setup(qb)
    token = df_login(qb, wire, "sam")
    headers = {"header": {"X-DreamFactory-Session-Token": token}, "bearer": {"Authorization": f"Bearer {token}"},
               "query": {}}[how]
    params = {"session_token": token} if how == "query" else {}
    response = qb.client.get(wire.schema("Secrets"), headers=headers, params=params)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("wire", SURFACES)
def test_the_api_key_given_as_the_app_key_is_the_admin(qb: QB, wire: Wire) -> None:
    _setup(qb)
    response = qb.client.get(wire.schema("Vault"), headers=wire.app(qb.credentials.api_key))
    assert response.status_code == 200, response.text
    assert response.json()["access"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
