"""Sessions through the core's typed request: the dialect's proof decides the signature, the core the rest."""

from __future__ import annotations

import time

import pytest

from objectbase.core.errors import UnauthenticatedError, ValidationError
from objectbase.core.sessions import SessionRequest
from objectbase.core.users import LoginCredentials, UserChanges
from tests.conftest import QB


def _request(qb: QB, proof: object = None, **overrides: object) -> SessionRequest:
    qb._nonce += 1
    values: dict[str, object] = {"app_id": qb.app_id, "auth_key": qb.credentials.auth_key, "nonce": qb._nonce,
                                 "timestamp": int(time.time()),
                                 "proof": proof or (lambda secret: secret == qb.credentials.auth_secret)}
    values.update(overrides)
    return SessionRequest(**values)  # type: ignore[arg-type]


def test_the_proof_is_asked_with_the_apps_secret(qb: QB) -> None:
    asked: list[str] = []

    def proof(secret: str) -> bool:
        asked.append(secret)
        return True
    new = qb.services.sessions.create_session(_request(qb, proof))
    assert asked == [qb.credentials.auth_secret]
    assert new.user is None and new.session.app_id == qb.app_id


@pytest.mark.parametrize(("overrides", "code"), [
    ({"proof": lambda secret: False}, "invalid_signature"),
    ({"auth_key": "wrong"}, "unknown_application"),
    ({"timestamp": int(time.time()) - 7200}, "stale_timestamp"),
])
def test_refused_requests_have_neutral_codes_and_write_nothing(qb: QB, overrides: dict[str, object],
                                                               code: str) -> None:
    before = len(qb.events())
    with pytest.raises(UnauthenticatedError) as raised:
        qb.services.sessions.create_session(_request(qb, **overrides))
    assert raised.value.code == code
    assert "Unexpected" not in raised.value.message  # QuickBlox's wording lives in its error table
    assert len(qb.events()) == before


def test_a_nonce_is_single_use(qb: QB) -> None:
    request = _request(qb)
    qb.services.sessions.create_session(request)
    with pytest.raises(UnauthenticatedError) as raised:
        qb.services.sessions.create_session(request)
    assert raised.value.code == "reused_nonce"


def test_login_credentials_by_login_or_email(qb: QB) -> None:
    user_id = qb.make_user("frank", email="frank@example.com")
    by_login = qb.services.sessions.create_session(_request(qb, login=LoginCredentials("password1", login="frank")))
    by_email = qb.services.sessions.create_session(
        _request(qb, login=LoginCredentials("password1", email="frank@example.com")))
    assert by_login.user is not None and by_login.user.id == user_id
    assert by_email.user is not None and by_email.user.id == user_id
    with pytest.raises(UnauthenticatedError) as raised:
        qb.services.sessions.create_session(_request(qb, login=LoginCredentials("wrong-one", login="frank")))
    assert raised.value.code == "invalid_credentials"


def test_a_new_password_needs_the_current_one(qb: QB) -> None:
    user_id = qb.make_user("gina")
    actor, _ = qb.services.sessions.authenticate_token(qb.token("gina"))
    with pytest.raises(ValidationError) as raised:
        qb.services.users.update_user(actor, user_id, UserChanges(password="newpassword", current_password="nope"))
    assert set(raised.value.field_errors) == {"current_password"}
    qb.services.users.update_user(actor, user_id, UserChanges(password="newpassword", current_password="password1"))
    assert qb.token("gina", "newpassword")
