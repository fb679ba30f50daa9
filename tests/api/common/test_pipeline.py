"""The one pipeline every request passes: request ids, CORS for every dialect's headers, the body-size
guard, and the last-resort handler answering in the dialect of the path."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings
from tests.conftest import QB

DF_V2 = "/api/v2/db/_table/ScoreTable"
DF_LEGACY = "/rest/db/ScoreTable"


def test_every_response_carries_a_request_id(qb: QB) -> None:
    generated = qb.client.get("/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert qb.client.get("/health", headers={"X-Request-Id": "trace-42"}).headers["x-request-id"] == "trace-42"
    # A value that could carry anything into logs is replaced, not echoed.
    replaced = qb.client.get("/health", headers={"X-Request-Id": "a b\tc" + "x" * 80}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert qb.client.get("/nothing.json").headers["x-request-id"]


@pytest.mark.parametrize("path, body", [
    ("/nothing/here.json", {"errors": ["Not found"]}),
    ("/api/v2/db/_table/T/1/2/3", {"error": {"code": 404, "context": None, "message": "Resource not found.",
                                             "status_code": 404}}),
    ("/rest/db/T/1/2/3", {"error": [{"message": "Resource not found.", "code": 404, "context": None}]}),
], ids=["quickblox", "dreamfactory-v2", "dreamfactory-legacy"])
def test_an_unknown_path_answers_in_the_dialect_of_its_prefix(qb: QB, path: str, body: dict[str, Any]) -> None:
    response = qb.client.get(path, headers={"X-DreamFactory-API-Key": qb.credentials.auth_key})
    assert response.status_code == 404
    assert response.json() == body


@pytest.mark.parametrize("path, header", [
    ("/data/ScoreTable.json", "qb-token"),
    (DF_V2, "x-dreamfactory-api-key"),
    (DF_LEGACY, "x-dreamfactory-session-token"),
])
def test_cors_preflight_allows_each_dialects_headers(qb: QB, path: str, header: str) -> None:
    response = qb.client.options(path, headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": f"{header}, content-type"})
    assert response.status_code == 200
    assert header in response.headers["access-control-allow-headers"].lower()


def test_a_response_to_an_origin_carries_cors_headers_and_every_response_varies_by_origin(qb: QB) -> None:
    answered = qb.client.get("/nothing.json", headers={"Origin": "https://app.example"})
    assert answered.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in answered.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "qb-token-expirationdate", "preference-applied"} <= exposed
    assert answered.headers["vary"] == "Origin"
    # Without an Origin: no CORS headers, but a cache still must not share the answer across origins.
    plain = qb.client.get("/nothing.json")
    assert "access-control-allow-origin" not in plain.headers
    assert plain.headers["vary"] == "Origin"
    assert plain.headers["x-request-id"]


def test_a_preflight_carries_the_request_id_and_one_allow_origin(qb: QB) -> None:
    response = qb.client.options("/data/ScoreTable.json", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "GET", "X-Request-Id": "pre-1"})
    assert response.headers.get_list("access-control-allow-origin") == ["*"]
    assert response.headers["x-request-id"] == "pre-1"


@pytest.fixture
def small_client(settings: Settings, services: Services) -> Iterator[TestClient]:
    limited = replace(settings, max_body_bytes=1024, max_upload_bytes=1024)
    with TestClient(build_app(limited, services), base_url="https://testserver") as client:
        yield client


@pytest.mark.parametrize("path, shape", [("/blobs/1/upload", "quickblox"), (DF_V2, "v2"), (DF_LEGACY, "legacy")])
def test_the_body_size_guard_refuses_in_the_dialects_shape(qb: QB, small_client: TestClient, path: str,
                                                         shape: str) -> None:
    qb.apply_class()
    response = small_client.post(path, content=b"x" * 200_000, headers={
        "Content-Type": "application/octet-stream", "X-DreamFactory-API-Key": qb.credentials.auth_key})
    assert response.status_code == 413, response.text
    body = response.json()
    if shape == "quickblox":
        assert set(body) == {"errors"}
    elif shape == "v2":
        assert body["error"]["status_code"] == 413
    else:
        assert body["error"][0]["code"] == 413
    assert qb.count() == 0


@pytest.fixture
def crashing_client(settings: Settings, services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    # Simulates a bug inside the core; the point is what the client sees.
    monkeypatch.setattr(services.records, "find_records", explode)
    with TestClient(build_app(settings, services), raise_server_exceptions=False,
                    base_url="https://testserver") as client:
        yield client


@pytest.mark.parametrize("path", ["/data/ScoreTable.json", DF_V2, DF_LEGACY])
def test_a_crash_is_a_500_in_the_dialects_shape_without_details(qb: QB, crashing_client: TestClient,
                                                              path: str, caplog: pytest.LogCaptureFixture) -> None:
    qb.apply_class()
    response = crashing_client.get(path, headers={**qb.api_key_headers,
                                                  "X-DreamFactory-API-Key": qb.credentials.api_key})
    assert response.status_code == 500
    assert "secret internal detail" not in response.text and "Traceback" not in response.text
    body = response.json()
    if path.startswith("/data"):
        assert body == {"errors": ["Internal server error"]}
    elif path.startswith("/api/v2"):
        assert body["error"]["status_code"] == 500
    else:
        assert body["error"][0]["code"] == 500
    # The pipeline logs it once, with the request id and the traceback the body leaves out.
    logged = [r for r in caplog.records if response.headers["x-request-id"] in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
