"""API keys: `Authorization: ApiKey <key>`, optionally acting on behalf of a user."""

from __future__ import annotations

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import FieldError, UnauthenticatedError, ValidationError
from objectbase.core.unit_of_work import Storage
from objectbase.security.tokens import token_digest

__all__ = ["KeyService"]


class KeyService:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def authenticate_key(self, key: str, on_behalf_of: str | None = None) -> Actor:
        # Looked up by digest: an index lookup, with no comparison of secrets in Python.
        with self.storage.transaction(write=False) as tx:
            api_key = tx.select_api_key(token_digest(key))
            if api_key is None:
                raise UnauthenticatedError("The API key is not valid", code="bad_api_key")
            if on_behalf_of in (None, ""):
                return Actor.admin(api_key.app_id, api_key.schema_version)
            if not on_behalf_of.strip().isdigit():
                raise ValidationError({"on_behalf_of": [FieldError("invalid", "must be a user id")]}, code="bad_acting_user")
            user = tx.select_user(api_key.app_id, int(on_behalf_of))
            if user is None:
                raise UnauthenticatedError("The user to act on behalf of does not exist", code="unknown_user")
            return Actor(ActorKind.KEY_FOR_USER, api_key.app_id, user.id, frozenset(user.tags),
                         is_app_admin_user=user.is_admin, schema_version=api_key.schema_version)
