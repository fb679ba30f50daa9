"""Applications: one app is one tenant with its own users, classes, records and credentials."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Callable, Literal, Protocol, get_args

from objectbase.core.actor import Actor
from objectbase.core.errors import NotFoundError, ValidationError
from objectbase.core.events import make_event
from objectbase.core.storable import check_storable
from objectbase.core.unit_of_work import AppRows, ClassRows, Committing, EventRows, Storage, writes
from objectbase.core.workflow import require_admin
from objectbase.security.tokens import new_key, token_digest

__all__ = ["AppCredentials", "AppKey", "AppService", "AppTransaction", "OnAppDelete"]

_ALPHANUMERIC = string.ascii_letters + string.digits
_NAME_MAX = 200

# The credentials an app's administrator may replace (`rotate_key`).
AppKey = Literal["auth_key", "auth_secret", "api_key"]
APP_KEYS: tuple[AppKey, ...] = get_args(AppKey)


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


class AppTransaction(Committing, AppRows, ClassRows, EventRows, Protocol):
    """What the app service writes."""


# Runs inside the transaction that deletes app `app_id` (e.g. to delete its files after commit).
OnAppDelete = Callable[[Committing, int], None]


def _checked_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= _NAME_MAX:
        raise ValidationError.single("name", "invalid", f"is 1 to {_NAME_MAX} characters")
    return str(check_storable("name", name))


class AppService:
    def __init__(self, storage: Storage[AppTransaction]) -> None:
        self.storage = storage
        self.on_delete: list[OnAppDelete] = []

    def create_app(self, name: str, operator: str | None = None) -> AppCredentials:
        """Operator-only (the CLI, a superuser's dashboard): there is no actor yet, the app is what
        actors belong to. `operator`: the superuser's login, kept in the `app.created` event."""
        name = _checked_name(name)
        created = {"name": name} if operator is None else {"name": name, "operator": operator}
        now = time.time()
        api_key = new_key()
        with self.storage.transaction(write=True) as tx:
            app = tx.insert_app(name, _random_text(16), _random_text(16), _random_text(20), now)
            tx.insert_api_key(app.id, token_digest(api_key), now)
            tx.insert_events([make_event(Actor.admin(app.id), "app.created", app.id, new=created, at=now)])
        return AppCredentials(app.id, app.auth_key, app.auth_secret, app.account_key, api_key)

    @writes
    def rotate_key(self, actor: Actor, key: str) -> str:
        """Replace one credential of the actor's app and return the new value (the API key: shown
        only now, stored as a digest). The old one stops working when this commits; the event names
        which key changed, never a value."""
        require_admin(actor)
        if key not in APP_KEYS:
            raise ValidationError.single("key", "invalid", f"is one of {', '.join(APP_KEYS)}")
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            if tx.select_app(actor.app_id) is None:
                raise NotFoundError("No such application", code="app_not_found")
            if key == "api_key":
                value = new_key()
                tx.delete_api_keys(actor.app_id)
                tx.insert_api_key(actor.app_id, token_digest(value), now)
            else:
                value = _random_text(16)
                tx.update_app_key(actor.app_id, key, value)
            tx.insert_events([make_event(actor, "app.keys_rotated", actor.app_id, new={"key": key}, at=now)])
        return value

    def delete_app(self, app_id: int) -> None:
        """Operator-only, like `create_app`: the app and everything in it — its classes' tables,
        users, sessions, blobs, events — in one transaction; `on_delete` hooks run inside it (the
        files go after commit). Its event history goes with it (the events are the app's rows)."""
        with self.storage.transaction(write=True) as tx:
            if tx.select_app(app_id) is None:
                raise NotFoundError("No such application", code="app_not_found")
            for hook in self.on_delete:
                hook(tx, app_id)
            for cls in tx.select_classes(app_id):
                tx.delete_class(cls)
            tx.delete_app(app_id)
