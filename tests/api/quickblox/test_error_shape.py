"""Every error, including the framework's own, reaches the client in QuickBlox's shape.

The SDK parses the body of every response before it looks at the status, so a non-JSON error body
would surface in apps as an undefined status.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings
from tests.conftest import QB


def assert_quickblox_error(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    assert isinstance(body["errors"], (list, dict)) and body["errors"]
    assert "Traceback" not in response.text
    return body["errors"]


def test_unknown_path_is_404(qb: QB) -> None:
    assert assert_quickblox_error(qb.client.get("/nothing/here.json"), 404) == ["Not found"]


def test_wrong_method_is_405(qb: QB) -> None:
    assert assert_quickblox_error(qb.client.patch("/session.json"), 405) == ["Method not allowed"]


def test_body_over_the_limit_is_413(qb: QB) -> None:
    qb.apply_class()
    qb.make_user("big")
    body = b'{"game_mode_name": "' + b"x" * 2_000_000 + b'"}'
    response = qb.client.post("/data/ScoreTable.json", content=body,
                              headers={**qb.headers("big"), "Content-Type": "application/json"})
    assert_quickblox_error(response, 413)
    assert qb.count() == 0


def test_missing_session_is_401_with_the_phrase_the_sdk_looks_for(qb: QB) -> None:
    errors = assert_quickblox_error(qb.client.get("/data/ScoreTable.json"), 401)
    assert "session does not exist" in errors[0].lower()


@pytest.mark.parametrize("body, content_type", [
    (b"\xff\xfe", "application/x-www-form-urlencoded"),
    (b"a[b]=1&a=2", "application/x-www-form-urlencoded"),
    (b"[1, 2]", "application/json"),
    (b"<xml/>", "application/xml"),
], ids=["bad-utf8", "conflicting-keys", "json-not-object", "unsupported-type"])
def test_unreadable_bodies_are_400(qb: QB, body: bytes, content_type: str) -> None:
    qb.apply_class()
    qb.make_user("sender")
    response = qb.client.post("/data/ScoreTable.json", content=body,
                              headers={**qb.headers("sender"), "Content-Type": content_type})
    assert_quickblox_error(response, 400)
    assert qb.count() == 0


def test_cors_preflight_is_answered(qb: QB) -> None:
    response = qb.client.options("/data/ScoreTable.json", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "QB-Token, Content-Type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "qb-token" in response.headers["access-control-allow-headers"].lower()


@pytest.fixture
def crashing_client(settings: Settings, services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    # Simulates a bug inside a handler; the point is what the client sees, not the storage.
    monkeypatch.setattr(services.users, "get_user", explode)
    with TestClient(build_app(settings, services), raise_server_exceptions=False) as client:
        yield client


def test_an_unexpected_error_is_a_500_in_quickblox_shape_without_details(qb: QB, crashing_client: TestClient) -> None:
    user_id = qb.make_user("someone")
    response = crashing_client.get(f"/users/{user_id}.json", headers=qb.headers())
    assert assert_quickblox_error(response, 500) == ["Internal server error"]
    assert "secret internal detail" not in response.text
