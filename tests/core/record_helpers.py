"""Helpers the core tests of datums and the history share: QuickBlox writes and user actors."""

from __future__ import annotations

from typing import Any

from objectbase.core.actor import Actor, ActorKind
from tests.conftest import QB

__all__ = ["create", "put", "user", "with_owner_and_other"]


def create(qb: QB, headers: dict[str, str], class_name: str = "Game", **body: Any) -> str:
    response = qb.client.post(f"/data/{class_name}.json", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["_id"])


def put(qb: QB, record_id: str, headers: dict[str, str], body: dict[str, Any], class_name: str = "Game") -> None:
    response = qb.client.put(f"/data/{class_name}/{record_id}.json", json=body, headers=headers)
    assert response.status_code == 200, response.text


def user(qb: QB, login: str) -> Actor:
    return Actor(ActorKind.USER, qb.app_id, qb.services.users.find_user_by(qb.admin, "login", login).id)


def with_owner_and_other(qb: QB, spec: dict[str, Any]) -> QB:
    """The app with the class and two users, "owner" (who writes) and "other"."""
    qb.apply_class(spec)
    qb.make_user("owner")
    qb.make_user("other")
    return qb
