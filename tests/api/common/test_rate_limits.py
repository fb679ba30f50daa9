"""Sign-in rate limits (docs/security.md, "Rate limits"), the way clients meet them: after too many
failed attempts from one address, or for one login, every dialect answers 429 in its own shape with
`Retry-After`, and the refused attempt changes nothing. Small limits keep the tests short; one test
checks the real defaults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Iterator

import pytest
from httpx2 import Headers
from starlette.testclient import TestClient

from objectbase.app import build_app, sign_in_limits
from objectbase.core.services import Services
from objectbase.settings import Settings
from objectbase.storage import SqlStorage
from objectbase.storage.rate_limits import sql_counter_store
from tests.conftest import QB

PER_ADDRESS, PER_LOGIN = 5, 3


@dataclass
class Limited:
    """One app served with small limits, reached from two client addresses."""

    here: QB
    there: QB

    def state(self) -> int:
        return len(self.here.events())


@pytest.fixture
def limited(storage: SqlStorage, settings: Settings) -> Iterator[Limited]:
    config = Settings(data_dir=settings.data_dir, database_url=settings.database_url,
                      argon2_memory_kib=settings.argon2_memory_kib, argon2_time_cost=settings.argon2_time_cost,
                      argon2_parallelism=settings.argon2_parallelism,
                      login_rate_per_address=f"{PER_ADDRESS}/minute", login_rate_per_login=f"{PER_LOGIN}/minute")
    services = Services.build(storage, passwords=config.passwords, sign_in_limits=sign_in_limits(config, storage))
    app = build_app(config, services)
    credentials = services.apps.create_app(f"limits-{uuid.uuid4().hex[:8]}")
    with TestClient(app, client=("10.0.0.1", 1000)) as here, TestClient(app, client=("10.0.0.2", 1000)) as there:
        yield Limited(QB(here, services, credentials), QB(there, services, credentials))


def _qb_session(qb: QB, login: str, password: str) -> int:
    response = qb.client.post("/session.json", json=qb.session_params({"login": login, "password": password}))
    return response.status_code


def _retry_after(headers: Headers) -> int:
    value = int(headers["retry-after"])
    assert 1 <= value <= 60
    return value


def test_quickblox_session_per_login_then_per_address(limited: Limited) -> None:
    here, there = limited.here, limited.there
    here.make_user("ann")
    here.make_user("bob")
    assert [_qb_session(here, "ann", "wrong-pass") for _ in range(PER_LOGIN)] == [401] * PER_LOGIN
    before = limited.state()
    refused = here.client.post("/session.json", json=here.session_params({"login": "ann", "password": "password1"}))
    assert refused.status_code == 429, refused.text
    assert set(refused.json()) == {"errors"} and isinstance(refused.json()["errors"], list)
    _retry_after(refused.headers)
    assert limited.state() == before  # no session, no event
    # The login rule holds from any address; another login from the same address is still let in.
    assert _qb_session(there, "ann", "password1") == 429
    assert _qb_session(here, "bob", "password1") == 201
    # The address rule: failures for several logins add up (3 for ann, 2 more here reach 5).
    assert [_qb_session(here, f"nobody{i}", "wrong-pass") for i in range(2)] == [401, 401]
    assert _qb_session(here, "bob", "password1") == 429
    assert _qb_session(there, "bob", "password1") == 201


def test_quickblox_login_and_password_change(limited: Limited) -> None:
    qb, other = limited.here, limited.there
    qb.make_user("cleo")
    app_token = {"QB-Token": qb.token()}
    for _ in range(PER_LOGIN):
        assert qb.client.post("/login.json", json={"login": "cleo", "password": "wrong-pass"},
                              headers=app_token).status_code == 401
    refused = qb.client.post("/login.json", json={"login": "cleo", "password": "password1"}, headers=app_token)
    assert refused.status_code == 429 and "errors" in refused.json()
    _retry_after(refused.headers)

    dora = other.make_user("dora")
    headers = {"QB-Token": other.token("dora")}
    change = {"user": {"password": "newpassword", "old_password": "wrong-one"}}
    for _ in range(PER_LOGIN):
        assert other.client.put(f"/users/{dora}.json", headers=headers, json=change).status_code == 422
    before = limited.state()
    change["user"]["old_password"] = "password1"
    refused = other.client.put(f"/users/{dora}.json", headers=headers, json=change)
    assert refused.status_code == 429, refused.text
    _retry_after(refused.headers)
    assert limited.state() == before  # the password did not change
