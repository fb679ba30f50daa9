"""DreamFactory fixtures: `df`, a fresh app (QuickBlox's `qb`) seen through one surface of the
DreamFactory dialect; every test that takes it runs on `/api/v2` and `/rest`, on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import httpx2 as httpx
import pytest

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.permissions import Access, Action, Permission
from objectbase.core.records import NewRecord
from tests.conftest import QB

# Record permissions by name, for scenario tables.
OPEN = Permission(Access.OPEN)
OWNER = Permission(Access.OWNER)


@dataclass
class DF:
    qb: QB
    surface: str  # "v2" or "legacy"

    @property
    def wrapper(self) -> str:
        return "resource" if self.surface == "v2" else "record"

    def url(self, table: str, record_id: str | None = None, service: str = "db") -> str:
        base = f"/api/v2/{service}/_table/{table}" if self.surface == "v2" else f"/rest/{service}/{table}"
        return base if record_id is None else f"{base}/{record_id}"

    @property
    def app_headers(self) -> dict[str, str]:
        name = "X-DreamFactory-API-Key" if self.surface == "v2" else "X-DreamFactory-Application-Name"
        return {name: self.qb.credentials.auth_key}

    @property
    def admin_headers(self) -> dict[str, str]:
        name = "X-DreamFactory-API-Key" if self.surface == "v2" else "X-DreamFactory-Application-Name"
        return {name: self.qb.credentials.api_key}

    def user_headers(self, login: str) -> dict[str, str]:
        return {**self.app_headers, "X-DreamFactory-Session-Token": self.qb.token(login)}

    def get(self, table: str, params: Mapping[str, Any] | None = None, *, record_id: str | None = None,
            headers: Mapping[str, str] | None = None) -> httpx.Response:
        return self.qb.client.get(self.url(table, record_id), params=params,
                                  headers=dict(self.app_headers if headers is None else headers))

    def tunnelled_get(self, table: str, body: Any, params: Mapping[str, Any] | None = None,
                      headers: Mapping[str, str] | None = None) -> httpx.Response:
        """R3: GET with a body, as clients send it (POST + X-HTTP-Method: GET)."""
        return self.qb.client.post(self.url(table), json=body, params=params,
                                   headers={**(self.app_headers if headers is None else headers),
                                            "X-HTTP-Method": "GET"})

    def items(self, response: httpx.Response) -> list[dict[str, Any]]:
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()[self.wrapper]
        return found

    def error(self, response: httpx.Response, status: int) -> str:
        """The message of an error in the surface's envelope (the envelope itself is checked)."""
        assert response.status_code == status, response.text
        body = response.json()
        if self.surface == "v2":
            assert set(body["error"]) == {"code", "context", "message", "status_code"}
            assert body["error"]["status_code"] == status
            return str(body["error"]["message"])
        assert isinstance(body["error"], list) and len(body["error"]) == 1
        assert set(body["error"][0]) == {"code", "context", "message"}
        return str(body["error"][0]["message"])

    def user(self, login: str, tags: str | None = None) -> Actor:
        user_id = self.qb.make_user(login, tags=tags)
        return Actor(ActorKind.USER, self.qb.app_id, user_id=user_id,
                     user_tags=frozenset(tags.split(",")) if tags else frozenset())

    def create(self, actor: Actor, table: str, rows: Sequence[Mapping[str, Any]], *,
               read: Permission | None = None, parent_id: str | None = None) -> list[str]:
        permissions = {Action.READ: read} if read is not None else None
        made = self.qb.services.records.create_records(
            actor, table, [NewRecord(dict(row), permissions, parent_id) for row in rows])
        return [r.id for r in made.records]


@pytest.fixture(params=["v2", "legacy"])
def df(qb: QB, request: pytest.FixtureRequest) -> DF:
    return DF(qb, str(request.param))
