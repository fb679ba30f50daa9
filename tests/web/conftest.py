from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings
from tests.web.dashboard import Dash


@pytest.fixture
def dash(settings: Settings, services: Services) -> Iterator[Dash]:
    """A fresh browser (no cookies) on the test server, over HTTPS (so cookies are Secure)."""
    with TestClient(build_app(settings, services), base_url="https://testserver") as client:
        yield Dash(client, services, services.apps.create_app(f"dash-{uuid.uuid4().hex[:8]}"))
