"""A1–A3: sign-in with a nine-digit code sent to an e-mail address (written to the server log when
no mail server is configured): 15 minutes, 5 tries, single use, stored as a digest."""

from __future__ import annotations

import logging
import re
import time

import pytest
import sqlalchemy

from objectbase.core.errors import NotFoundError
from objectbase.storage.system_tables import email_codes
from tests.api.tracy.conftest import Tracy
from tests.api.tracy.problems import assert_problem
from tests.api.tracy.seed_schemas import assert_valid
from tests.api.tracy.test_access_tokens import TIMESTAMP


def _request_code(tracy: Tracy, caplog: pytest.LogCaptureFixture, email: str) -> tuple[str, str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="objectbase.core.email_codes"):
        response = tracy.post("/v1/email-validation-tokens", {"email": email}, headers=tracy.app_headers)
    assert response.status_code == 200, response.text
    token = response.json()
    assert_valid(token, "EmailValidationToken")
    assert token["email"] == email and token["isConfirmed"] is False and TIMESTAMP.match(token["created"])
    (record,) = [r for r in caplog.records if r.name == "objectbase.core.email_codes"]
    code = str(record.args[2]) if isinstance(record.args, tuple) else ""
    assert re.fullmatch(r"\d{9}", code) and email in record.getMessage()
    return str(token["id"]), code


def _confirm(tracy: Tracy, token_id: str, code: str) -> int:
    response = tracy.post(f"/v1/email-validation-tokens/{token_id}", {"code": code}, headers=tracy.app_headers,
                          method="PATCH")
    if response.status_code == 200:
        assert response.json()["isConfirmed"] is True
    return response.status_code


def _exchange(tracy: Tracy, token_id: str) -> dict[str, str]:
    response = tracy.post("/v1/access-tokens", {"emailValidationToken": {"id": token_id}}, headers=tracy.app_headers)
    if response.status_code != 200:
        return {"status": str(response.status_code)}
    body: dict[str, str] = response.json()
    return body


def test_code_sign_in(tracy: Tracy, caplog: pytest.LogCaptureFixture) -> None:
    user_id = tracy.qb.make_user("ann", email="ann@example.com")
    token_id, code = _request_code(tracy, caplog, "ann@example.com")
    with tracy.qb.services.storage.transaction(write=False) as tx:
        conn: sqlalchemy.Connection = tx.conn  # type: ignore[attr-defined]
        (stored,) = conn.execute(sqlalchemy.select(email_codes).where(email_codes.c.id == token_id)).all()
    assert code not in stored.code_digest and stored.expires_at == pytest.approx(time.time() + 900, abs=10)
    assert _exchange(tracy, token_id) == {"status": "400"}  # not confirmed yet
    wrong = "000000000" if code != "000000000" else "111111111"
    assert _confirm(tracy, token_id, wrong) == 400
    assert _confirm(tracy, token_id, code) == 200
    pair = _exchange(tracy, token_id)
    assert isinstance(pair, dict) and "accessToken" in pair
    me = tracy.get(f"/v1/users/{user_id}", headers={"Authorization": f"Bearer {pair['accessToken']}"})
    assert me.status_code == 200
    assert _exchange(tracy, token_id) == {"status": "404"}  # single use


def test_five_wrong_tries_void_the_token(tracy: Tracy, caplog: pytest.LogCaptureFixture) -> None:
    tracy.qb.make_user("ann", email="ann@example.com")
    token_id, code = _request_code(tracy, caplog, "ann@example.com")
    wrong = "000000000" if code != "000000000" else "111111111"
    assert [_confirm(tracy, token_id, wrong) for _ in range(5)] == [400] * 5
    assert _confirm(tracy, token_id, code) == 404


def test_unknown_address_and_unknown_token(tracy: Tracy, caplog: pytest.LogCaptureFixture) -> None:
    token_id, code = _request_code(tracy, caplog, "nobody@example.com")
    assert _confirm(tracy, token_id, code) == 200
    assert _exchange(tracy, token_id) == {"status": "404"}
    assert _confirm(tracy, "0" * 36, code) == 404
    assert _exchange(tracy, "x" * 37) == {"status": "404"}


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "a b@c.de", "x" * 250 + "@example.com"])
def test_bad_address_is_400_and_stores_nothing(tracy: Tracy, email: str) -> None:
    events = len(tracy.qb.events())
    response = tracy.post("/v1/email-validation-tokens", {"email": email}, headers=tracy.app_headers)
    assert_problem(response, 400, "email")
    assert len(tracy.qb.events()) == events


def test_a_code_expires_after_15_minutes(tracy: Tracy) -> None:
    core = tracy.qb.services
    actor = core.keys.authenticate_app_key(tracy.qb.credentials.auth_key)
    sent: list[str] = []
    original = core.email_codes.send_code
    core.email_codes.send_code = lambda app_id, email, code: sent.append(code)
    try:
        now = time.time()
        entry = core.email_codes.create_code(actor, "ann@example.com", now=now)
    finally:
        core.email_codes.send_code = original
    with pytest.raises(NotFoundError):
        core.email_codes.confirm_code(actor, entry.id, sent[0], now=now + 15 * 60 + 1)
    assert core.email_codes.confirm_code(actor, entry.id, sent[0], now=now + 15 * 60 - 1).confirmed
