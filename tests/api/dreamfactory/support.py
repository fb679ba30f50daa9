"""Acting through the DreamFactory dialect in tests: both surfaces, one fresh app (the `qb` fixture's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest

from objectbase.core.query import ast
from tests.conftest import QB

__all__ = ["DF", "SURFACES", "df"]

# Surface name -> (table base path, wrapper key).
SURFACES = {"v2": ("/api/v2/db/_table", "resource"), "legacy": ("/rest/db", "record")}


@dataclass
class DF:
    qb: QB
    surface: str

    @property
    def wrapper(self) -> str:
        return SURFACES[self.surface][1]

    @property
    def v2(self) -> bool:
        return self.surface == "v2"

    def url(self, table: str, record_id: str | None = None) -> str:
        base = f"{SURFACES[self.surface][0]}/{table}"
        return base if record_id is None else f"{base}/{record_id}"

    def headers(self, login: str | None = "owner", *, admin: bool = False) -> dict[str, str]:
        """The app key (the app's `auth_key`, or its `api_key` for the admin) and a user's session."""
        creds = self.qb.credentials
        if admin:
            return {"X-DreamFactory-API-Key": creds.api_key}
        headers = {"X-DreamFactory-API-Key": creds.auth_key}
        if login is not None:
            headers["X-DreamFactory-Session-Token"] = self.qb.token(login)
        return headers

    def send(self, method: str, table: str, record_id: str | None = None, *, login: str | None = "owner",
             headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.qb.client.request(method, self.url(table, record_id),
                                      headers=self.headers(login) if headers is None else headers, **kwargs)

    def ok(self, response: httpx.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()

    def error(self, response: httpx.Response, status: int) -> dict[str, Any]:
        """The one error object of either envelope, after checking the status."""
        assert response.status_code == status, response.text
        error = response.json()["error"]
        found: dict[str, Any] = error[0] if not self.v2 else error
        if not self.v2:
            assert isinstance(error, list) and len(error) == 1
        return found

    def create(self, table: str, *records: dict[str, Any], login: str = "owner") -> list[str]:
        body = self.ok(self.send("POST", table, login=login, json={self.wrapper: list(records)}))
        return [r["_id"] for r in body[self.wrapper]]

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        found = self.qb.services.records.find_records(self.qb.admin, table, ast.Query(limit=1000))
        return {r.id: dict(r.values) for r in found.records}

    def events(self, kind: str | None = None) -> list[Any]:
        return [e for e in self.qb.events() if e.kind.startswith("record.") and kind in (None, e.kind)]

    def state(self, table: str) -> tuple[dict[str, dict[str, Any]], int]:
        """What a refused request must leave as it was: the rows and the number of events."""
        return self.rows(table), len(self.events())


@pytest.fixture(params=list(SURFACES))
def df(qb: QB, request: pytest.FixtureRequest) -> DF:
    return DF(qb, str(request.param))
