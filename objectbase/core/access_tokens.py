"""JWT sign-in (the Tracy dialect's access tokens): a short-lived signed access token and a
long-lived, single-use refresh token stored as a digest (contract §2)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.email_codes import usable_code
from objectbase.core.errors import NotFoundError, UnauthenticatedError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.models import RefreshToken
from objectbase.core.query import ast
from objectbase.core.unit_of_work import (
    AppRows, Committing, EmailCodeRows, EventRows, RefreshTokenRows, Storage, UserRows, writes,
)
from objectbase.core.users import LoginCredentials, UserService
from objectbase.security.jwts import InvalidJwtError, decode_jwt, encode_jwt, signing_key, unverified_claims
from objectbase.security.tokens import new_key, token_digest

__all__ = ["ACCESS_TTL_SECONDS", "REFRESH_TTL_SECONDS", "AccessTokenService", "TokenPair"]

ACCESS_TTL_SECONDS = 20 * 60
REFRESH_TTL_SECONDS = 30 * 24 * 3600


class AccessTokenTransaction(Committing, RefreshTokenRows, EmailCodeRows, AppRows, UserRows, EventRows, Protocol):
    """What JWT sign-in reads and writes."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    # When the access token expires.
    expires_at: float


def _invalid(message: str = "The access token is not valid or has expired") -> UnauthenticatedError:
    return UnauthenticatedError(message, code="invalid_token")


class AccessTokenService:
    def __init__(self, storage: Storage[AccessTokenTransaction], users: UserService) -> None:
        self.storage = storage
        self.users = users

    def _issue(self, tx: AccessTokenTransaction, app_id: int, user_id: int, now: float) -> TokenPair:
        app = tx.select_app(app_id)
        if app is None:
            raise _invalid()
        refresh = new_key()
        row = tx.insert_refresh_token(app_id, user_id, token_digest(refresh), now, now + REFRESH_TTL_SECONDS)
        expires = now + ACCESS_TTL_SECONDS
        claims = {"app": app_id, "sub": str(user_id), "rid": row.id, "iat": int(now), "exp": expires}
        return TokenPair(encode_jwt(claims, signing_key(app.auth_secret)), refresh, expires)

    @writes
    def sign_in(self, actor: Actor, login: LoginCredentials, now: float | None = None) -> TokenPair:
        """A token pair for the user with these credentials in the actor's app (the app's key chose it)."""
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            user = self.users.check_credentials(tx, actor.app_id, login)
            pair = self._issue(tx, actor.app_id, user.id, now)
            tx.insert_events([make_event(Actor(ActorKind.USER, actor.app_id, user.id), "access_token.created",
                                         user.id, at=now)])
            tx.touch_user(user.id, now)
        return pair

    @writes
    def sign_in_with_code(self, actor: Actor, code_id: str, now: float | None = None) -> TokenPair:
        """A token pair for the app's user with the e-mail address of this confirmed code (spent here)."""
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            entry, _digest = usable_code(tx, actor.app_id, code_id, now)
            if entry.confirmed_at is None:
                raise ValidationError.single("emailValidationToken", "not_confirmed",
                                             "The e-mail validation token is not confirmed yet.")
            found, _ = tx.select_users(actor.app_id, ast.Compare("email", "eq", entry.email), (), 0, 1)
            if not found:
                raise NotFoundError("No user of the app has this e-mail address", code="user_not_found")
            tx.update_email_code(code_id, used_at=now)
            pair = self._issue(tx, actor.app_id, found[0].id, now)
            tx.insert_events([make_event(Actor(ActorKind.USER, actor.app_id, found[0].id), "access_token.created",
                                         found[0].id, at=now)])
            tx.touch_user(found[0].id, now)
        return pair

    def _live(self, tx: AccessTokenTransaction, refresh_token: str, now: float) -> RefreshToken:
        row = tx.select_refresh_token(digest=token_digest(refresh_token)) if refresh_token else None
        if row is None or row.used_at is not None or row.revoked_at is not None or row.expires_at <= now:
            raise UnauthenticatedError("The refresh token is unknown, expired, revoked or already used",
                                       code="invalid_refresh_token")
        return row

    def refresh(self, refresh_token: str, now: float | None = None) -> TokenPair:
        """A new pair; the refresh token is spent (single use, even when two requests race)."""
        now = time.time() if now is None else now
        # Refresh tokens are unguessable, but a stream of wrong ones is still guessing: the address rule.
        self.users.limits.check(0, "")
        with self.storage.transaction(write=True) as tx:
            try:
                row = self._live(tx, refresh_token, now)
            except UnauthenticatedError:
                self.users.limits.failed(0, "")
                raise
            if not tx.close_refresh_token(row.id, used_at=now):
                raise UnauthenticatedError("The refresh token was already used", code="invalid_refresh_token")
            pair = self._issue(tx, row.app_id, row.user_id, now)
            tx.insert_events([make_event(Actor(ActorKind.USER, row.app_id, row.user_id), "access_token.refreshed",
                                         row.user_id, at=now)])
        return pair

    def revoke(self, refresh_token: str, now: float | None = None) -> None:
        """Sign out: the refresh token, and the access token issued with it, stop working."""
        now = time.time() if now is None else now
        with self.storage.transaction(write=True) as tx:
            row = self._live(tx, refresh_token, now)
            tx.close_refresh_token(row.id, revoked_at=now)
            tx.insert_events([make_event(Actor(ActorKind.USER, row.app_id, row.user_id), "access_token.revoked",
                                         row.user_id, at=now)])

    def authenticate(self, access_token: str, now: float | None = None) -> Actor:
        now = time.time() if now is None else now
        try:
            app_id = unverified_claims(access_token).get("app")
            if not isinstance(app_id, int):
                raise _invalid()
            with self.storage.transaction(write=False) as tx:
                app = tx.select_app(app_id)
                if app is None:
                    raise _invalid()
                claims = decode_jwt(access_token, signing_key(app.auth_secret), now)
                row_id, subject = claims.get("rid"), claims.get("sub")
                row = tx.select_refresh_token(token_id=row_id) if isinstance(row_id, int) else None
                if row is None or row.revoked_at is not None or str(row.user_id) != subject:
                    raise _invalid()
                user = tx.select_user(app_id, row.user_id)
        except InvalidJwtError:
            raise _invalid() from None
        if user is None:
            raise _invalid()
        return Actor(ActorKind.USER, app_id, user.id, frozenset(user.tags), is_app_admin_user=user.is_admin,
                     schema_version=app.schema_version)
