"""The dashboard's Health page: backends and their status, the version, the settings with secrets hidden."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import objectbase
from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.files.local import LocalFileStore
from objectbase.settings import SETTINGS, Settings, url_without_password
from objectbase.storage import SqlStorage
from objectbase.web.session import SESSION_COOKIE
from tests.web.dashboard import Dash

SECRETS = {"secret_key": "", "metrics_token": "metrics-token-value", "s3_secret_access_key": "s3-secret-value",
           "s3_access_key_id": "s3-key-id-value"}


def _value_of(page: str, flag: str) -> str:
    found = re.search(rf"<td><code>{flag}</code>.*?</td>\s*<td>(.*?)</td>", page, re.S)
    assert found, flag
    return found.group(1)


def test_any_signed_in_viewer_sees_the_backends_and_the_version(dash: Dash) -> None:
    assert dash.sign_in(dash.new_app_admin(), app_id=dash.app_id).status_code == 303
    page = dash.client.get("/_/health")
    assert page.status_code == 200
    assert f"Objectbase {objectbase.__version__}" in page.text
    backend = "PostgreSQL" if dash.services.storage.engine.dialect.name == "postgresql" else "SQLite"  # type: ignore[attr-defined]
    assert re.search(rf"<dt>Database</dt><dd>{backend} <span class=\"badge ok\">reachable</span>", page.text)
    # This test server was built without a files backend.
    assert "not used by this process" in page.text
    assert 'href="/_/health" aria-current="page"' in page.text


def test_signed_out_the_page_asks_to_sign_in(dash: Dash) -> None:
    response = dash.client.get("/_/health", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/_/sign-in")


def test_every_setting_is_listed_with_secrets_hidden(settings: Settings, services: Services, dash: Dash) -> None:
    shown = dataclasses.replace(settings, secret_key="", metrics_token=SECRETS["metrics_token"],
                                s3_secret_access_key=SECRETS["s3_secret_access_key"],
                                s3_access_key_id=SECRETS["s3_access_key_id"],
                                database_url="postgresql://ob:db-password@db.example/ob",
                                rate_limit_url="redis://:redis-password@cache:6379")
    with TestClient(build_app(shown, services), base_url="https://testserver") as client:
        dash = dataclasses.replace(dash, client=client)
        page = dash.as_operator().client.get("/_/health").text
    for entry in SETTINGS:
        assert f"<code>{entry.flag}</code>" in page and entry.env in page
    for value in (*SECRETS.values(), "db-password", "redis-password", str(settings.secret_key)):
        if value:
            assert value not in page
    assert _value_of(page, "--metrics-token").startswith("<code>********</code>")
    assert _value_of(page, "--secret-key").startswith('<span class="muted">(empty)</span>')
    assert _value_of(page, "--database-url").startswith("<code>postgresql://ob:***@db.example/ob</code>")
    assert "<code>postgresql://ob:***@db.example/ob</code>" in page.split("<h2>")[0]
    assert _value_of(page, "--rate-limit-url").startswith("<code>redis://:***@cache:6379</code>")
    assert _value_of(page, "--port").startswith(f"<code>{settings.port}</code>")


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://user:pw@host/db", "postgresql://user:***@host/db"),
    ("postgresql+psycopg://user@host:5432/db", "postgresql+psycopg://user@host:5432/db"),
    ("postgresql://u:p%40ss@h/db?sslmode=require&password=x", "postgresql://u:***@h/db?sslmode=require&password=***"),
    ("sqlite:////var/lib/objectbase/objectbase.db", "sqlite:////var/lib/objectbase/objectbase.db"),
])
def test_url_passwords_are_hidden(url: str, shown: str) -> None:
    assert url_without_password(url) == shown


def test_an_unreachable_database_is_a_503_page_not_a_crash(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens. Signed-in viewers are read from the database, so the
    # page cannot show more than that it is unavailable.
    storage = SqlStorage("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
    with TestClient(build_app(Settings(data_dir=str(tmp_path)), Services.build(storage)),
                    base_url="https://testserver") as client:
        client.cookies.set(SESSION_COOKIE, "some-session", path="/_")
        response = client.get("/_/health", follow_redirects=False)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")


def test_the_files_backend_status_is_shown(dash: Dash, tmp_path: Path, settings: Settings) -> None:
    files_dir = tmp_path / "files"
    services = Services.build(dash.services.storage, files=LocalFileStore(files_dir))
    with TestClient(build_app(settings, services), base_url="https://testserver") as client:
        viewer = dataclasses.replace(dash, client=client).as_operator()
        page = viewer.client.get("/_/health").text
        assert re.search(r"<dt>Files</dt><dd>Local folder\s*<span class=\"badge ok\">reachable</span>", page)
        shutil.rmtree(files_dir)
        broken = viewer.client.get("/_/health")
    assert broken.status_code == 200
    assert re.search(r"<dt>Files</dt><dd>Local folder\s*<span class=\"badge bad\">unreachable</span>", broken.text)
    assert '<p class="alert" role="alert">A backend does not answer' in broken.text
