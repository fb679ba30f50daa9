"""Applications: one app is one tenant with its own users, classes, records and credentials."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Protocol

from objectbase.core.actor import Actor
from objectbase.core.events import make_event
from objectbase.core.unit_of_work import AppRows, Committing, EventRows, Storage
from objectbase.security.tokens import new_key, token_digest

__all__ = ["AppCredentials", "AppService"]

_ALPHANUMERIC = string.ascii_letters + string.digits


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


@dataclass(frozen=True)
class AppCredentials:
    app_id: int
    auth_key: str
    auth_secret: str
    account_key: str
    # Shown once, stored only as a digest.
    api_key: str



class AppTransaction(Committing, AppRows, EventRows, Protocol):
    """What the app service writes."""


class AppService:
    def __init__(self, storage: Storage[AppTransaction]) -> None:
        self.storage = storage

    def create_app(self, name: str) -> AppCredentials:
        """Operator-only (the CLI): there is no actor yet, the app is what actors belong to."""
        now = time.time()
        api_key = new_key()
        with self.storage.transaction(write=True) as tx:
            app = tx.insert_app(name, _random_text(16), _random_text(16), _random_text(20), now)
            tx.insert_api_key(app.id, token_digest(api_key), now)
            tx.insert_events([make_event(Actor.admin(app.id), "app.created", app.id, new={"name": name}, at=now)])
        return AppCredentials(app.id, app.auth_key, app.auth_secret, app.account_key, api_key)
