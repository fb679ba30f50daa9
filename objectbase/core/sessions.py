"""Sessions: created by a verified request of an application, optionally for a user.

The dialect parses its wire format and knows its signature scheme; the core gets plain values and a
`proof` it asks, with the app's secret, whether the request was signed by someone who knows it."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import NeedUserError, PermissionDeniedError, SessionMissingError, UnauthenticatedError
from objectbase.core.events import make_event
from objectbase.core.models import Session, User
from objectbase.core.unit_of_work import AppRows, Committing, EventRows, SessionRows, Storage, UserRows, writes
from objectbase.core.users import LoginCredentials, UserService
from objectbase.security.tokens import constant_time_equal, new_hex_token, token_digest

__all__ = ["NewSession", "SessionRequest", "SessionService", "SessionTransaction"]

# A signed request is accepted within an hour of the server's clock, either way.
TIMESTAMP_WINDOW_SECONDS = 3600
# A session's expiry is pushed forward at most once a minute, so reads stay reads.
_TOUCH_EVERY_SECONDS = 60


class SessionTransaction(Committing, SessionRows, AppRows, UserRows, EventRows, Protocol):
    """What sessions read and write."""



@dataclass(frozen=True)
class SessionRequest:
    """A request for a session, as a dialect read it."""

    app_id: int
    auth_key: str
    nonce: int
    timestamp: int
    # Told the app's secret, answers whether the request's signature is valid.
    proof: Callable[[str], bool]
    login: LoginCredentials | None = None


@dataclass(frozen=True)
class NewSession:
    session: Session
    token: str
    user: User | None


class SessionService:
    def __init__(self, storage: Storage[SessionTransaction], users: UserService, ttl_seconds: int) -> None:
        self.storage = storage
        self.users = users
        self.ttl = ttl_seconds

    def create_session(self, request: SessionRequest, now: float | None = None) -> NewSession:
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            app = tx.select_app(request.app_id)
            if app is None or not constant_time_equal(app.auth_key, request.auth_key):
                raise UnauthenticatedError("The application or its key is unknown", code="unknown_application")
            if not request.proof(app.auth_secret):
                raise UnauthenticatedError("The request's signature is not valid", code="invalid_signature")
            if abs(now - request.timestamp) > TIMESTAMP_WINDOW_SECONDS:
                raise UnauthenticatedError("The request's timestamp is more than an hour from the server's clock",
                                           code="stale_timestamp")
            if not tx.insert_nonce(app.id, request.nonce, request.timestamp, now):
                raise UnauthenticatedError("The request's nonce and timestamp were already used",
                                           code="reused_nonce")
            user = self.users.check_credentials(tx, app.id, request.login) if request.login else None
            token = new_hex_token()
            session = tx.insert_session(app.id, token_digest(token), user.id if user else None, request.nonce,
                                        request.timestamp, now, now + self.ttl)
            actor = Actor(ActorKind.USER if user else ActorKind.APP, app.id, user.id if user else None)
            tx.insert_events([make_event(actor, "session.created", session.id, new={"user_id": session.user_id},
                                         at=now)])
            if user:
                tx.touch_user(user.id, now)
        return NewSession(session, token, user)

    @writes
    def open_session(self, actor: Actor, login: LoginCredentials, *, admin_only: bool = False,
                     now: float | None = None) -> NewSession:
        """A session of the user with these credentials, in the actor's app, for dialects whose clients
        do not sign requests: the actor is whoever the app's key made it (`Services.run`).
        `admin_only`: only users flagged admin may open it (anyone else gets the wrong-password answer)."""
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            user = self.users.check_credentials(tx, actor.app_id, login)
            if admin_only and not user.is_admin:
                raise UnauthenticatedError("The login or password is wrong", code="invalid_credentials")
            token = new_hex_token()
            # Unsigned: no nonce or timestamp to remember (0 marks that, as the columns need a value).
            session = tx.insert_session(actor.app_id, token_digest(token), user.id, 0, 0, now, now + self.ttl)
            user_actor = Actor(ActorKind.USER, actor.app_id, user.id)
            tx.insert_events([make_event(user_actor, "session.created", session.id, new={"user_id": user.id},
                                         at=now)])
            tx.touch_user(user.id, now)
        return NewSession(session, token, user)

    def refresh_session(self, token: str, *, admin_only: bool = False, now: float | None = None) -> NewSession:
        """Push a user session's expiry a full lifetime forward; the token stays the same.
        `admin_only`: the session must be of a user flagged admin."""
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            session = self._load(tx, token, now)
            user = tx.select_user(session.app_id, session.user_id) if session.user_id else None
            if user is None:
                raise NeedUserError()
            if admin_only and not user.is_admin:
                raise PermissionDeniedError("The session's user is not an administrator", code="admin_only")
            session = dataclasses.replace(session, expires_at=now + self.ttl, updated_at=now)
            self._touch(tx, session, session.expires_at, now)
        return NewSession(session, token, user)

    def _load(self, tx: SessionTransaction, token: str, now: float) -> Session:
        session = tx.select_session(token_digest(token)) if token else None
        if session is None or session.expires_at < now:
            raise SessionMissingError()
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
    def _touch(tx: SessionTransaction, session: Session, expires_at: float, now: float) -> None:
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
    def login(self, actor: Actor, credentials: LoginCredentials) -> User:
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
            raise NeedUserError()
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            tx.update_session(session_id, expires_at=now + self.ttl, now=now, user_id=None)
            tx.insert_events([make_event(actor, "session.logout", session_id, old={"user_id": actor.user_id},
                                         at=now)])

    @staticmethod
    def _require_session(actor: Actor) -> int:
        if actor.session_id is None:
            raise SessionMissingError()
        return actor.session_id
