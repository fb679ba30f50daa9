"""Who is asking. Every core operation takes an `Actor` and checks permissions itself."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Actor", "ActorKind"]


class ActorKind(enum.Enum):
    APP = "app"                    # application session: no user, read-only for data
    USER = "user"                  # user session
    ADMIN_KEY = "admin_key"        # API key (or the CLI): the app's administrator, bypasses ACLs
    KEY_FOR_USER = "key_for_user"  # API key acting on behalf of a user: acts as, and is checked as, that user


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    app_id: int
    user_id: int | None = None
    user_tags: frozenset[str] = field(default_factory=frozenset)
    is_app_admin_user: bool = False
    session_id: int | None = None
    session_expires_at: float | None = None
    # The app's schema version at authentication; lets a worker's class cache notice other workers' changes.
    schema_version: int | None = None

    @classmethod
    def admin(cls, app_id: int, schema_version: int | None = None) -> Actor:
        return cls(ActorKind.ADMIN_KEY, app_id, schema_version=schema_version)

    @property
    def bypasses_acl(self) -> bool:
        return self.kind is ActorKind.ADMIN_KEY

    @property
    def acts_as_user(self) -> bool:
        return self.kind in (ActorKind.USER, ActorKind.KEY_FOR_USER)

    @property
    def owner_id(self) -> int:
        """The `user_id` stored on what this actor creates (0: no user, e.g. a bare API key)."""
        return self.user_id or 0
