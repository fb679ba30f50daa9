"""`/docs`: the vendored Swagger UI, served by the server itself (no CDN), with a dialect picker."""

from __future__ import annotations

import re
from importlib import resources

from starlette.testclient import TestClient


def test_docs_page_loads_only_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/docs/static/") for asset in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset


def test_the_picker_offers_every_served_document(client: TestClient) -> None:
    script = client.get("/docs/static/reference.js").text
    for dialect in re.findall(r'"(\w+)"', script.split("]")[0]):
        assert client.get(f"/openapi/{dialect}.json").status_code == 200
    assert "https://" not in script and "http://" not in script


def test_vendored_ui_is_served_with_its_licence_kept(client: TestClient) -> None:
    bundle = client.get("/docs/static/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    static = resources.files("objectbase.api.reference").joinpath("static")
    assert "Apache License" in static.joinpath("LICENSE").read_text("utf-8")


def test_only_the_ui_files_are_served(client: TestClient) -> None:
    assert client.get("/docs/static/LICENSE").status_code == 404
    assert client.get("/docs/static/..%2Fdialect.py").status_code == 404
    assert client.get("/docs/nothing").status_code == 404
