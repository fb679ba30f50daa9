"""GET /metrics (off by default, or behind a bearer token) and JSON logs carrying the request id
(issue 12, item 6). Several workers: tests/api/common/test_two_workers.py."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from objectbase.api.common.json_logs import JsonFormatter
from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings
from tests.conftest import QB

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metered(settings: Settings, services: Services) -> Iterator[TestClient]:
    on = dataclasses.replace(settings, metrics=True, metrics_token=TOKEN, log_format="json")
    with TestClient(build_app(on, services), raise_server_exceptions=False,
                    base_url="https://testserver") as client:
        yield client


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of the one sample of `name` whose labels include `labels`."""
    found = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
             if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())]
    assert len(found) == 1, (name, labels, text)
    return found[0]


def test_metrics_are_off_by_default(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(metered: TestClient) -> None:
    assert metered.get("/metrics").status_code == 401
    assert metered.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_metrics_count_requests_by_route_template_and_status(qb: QB, metered: TestClient) -> None:
    qb.apply_class()
    for _ in range(3):
        assert metered.get("/data/ScoreTable.json", headers=qb.api_key_headers).status_code == 200
    assert metered.get("/data/NoSuchClass.json", headers=qb.api_key_headers).status_code == 403
    scraped = metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.headers["content-type"].startswith("text/plain; version=")
    text = scraped.text
    # The route is the template the request matched, not its path: one series for every class.
    routes = set(re.findall(r'objectbase_requests_total\{[^}]*dialect="quickblox"[^}]*route="([^"]+)"', text))
    template = next(r for r in routes if "{" in r and r.startswith("/data/"))
    assert _sample(text, "objectbase_requests_total", route=template, method="GET", status="200") == 3
    assert _sample(text, "objectbase_requests_total", route=template, method="GET", status="403") == 1
    assert _sample(text, "objectbase_request_duration_seconds_count", dialect="quickblox", route=template) == 4
    assert "objectbase_db_pool_checked_out" in text and "objectbase_db_pool_size" in text


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What `--log-format json` writes, captured from the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_a_crash_gives_a_clean_body_a_json_log_line_with_the_request_id_and_an_error_count(
        qb: QB, metered: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch,
        json_log: io.StringIO) -> None:
    qb.apply_class()

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("SELECT auth_secret_sealed FROM apps -- internal detail")

    # Simulates a bug inside the core; the point is what the client and the log see.
    monkeypatch.setattr(services.records, "find_records", explode)
    response = metered.get("/data/ScoreTable.json", headers=qb.api_key_headers)
    assert response.status_code == 500 and response.json() == {"errors": ["Internal server error"]}
    for leak in ("SELECT", "auth_secret", "Traceback", qb.credentials.auth_secret):
        assert leak not in response.text
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    request_id = response.headers["x-request-id"]
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["request_id"] == request_id
    assert request_id in errors[0]["message"] and "RuntimeError" in errors[0]["exception"]
    scraped = metered.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert _sample(scraped, "objectbase_errors_total", dialect="quickblox", status="500") >= 1
