"""What DreamFactory tests share: each surface's paths and headers, and the one check of an error
body in the surface's canonical envelope (contract §1, §7.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import QB

__all__ = ["LEGACY", "SURFACES", "V2", "Wire", "assert_df_error", "df_login", "state_of"]

# Never in an error body: a traceback, SQL or driver text.
_LEAKS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "SELECT ", "INSERT ", "DROP ", "obj_")


@dataclass(frozen=True)
class Wire:
    name: str
    base: str
    app_key_header: str
    # The key wrapping lists of table objects in schema requests and responses.
    schema_wrapper: str

    def table(self, name: str) -> str:
        return f"{self.base}/db/_table/{name}" if self.name == "v2" else f"{self.base}/db/{name}"

    def schema(self, *parts: str) -> str:
        return "/".join((f"{self.base}/db/_schema", *parts))

    @property
    def session(self) -> str:
        return f"{self.base}/user/session"

    @property
    def admin_session(self) -> str:
        return f"{self.base}/system/admin/session"

    def app(self, key: str) -> dict[str, str]:
        return {self.app_key_header: key}


V2 = Wire("v2", "/api/v2", "X-DreamFactory-API-Key", "resource")
LEGACY = Wire("legacy", "/rest", "X-DreamFactory-Application-Name", "table")
SURFACES = [pytest.param(V2, id="v2"), pytest.param(LEGACY, id="legacy")]


def assert_df_error(response: Any, wire: Wire, status: int) -> str:
    """The surface's envelope with `status`; returns the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    if wire.name == "v2":
        error = body["error"]
        assert set(error) == {"code", "context", "message", "status_code"}, error
        assert error["status_code"] == status
    else:
        assert isinstance(body["error"], list) and len(body["error"]) == 1, body
        error = body["error"][0]
        assert set(error) == {"message", "code", "context"}, error
    assert error["code"] == status
    assert isinstance(error["message"], str) and error["message"]
    for leak in _LEAKS:
        assert leak not in response.text, response.text
    return str(error["message"])


def df_login(qb: QB, wire: Wire, login: str, password: str = "password1") -> str:
    response = qb.client.post(wire.session, json={"login": login, "password": password},
                              headers=wire.app(qb.credentials.auth_key))
    assert response.status_code == 200, response.text
    return str(response.json()["session_token"])


def state_of(qb: QB) -> tuple[int, list[str]]:
    """What a refused request must leave as it was: the event history and the app's classes."""
    return len(qb.events()), [c.name for c in qb.services.classes.list_classes(qb.admin)]
