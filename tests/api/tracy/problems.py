"""The one check of the dialect's error shape (problem details, contract §10)."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx


def assert_problem(response: httpx.Response, status: int, error_key: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://tools.ietf.org/html/rfc9110#section-")
    assert isinstance(body["title"], str) and body["title"]
    assert body["traceId"] == response.headers["x-request-id"]
    assert set(body) <= {"type", "title", "status", "detail", "errors", "traceId"}
    if error_key is not None:
        assert error_key in body["errors"], body
    return body
