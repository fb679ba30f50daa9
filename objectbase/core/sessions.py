"""Sessions: created with a signed request (application credentials), optionally for a user."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import (
    FieldError, PermissionDeniedError, UnauthenticatedError, ValidationError,
)
from objectbase.core.events import make_event
from objectbase.core.models import Session, User
from objectbase.core.unit_of_work import Storage, Transaction, writes
from objectbase.core.users import UserService
from objectbase.security.signatures import verify_signature
from objectbase.security.tokens import constant_time_equal, new_hex_token, token_digest

__all__ = ["NewSession", "SessionService"]

# A signed request is accepted within an hour of the server's clock, either way.
TIMESTAMP_WINDOW_SECONDS = 3600
# A session's expiry is pushed forward at most once a minute, so reads stay reads.
_TOUCH_EVERY_SECONDS = 60
SESSION_MISSING = "Required session does not exist"


@dataclass(frozen=True)
class NewSession:
    session: Session
    token: str
    user: User | None


def _base_error(message: str, code: str) -> ValidationError:
    return ValidationError({"base": [FieldError(code, message)]}, message, code=code)


def _int_param(params: Mapping[str, Any], name: str) -> int:
    value = params.get(name)
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.lstrip("-").isdigit():
        raise ValidationError.single(name, "invalid" if value not in (None, "") else "blank",
                                     "is invalid" if value not in (None, "") else "can't be blank")
    return int(text)


class SessionService:
    def __init__(self, storage: Storage, users: UserService, ttl_seconds: int) -> None:
        self.storage = storage
        self.users = users
        self.ttl = ttl_seconds

    def create_session(self, params: Mapping[str, Any], now: float | None = None) -> NewSession:
        """`params` are the request's parameters as sent (one nesting level, e.g. `user[login]`)."""
        now = time.time() if now is None else now
        app_id = _int_param(params, "application_id")
        nonce = _int_param(params, "nonce")
        timestamp = _int_param(params, "timestamp")
        auth_key, signature = params.get("auth_key"), params.get("signature")
        if not isinstance(auth_key, str) or not auth_key:
            raise ValidationError.single("auth_key", "blank", "can't be blank")
        if not isinstance(signature, str) or not signature:
            raise ValidationError.single("signature", "blank", "can't be blank")
        credentials = params.get("user")
        if credentials is not None and not isinstance(credentials, Mapping):
            raise ValidationError.single("user", "invalid", "must hold login or email and password")
        if any(key in params for key in ("provider", "firebase_phone")):
            raise _base_error("Only login/email and password sessions are supported", "unsupported_provider")
        with self.storage.transaction(write=True) as tx:
            app = tx.select_app(app_id)
            if app is None or not constant_time_equal(app.auth_key, auth_key):
                raise _base_error("Unknown application or auth_key", "unknown_application")
            if not verify_signature(params, app.auth_secret, signature):
                raise _base_error("Unexpected signature", "invalid_signature")
            if abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS:
                raise _base_error("Unexpected timestamp: it must be within an hour of the server's time",
                                  "stale_timestamp")
            if not tx.insert_nonce(app.id, nonce, timestamp, now):
                raise _base_error("Unexpected nonce: this nonce and timestamp were already used", "reused_nonce")
            user = self.users.check_credentials(tx, app.id, credentials) if credentials else None
            token = new_hex_token()
            session = tx.insert_session(app.id, token_digest(token), user.id if user else None, nonce,
                                        timestamp, now, now + self.ttl)
            actor = Actor(ActorKind.USER if user else ActorKind.APP, app.id, user.id if user else None)
            tx.insert_events([make_event(actor, "session.created", session.id, new={"user_id": session.user_id},
                                         at=now)])
            if user:
                tx.touch_user(user.id, now)
        return NewSession(session, token, user)

    def _load(self, tx: Transaction, token: str, now: float) -> Session:
        session = tx.select_session(token_digest(token)) if token else None
        if session is None or session.expires_at < now:
            raise UnauthenticatedError(SESSION_MISSING, code="session_missing")
        return session

    def authenticate_token(self, token: str, now: float | None = None) -> tuple[Actor, Session]:
        now = time.time() if now is None else now
        with self.storage.transaction(write=False) as tx:
            session = self._load(tx, token, now)
            expires_at = session.expires_at
            if now - session.updated_at > _TOUCH_EVERY_SECONDS:
                expires_at = now + self.ttl
                if tx.writes:
                    self._touch(tx, session, expires_at, now)
                else:
                    # A read stays a read: the expiry moves on in a short write after it commits.
                    tx.after_commit(lambda: self._touch_later(session, expires_at, now))
        if session.user_id is None:
            actor = Actor(ActorKind.APP, session.app_id, session_id=session.id,
                          session_expires_at=expires_at, schema_version=session.schema_version)
        else:
            actor = Actor(ActorKind.USER, session.app_id, session.user_id, frozenset(session.user_tags),
                          is_app_admin_user=session.user_is_admin, session_id=session.id,
                          session_expires_at=expires_at, schema_version=session.schema_version)
        return actor, session

    @staticmethod
    def _touch(tx: Transaction, session: Session, expires_at: float, now: float) -> None:
        tx.update_session(session.id, expires_at=expires_at, now=now)
        if session.user_id:
            tx.touch_user(session.user_id, now)

    def _touch_later(self, session: Session, expires_at: float, now: float) -> None:
        with self.storage.transaction(write=True) as tx:
            self._touch(tx, session, expires_at, now)

    @writes
    def destroy_session(self, actor: Actor) -> None:
        session_id = self._require_session(actor)
        with self.storage.transaction(write=True) as tx:
            tx.delete_session(session_id)
            tx.insert_events([make_event(actor, "session.deleted", session_id)])

    @writes
    def login(self, actor: Actor, credentials: Mapping[str, Any]) -> User:
        """Turn the actor's session into a session of the user with these credentials."""
        session_id = self._require_session(actor)
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            user = self.users.check_credentials(tx, actor.app_id, credentials)
            tx.update_session(session_id, expires_at=now + self.ttl, now=now, user_id=user.id)
            tx.touch_user(user.id, now)
            tx.insert_events([make_event(actor, "session.login", session_id, new={"user_id": user.id}, at=now)])
        return user

    @writes
    def logout(self, actor: Actor) -> None:
        session_id = self._require_session(actor)
        if actor.kind is not ActorKind.USER:
            raise PermissionDeniedError("Forbidden. Need user.", code="need_user")
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            tx.update_session(session_id, expires_at=now + self.ttl, now=now, user_id=None)
            tx.insert_events([make_event(actor, "session.logout", session_id, old={"user_id": actor.user_id},
                                         at=now)])

    @staticmethod
    def _require_session(actor: Actor) -> int:
        if actor.session_id is None:
            raise UnauthenticatedError(SESSION_MISSING, code="session_missing")
        return actor.session_id
