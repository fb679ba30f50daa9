"""Helpers for the dashboard's in-process tests: a signed-in browser-like client (cookies, CSRF)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
from starlette.testclient import TestClient

from objectbase.core.apps import AppCredentials
from objectbase.core.services import Services
from objectbase.core.users import NewUser
from objectbase.web.csrf import CSRF_COOKIE

PASSWORD = "operator-pw-1"

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass
class Dash:
    """One browser: its own cookies; `app` is a fresh app the test may use."""

    client: TestClient
    services: Services
    app: AppCredentials

    @property
    def app_id(self) -> int:
        return self.app.app_id

    def new_operator(self) -> str:
        login = f"op-{uuid.uuid4().hex[:10]}"
        self.services.operators.create_operator(login, PASSWORD)
        return login

    def new_app_admin(self, app_id: int | None = None, *, admin: bool = True) -> str:
        login = f"admin-{uuid.uuid4().hex[:8]}"
        from objectbase.core.actor import Actor
        self.services.users.create_user(Actor.admin(app_id or self.app_id),
                                        NewUser({"login": login}, PASSWORD, (), is_admin=admin))
        return login

    def csrf(self) -> str:
        token = self.client.cookies.get(CSRF_COOKIE)
        if not token:
            page = self.client.get("/_/sign-in")
            found = _CSRF_META.search(page.text)
            assert found, page.text
            token = found.group(1)
        return str(token)

    def sign_in(self, login: str, password: str = PASSWORD, app_id: int | str = "") -> httpx.Response:
        return self.client.post("/_/sign-in", data={"login": login, "password": password, "app_id": str(app_id),
                                                    "csrf_token": self.csrf(), "next": "/_/"},
                                follow_redirects=False)

    def as_operator(self) -> Dash:
        response = self.sign_in(self.new_operator())
        assert response.status_code == 303, response.text
        return self

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """A form post with the CSRF token, as the dashboard's forms send it (redirects not followed)."""
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf()}, follow_redirects=False,
                                **kwargs)
