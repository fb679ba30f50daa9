"""GET /health: 200 only when the database answers."""

from __future__ import annotations

from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings
from objectbase.storage import SqlStorage
from tests.conftest import QB


def test_health_is_ok_when_the_database_answers(qb: QB) -> None:
    response = qb.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path: object) -> None:
    # Port 1 on loopback: nothing listens, so every connection is refused at once.
    storage = SqlStorage("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
    app = build_app(Settings(data_dir=str(tmp_path)), Services.build(storage))
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
