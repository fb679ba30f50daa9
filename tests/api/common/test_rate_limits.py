"""Sign-in rate limits (docs/security.md, "Rate limits"), the way clients meet them: after too many
failed attempts from one address, or for one login, every dialect answers 429 in its own shape with
`Retry-After`, and the refused attempt changes nothing. Small limits keep the tests short; one test
checks the real defaults."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Iterator

import httpx2 as httpx
import pytest
from httpx2 import Headers
from starlette.testclient import TestClient

from objectbase.app import build_app, sign_in_limits
from objectbase.core.errors import RateLimitedError
from objectbase.core.services import Services
from objectbase.core.sign_in_limits import SignInLimits
from objectbase.security.rate_limits import AttemptCounter
from objectbase.settings import SettingError, Settings
from objectbase.storage import SqlStorage
from objectbase.storage.engine import make_engine
from objectbase.storage.rate_limits import SqlCounterStore, sql_counter_store
from tests.api.dreamfactory.wire import SURFACES, Wire, assert_df_error
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.test_email_codes import _confirm, _request_code
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
    config = dataclasses.replace(settings, login_rate_per_address=f"{PER_ADDRESS}/minute",
                                 login_rate_per_login=f"{PER_LOGIN}/minute")
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


@pytest.mark.parametrize("wire", SURFACES)
def test_dreamfactory_session(limited: Limited, wire: Wire) -> None:
    qb = limited.here
    qb.make_user("eve")
    app = wire.app(qb.credentials.auth_key)
    for _ in range(PER_LOGIN):
        wrong = qb.client.post(wire.session, json={"login": "eve", "password": "wrong-pass"}, headers=app)
        assert wrong.status_code == 401
    before = limited.state()
    refused = qb.client.post(wire.session, json={"login": "eve", "password": "password1"}, headers=app)
    assert_df_error(refused, wire, 429)
    _retry_after(refused.headers)
    assert limited.state() == before


def test_tracy_password_refresh_and_email_code(limited: Limited, caplog: pytest.LogCaptureFixture) -> None:
    tracy, elsewhere = Tracy(limited.here), Tracy(limited.there)
    limited.here.make_user("fay", email="fay@example.com")
    for _ in range(PER_LOGIN):
        wrong = tracy.post("/v1/access-tokens", {"login": "fay", "password": "wrong-pass"}, headers=tracy.app_headers)
        assert wrong.status_code == 401
    before = limited.state()
    refused = tracy.post("/v1/access-tokens", {"login": "fay", "password": "password1"}, headers=tracy.app_headers)
    _assert_tracy_429(refused)
    assert limited.state() == before

    # Wrong refresh tokens count against the address (2 more failures here reach its 5).
    for _ in range(PER_ADDRESS - PER_LOGIN):
        assert tracy.post("/v1/access-tokens", {"refreshToken": "x" * 40}, headers={}).status_code == 401
    _assert_tracy_429(tracy.post("/v1/access-tokens", {"refreshToken": "x" * 40}, headers={}))

    # E-mail codes: wrong codes for one e-mail, from another address.
    token_id, code = _request_code(elsewhere, caplog, "fay@example.com")
    for _ in range(PER_LOGIN):
        assert _confirm(elsewhere, token_id, "000000000") != 200
    response = elsewhere.post(f"/v1/email-validation-tokens/{token_id}", {"code": code},
                              headers=elsewhere.app_headers, method="PATCH")
    _assert_tracy_429(response)


def _assert_tracy_429(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    assert body["type"] == "https://tools.ietf.org/html/rfc6585#section-4"
    assert body["traceId"] == response.headers["x-request-id"]
    _retry_after(response.headers)


def test_defaults(storage: SqlStorage, settings: Settings) -> None:
    """The shipped defaults: 10 failures per login (and 30 per address) a minute, in memory."""
    defaults = settings  # the test settings change only the database, folders and Argon2's cost
    assert (defaults.login_rate_per_address, defaults.login_rate_per_login) == ("30/minute", "10/minute")
    services = Services.build(storage, passwords=defaults.passwords, sign_in_limits=sign_in_limits(defaults, storage))
    with TestClient(build_app(defaults, services)) as client:
        qb = QB(client, services, services.apps.create_app(f"defaults-{uuid.uuid4().hex[:8]}"))
        qb.make_user("gil")
        assert [_qb_session(qb, "gil", "wrong-pass") for _ in range(10)] == [401] * 10
        assert _qb_session(qb, "gil", "password1") == 429
        # Successful sign-ins do not count: another user signs in past both limits.
        qb.make_user("hal")
        assert {_qb_session(qb, "hal", "password1") for _ in range(31)} == {201}


def test_disabled(storage: SqlStorage, settings: Settings) -> None:
    off = dataclasses.replace(settings, login_rate_per_address="0", login_rate_per_login="")
    services = Services.build(storage, passwords=settings.passwords, sign_in_limits=sign_in_limits(off, storage))
    with TestClient(build_app(off, services)) as client:
        qb = QB(client, services, services.apps.create_app(f"off-{uuid.uuid4().hex[:8]}"))
        assert {_qb_session(qb, "nobody", "wrong-pass") for _ in range(12)} == {401}


def test_database_counters_are_shared(storage: SqlStorage) -> None:
    """Two workers' stores on one database see one count (SQLite: the side file next to it)."""
    first, second = sql_counter_store(storage.engine), sql_counter_store(storage.engine)
    key = f"test:{uuid.uuid4().hex}"
    assert first.incr(key, 60) == 1 and second.incr(key, 60) == 2
    assert first.get(key) == 2 and first.get_expiry(key) > 0
    second.clear(key)
    assert first.get(key) == 0
    # Any login may be counted there: long, with NUL bytes or lone surrogates (it is stored as a digest).
    limits = SignInLimits(AttemptCounter("5/minute", "1/minute", first))
    odd = "a\x00\ud800" * 500
    limits.failed(1, odd)
    with pytest.raises(RateLimitedError) as refused:
        limits.check(1, odd)
    assert 1 <= refused.value.retry_after <= 60


def test_a_rate_that_does_not_parse_is_a_setting_error() -> None:
    with pytest.raises(SettingError, match="OBJECTBASE_LOGIN_RATE_PER_LOGIN.*10/minute"):
        Settings.from_env({"OBJECTBASE_LOGIN_RATE_PER_LOGIN": "ten a minute"})


def test_counters_out_of_reach_refuse_sign_in_with_503(storage: SqlStorage, settings: Settings) -> None:
    """Closed, not open: a counter store that cannot be reached stops sign-ins, and nothing leaks."""
    nowhere = SqlCounterStore(make_engine("postgresql://postgres@127.0.0.1:1/none"))
    limits = SignInLimits(AttemptCounter("5/minute", "3/minute", nowhere))
    services = Services.build(storage, passwords=settings.passwords, sign_in_limits=limits)
    with TestClient(build_app(settings, services)) as client:
        qb = QB(client, services, services.apps.create_app(f"nowhere-{uuid.uuid4().hex[:8]}"))
        qb.make_user("ivy")
        before = len(qb.events())
        response = client.post("/session.json", json=qb.session_params({"login": "ivy", "password": "password1"}))
        assert response.status_code == 503 and set(response.json()) == {"errors"}
        assert "127.0.0.1" not in response.text and "psycopg" not in response.text
        assert len(qb.events()) == before
