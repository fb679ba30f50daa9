"""The dashboard's people: operators (server-level superusers, created from the command line) and
the admin users of an app, and their dashboard sessions.

An operator is an administrator of every app; an app's admin user signed in to the dashboard is an
administrator of that app only. Either way the dashboard then calls the core as `actor_for(token,
app_id)`, so every permission stays the core's. Sessions are stored as digests, like API sessions,
so every worker sees a sign-out at once."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.apps import AppCredentials, AppService
from objectbase.core.errors import ConflictError, NotFoundError, PermissionDeniedError, SessionMissingError, \
    UnauthenticatedError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.models import App, DashboardSession, Operator
from objectbase.core.storable import check_storable
from objectbase.core.unit_of_work import AppRows, Committing, EventRows, OperatorRows, Storage, UserRows
from objectbase.core.users import LoginCredentials, UserService, password_too_short
from objectbase.security.tokens import new_hex_token, token_digest

__all__ = ["DashboardSignIn", "OperatorService", "OperatorTransaction"]

log = logging.getLogger(__name__)

# The app id operators' failed sign-ins are counted under (no app has id 0).
_OPERATORS = 0
_LOGIN_MAX = 100


class OperatorTransaction(Committing, OperatorRows, AppRows, UserRows, EventRows, Protocol):
    """What operators and dashboard sessions read and write."""


@dataclass(frozen=True)
class DashboardSignIn:
    token: str
    session: DashboardSession


class OperatorService:
    def __init__(self, storage: Storage[OperatorTransaction], users: UserService, apps: AppService,
                 ttl_seconds: int) -> None:
        self.storage = storage
        self.users = users
        self.apps = apps
        self.ttl = ttl_seconds

    # -- operators (the command line) ------------------------------------------------------------
    def create_operator(self, login: str, password: str) -> Operator:
        login = login.strip()
        if not login or len(login) > _LOGIN_MAX:
            raise ValidationError.single("login", "invalid", f"A login is 1 to {_LOGIN_MAX} characters")
        check_storable("login", login)
        check_storable("password", password)
        if len(password) < 8:
            raise password_too_short()
        with self.storage.transaction(write=True) as tx:
            operator = tx.insert_operator(login, self.users.passwords.hash(password), time.time())
        if operator is None:
            raise ConflictError(f"An operator with login {login!r} already exists", code="login_taken")
        return operator

    def list_operators(self) -> list[Operator]:
        with self.storage.transaction(write=False) as tx:
            return tx.select_operators()

    def delete_operator(self, login: str) -> None:
        """Delete the operator and end its dashboard sessions."""
        with self.storage.transaction(write=True) as tx:
            operator = tx.select_operator(login.strip())
            if operator is None:
                raise NotFoundError(f"No operator has login {login!r}", code="operator_not_found")
            tx.delete_operator(operator.id)

    # -- dashboard sessions ------------------------------------------------------------------------
    def sign_in(self, login: str, password: str, app_id: int | None = None,
                now: float | None = None) -> DashboardSignIn:
        """An operator's session (`app_id` None) or the session of an admin user of app `app_id`.
        A wrong login, password, or a user who is not an admin all get the same answer."""
        now = time.time() if now is None else now
        check_storable("login", login)
        check_storable("password", password)
        with self.storage.transaction(write=True) as tx:
            if app_id is None:
                operator = self._check_operator(tx, login.strip(), password)
                token = new_hex_token()
                session_id = tx.insert_dashboard_session(token_digest(token), operator_id=operator.id, app_id=None,
                                                         user_id=None, now=now, expires_at=now + self.ttl)
                session = DashboardSession(session_id, operator.login, operator.id, None, None, now, now + self.ttl)
            else:
                if tx.select_app(app_id) is None:
                    # Counted and answered like a wrong password: app ids are not to be probed.
                    self.users.limits.check(app_id, login)
                    self.users.limits.failed(app_id, login)
                    raise UnauthenticatedError("The login or password is wrong", code="invalid_credentials")
                user = self.users.check_credentials(tx, app_id, LoginCredentials(login=login, password=password))
                if not user.is_admin:
                    raise UnauthenticatedError("The login or password is wrong", code="invalid_credentials")
                token = new_hex_token()
                session_id = tx.insert_dashboard_session(token_digest(token), operator_id=None, app_id=app_id,
                                                         user_id=user.id, now=now, expires_at=now + self.ttl)
                session = DashboardSession(session_id, user.login or user.email or "", None, app_id, user.id, now,
                                           now + self.ttl)
                actor = Actor(ActorKind.USER, app_id, user.id)
                tx.insert_events([make_event(actor, "session.created", f"dashboard:{session_id}",
                                             new={"user_id": user.id, "dashboard": True}, at=now)])
        return DashboardSignIn(token, session)

    def _check_operator(self, tx: OperatorTransaction, login: str, password: str) -> Operator:
        limits = self.users.limits
        limits.check(_OPERATORS, login)
        operator = tx.select_operator(login) if login else None
        # Verify even when no operator matched, so the answer takes as long either way.
        if self.users.passwords.verify(operator.password_hash if operator else None, password) and operator:
            return operator
        limits.failed(_OPERATORS, login)
        raise UnauthenticatedError("The login or password is wrong", code="invalid_credentials")

    def session(self, token: str, now: float | None = None) -> DashboardSession:
        """The signed-in session of this token (SessionMissingError when none, expired or signed out)."""
        now = time.time() if now is None else now
        with self.storage.transaction(write=False) as tx:
            found = tx.select_dashboard_session(token_digest(token)) if token else None
            if found is not None and found.user_id is not None and found.app_id is not None:
                # An admin user made a plain user is signed out of the dashboard at once.
                user = tx.select_user(found.app_id, found.user_id)
                found = found if user is not None and user.is_admin else None
        if found is None or found.expires_at < now:
            raise SessionMissingError()
        return found

    def sign_out(self, token: str) -> None:
        with self.storage.transaction(write=True) as tx:
            tx.delete_dashboard_session(token_digest(token))

    def visible_apps(self, token: str) -> list[App]:
        """The apps this session may manage: every app for an operator, its own for an app admin."""
        session = self.session(token)
        with self.storage.transaction(write=False) as tx:
            if session.operator_id is not None:
                return tx.select_apps()
            app = tx.select_app(session.app_id) if session.app_id is not None else None
            return [app] if app else []

    # -- apps (a superuser's only: an app admin manages one app, never the list) ---------------------
    def _require_operator(self, token: str) -> DashboardSession:
        session = self.session(token)
        if session.operator_id is None:
            raise PermissionDeniedError("Only a superuser can create or delete apps", code="operator_only")
        return session

    def create_app(self, token: str, name: str) -> AppCredentials:
        session = self._require_operator(token)
        return self.apps.create_app(name, operator=session.login)

    def delete_app(self, token: str, app_id: int) -> None:
        """Delete the app and all its data; an app admin is refused even for their own app. The
        app's history goes with it, so the server log keeps who deleted it."""
        session = self._require_operator(token)
        self.apps.delete_app(app_id)
        log.info("app %d deleted by the superuser %s", app_id, session.login)

    def actor_for(self, token: str, app_id: int) -> Actor:
        """The administrator actor of app `app_id` for this dashboard session. An app the session may
        not see is answered as missing (NotFoundError), like an app that does not exist."""
        session = self.session(token)
        with self.storage.transaction(write=False) as tx:
            app = tx.select_app(app_id)
            if app is None or (session.operator_id is None and session.app_id != app_id):
                raise NotFoundError("No such application", code="app_not_found")
            # An admin user acts as the app's administrator, and its events name it.
            return Actor(ActorKind.ADMIN_KEY, app_id, session.user_id, schema_version=app.schema_version)
