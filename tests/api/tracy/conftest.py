"""Tracy fixtures: `tracy`, a fresh app (QuickBlox's `qb`) seen through the `/v1` dialect, on
both databases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import httpx2 as httpx
import pytest

from tests.conftest import QB


@dataclass
class Tracy:
    qb: QB

    @property
    def owner_headers(self) -> dict[str, str]:
        """The app's API key: an `owner` key."""
        return {"X-Api-Key": self.qb.credentials.api_key}

    @property
    def app_headers(self) -> dict[str, str]:
        """The app's public key: names the app, with only the application's rights."""
        return {"X-Api-Key": self.qb.credentials.auth_key}

    def sign_in(self, login: str, password: str = "password1") -> dict[str, Any]:
        response = self.post("/v1/access-tokens", {"login": login, "password": password}, headers=self.app_headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def bearer(self, login: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.sign_in(login)['accessToken']}"}

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> httpx.Response:
        return self.qb.client.get(path, params=params, headers=dict(self.owner_headers if headers is None else headers))

    def post(self, path: str, body: Any, headers: Mapping[str, str] | None = None, *,
             method: str = "POST", content_type: str = "application/json") -> httpx.Response:
        import json
        return self.qb.client.request(
            method, path, content=json.dumps(body).encode(),
            headers={"Content-Type": content_type, **(self.owner_headers if headers is None else headers)})


@pytest.fixture
def tracy(qb: QB) -> Tracy:
    return Tracy(qb)
