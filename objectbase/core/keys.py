"""API keys: `Authorization: ApiKey <key>`, optionally acting on behalf of a user."""

from __future__ import annotations

from typing import Protocol

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import UnauthenticatedError
from objectbase.core.storable import INT64_MAX, INT64_MIN
from objectbase.core.unit_of_work import AppRows, Storage, UserRows
from objectbase.security.tokens import constant_time_equal, token_digest

__all__ = ["KeyService"]



class KeyTransaction(AppRows, UserRows, Protocol):
    """What authenticating a key reads."""


class KeyService:
    def __init__(self, storage: Storage[KeyTransaction]) -> None:
        self.storage = storage

    def authenticate_key(self, key: str, on_behalf_of: int | None = None) -> Actor:
        """The app's administrator, or with `on_behalf_of` that user of the app (checked as that user)."""
        # Looked up by digest: an index lookup, with no comparison of secrets in Python.
        with self.storage.transaction(write=False) as tx:
            api_key = tx.select_api_key(token_digest(key))
            if api_key is None:
                raise UnauthenticatedError("The API key is not valid", code="bad_api_key")
            if on_behalf_of is None:
                return Actor.admin(api_key.app_id, api_key.schema_version)
            # An id past 64 bits names no user (and is not sent to the database).
            user = tx.select_user(api_key.app_id, on_behalf_of) if INT64_MIN <= on_behalf_of <= INT64_MAX else None
            if user is None:
                raise UnauthenticatedError("The user to act on behalf of does not exist", code="unknown_user")
            return Actor(ActorKind.KEY_FOR_USER, api_key.app_id, user.id, frozenset(user.tags),
                         is_app_admin_user=user.is_admin, schema_version=api_key.schema_version)

    def authenticate_app_key(self, app_key: str) -> Actor:
        """A public app key: the application itself (no user), or the admin if it is the app's API key."""
        with self.storage.transaction(write=False) as tx:
            api_key = tx.select_api_key(token_digest(app_key))
            if api_key is not None:
                return Actor.admin(api_key.app_id, api_key.schema_version)
            app = tx.select_app_by_auth_key(app_key)
            if app is None or not constant_time_equal(app.auth_key, app_key):
                raise UnauthenticatedError("Unknown application key", code="unknown_application")
            return Actor(ActorKind.APP, app.id, schema_version=app.schema_version)
