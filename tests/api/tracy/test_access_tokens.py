"""Authentication (contract §2): X-Api-Key, JWT sign-in, refresh (single use), revocation."""

from __future__ import annotations

import re
import time

import httpx2 as httpx
import pytest
import sqlalchemy

from objectbase.security.jwts import encode_jwt, signing_key
from objectbase.storage.system_tables import refresh_tokens
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.seed_schemas import assert_valid

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _stored_tokens(tracy: Tracy) -> list[sqlalchemy.Row[tuple[object, ...]]]:
    with tracy.qb.services.storage.transaction(write=False) as tx:
        conn: sqlalchemy.Connection = tx.conn  # type: ignore[attr-defined]
        return list(conn.execute(sqlalchemy.select(refresh_tokens).where(
            refresh_tokens.c.app_id == tracy.qb.app_id)).all())


def _assert_invalid_token(response: httpx.Response) -> None:
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_owner_key_and_app_key(tracy: Tracy) -> None:
    user_id = tracy.qb.make_user("ann")
    assert tracy.get(f"/v1/users/{user_id}").status_code == 200
    assert tracy.get(f"/v1/users/{user_id}", headers=tracy.app_headers).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "not-a-key"}, {"Authorization": "Basic abc"}],
                         ids=["none", "unknown-key", "other-scheme"])
def test_missing_or_unknown_credentials_are_401(tracy: Tracy, headers: dict[str, str]) -> None:
    response = tracy.get("/v1/datasets", headers=headers)
    assert_problem(response, 401)
    assert "www-authenticate" not in response.headers


def test_sign_in_gives_a_pair_that_authenticates_the_user(tracy: Tracy) -> None:
    user_id = tracy.qb.make_user("ann", email="ann@example.com")
    before = time.time()
    pair = tracy.sign_in("ann")
    assert_valid(pair, "AccessToken")
    assert TIMESTAMP.match(pair["expires"])
    expires = time.mktime(time.strptime(pair["expires"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    assert before + 20 * 60 - 2 <= expires <= time.time() + 20 * 60 + 1
    # Stored as a digest only.
    (row,) = _stored_tokens(tracy)
    assert row.user_id == user_id and pair["refreshToken"] not in row.digest
    assert row.expires_at == pytest.approx(before + 30 * 24 * 3600, abs=5)
    assert "access_token.created" in [e.kind for e in tracy.qb.events()]
    me = tracy.get(f"/v1/users/{user_id}", headers={"Authorization": f"Bearer {pair['accessToken']}"})
    assert me.status_code == 200 and me.json()["email"] == "ann@example.com"
    # By e-mail address too.
    assert tracy.sign_in("ann@example.com")["accessToken"]


@pytest.mark.parametrize("body", [{"login": "ann", "password": "wrong-pass"},
                                  {"login": "bob", "password": "password1"}],
                         ids=["wrong-password", "unknown-login"])
def test_bad_sign_in_is_401_and_stores_nothing(tracy: Tracy, body: dict[str, str]) -> None:
    tracy.qb.make_user("ann")
    events = len(tracy.qb.events())
    assert_problem(tracy.post("/v1/access-tokens", body, headers=tracy.app_headers), 401)
    assert _stored_tokens(tracy) == [] and len(tracy.qb.events()) == events


def test_sign_in_needs_the_apps_key(tracy: Tracy) -> None:
    tracy.qb.make_user("ann")
    assert_problem(tracy.post("/v1/access-tokens", {"login": "ann", "password": "password1"}, headers={}), 401)


def test_refresh_token_is_single_use(tracy: Tracy) -> None:
    user_id = tracy.qb.make_user("ann")
    first = tracy.sign_in("ann")
    second = tracy.post("/v1/access-tokens", {"refreshToken": first["refreshToken"]}, headers={})
    assert second.status_code == 200, second.text
    pair = second.json()
    assert pair["refreshToken"] != first["refreshToken"]
    ok = tracy.get(f"/v1/users/{user_id}", headers={"Authorization": f"Bearer {pair['accessToken']}"})
    assert ok.status_code == 200
    reused = tracy.post("/v1/access-tokens", {"refreshToken": first["refreshToken"]}, headers={})
    assert_problem(reused, 401)
    assert tracy.post("/v1/access-tokens", {"refreshToken": pair["refreshToken"]}, headers={}).status_code == 200


def test_revoked_refresh_token_ends_its_access_token(tracy: Tracy) -> None:
    user_id = tracy.qb.make_user("ann")
    pair = tracy.sign_in("ann")
    bearer = {"Authorization": f"Bearer {pair['accessToken']}"}
    assert tracy.get(f"/v1/users/{user_id}", headers=bearer).status_code == 200
    revoked = tracy.post("/v1/access-tokens", {"refreshToken": pair["refreshToken"]}, headers={}, method="DELETE")
    assert revoked.status_code == 200 and revoked.json() == {}
    _assert_invalid_token(tracy.get(f"/v1/users/{user_id}", headers=bearer))
    assert_problem(tracy.post("/v1/access-tokens", {"refreshToken": pair["refreshToken"]}, headers={}), 401)
    assert_problem(tracy.post("/v1/access-tokens", {"refreshToken": "unknown"}, headers={}, method="DELETE"), 401)


def test_forged_expired_and_garbled_jwts_are_invalid_token(tracy: Tracy) -> None:
    user_id = tracy.qb.make_user("ann")
    pair = tracy.sign_in("ann")
    (row,) = _stored_tokens(tracy)
    now = int(time.time())
    claims = {"app": tracy.qb.app_id, "sub": str(user_id), "rid": row.id, "iat": now, "exp": now + 600}
    genuine_key = signing_key(tracy.qb.credentials.auth_secret)
    forged = encode_jwt(claims, signing_key("someone else's secret"))
    expired = encode_jwt({**claims, "iat": now - 3600, "exp": now - 1}, genuine_key)
    other_user = encode_jwt({**claims, "sub": str(user_id + 1)}, genuine_key)
    assert tracy.get(f"/v1/users/{user_id}", headers={
        "Authorization": f"Bearer {encode_jwt(claims, genuine_key)}"}).status_code == 200
    for token in (forged, expired, other_user, "not.a.jwt", pair["accessToken"] + "x"):
        _assert_invalid_token(tracy.get(f"/v1/users/{user_id}", headers={"Authorization": f"Bearer {token}"}))
    # The JWT wins over X-Api-Key: a bad one is not rescued by a good key.
    _assert_invalid_token(tracy.get(f"/v1/users/{user_id}",
                                    headers={"Authorization": f"Bearer {forged}", **tracy.owner_headers}))
