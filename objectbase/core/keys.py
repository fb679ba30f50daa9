"""API keys: `Authorization: ApiKey <key>`, optionally acting on behalf of a user."""

from __future__ import annotations

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import UnauthenticatedError
from objectbase.core.unit_of_work import Storage
from objectbase.security.tokens import token_digest

__all__ = ["KeyService"]


class KeyService:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def authenticate_key(self, key: str, on_behalf_of: int | None = None) -> Actor:
        """The app's administrator, or with `on_behalf_of` that user of the app (checked as that user)."""
        # Looked up by digest: an index lookup, with no comparison of secrets in Python.
        with self.storage.transaction(write=False) as tx:
            api_key = tx.select_api_key(token_digest(key))
            if api_key is None:
                raise UnauthenticatedError("Unauthorized", code="bad_api_key")
            if on_behalf_of is None:
                return Actor.admin(api_key.app_id, api_key.schema_version)
            user = tx.select_user(api_key.app_id, on_behalf_of)
            if user is None:
                raise UnauthenticatedError("The key acts for an unknown user", code="unknown_user")
            return Actor(ActorKind.KEY_FOR_USER, api_key.app_id, user.id, frozenset(user.tags),
                         is_app_admin_user=user.is_admin, schema_version=api_key.schema_version)
