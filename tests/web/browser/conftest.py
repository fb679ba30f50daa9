"""Browser tests: Playwright driving Debian's real Chromium against a real `objectbase serve`.

One served instance per test session, on its own fresh database and data folder: on SQLite only
when the run has it. A browser flow tests the pages and their script; what the
pages do to either database is tested in-process on both (tests/web/), and running every flow
twice cost a minute and a half of the suite's ten. each test gets a fresh browser context (no cookies). `shoot(page, name)` saves a
screenshot to test-output/screenshots/<backend>/<name>.png (OBJECTBASE_SCREENSHOTS changes the
folder), so the pages can be looked at after a run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from objectbase.core.apps import AppCredentials
from objectbase.core.services import Services
from objectbase.security.secret_box import SecretBox, parse_keys
from objectbase.storage import open_storage
from tests.conftest import BACKENDS, TEST_SECRET_KEY
from tests.serving import free_port, wait_until_healthy

CHROMIUM = os.environ.get("OBJECTBASE_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = Path(os.environ.get("OBJECTBASE_SCREENSHOTS", ROOT / "test-output" / "screenshots"))
PASSWORD = "browser-pw-1"

if not shutil.which(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (scripts/test installs Debian's chromium)", allow_module_level=True)


@dataclass
class Served:
    """A running `objectbase serve`, and the core on its database for arranging what a test needs."""

    base: str
    backend: str
    services: Services

    def url(self, path: str) -> str:
        return self.base + path

    def new_operator(self) -> str:
        login = f"op-{uuid.uuid4().hex[:8]}"
        self.services.operators.create_operator(login, PASSWORD)
        return login

    def new_app(self, name: str | None = None) -> AppCredentials:
        return self.services.apps.create_app(name or f"app-{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="session", params=["sqlite" if "sqlite" in BACKENDS else BACKENDS[0]])
def backend(request: pytest.FixtureRequest) -> str:
    """This folder's one backend (overrides tests/conftest.py's, which runs every test on each)."""
    return str(request.param)


@pytest.fixture(scope="session")
def served(backend: str, make_database_url: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database_url = make_database_url(backend)
    data_dir = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {**os.environ, "OBJECTBASE_DATABASE_URL": database_url, "OBJECTBASE_DATA_DIR": str(data_dir),
           "OBJECTBASE_SECRET_KEY": TEST_SECRET_KEY}
    with open(data_dir / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "objectbase", "serve", "--port", str(port)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    storage = None
    try:
        wait_until_healthy(base, process, data_dir / "server.log")
        storage = open_storage(database_url, secrets=SecretBox(parse_keys(TEST_SECRET_KEY)))
        yield Served(base, backend, Services.build(storage))
    finally:
        if storage is not None:
            storage.close()
        process.terminate()
        process.wait(timeout=10)


# Per module, not per session: Playwright's sync API keeps an event loop running in the thread until it
# stops, and a later test of the same worker that runs asyncio would fail ("Already running asyncio").
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser window at a laptop's size (tests may `set_viewport_size` to a phone's)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def shoot(page: Page, served: Served, name: str) -> Path:
    """A full-page screenshot of what the page shows now, kept for people to look at."""
    path = SCREENSHOTS / served.backend / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, served: Served, login: str, password: str = PASSWORD, app_id: int | None = None) -> None:
    """Through the sign-in form, as a person does: fields found by their labels, the button by its text."""
    page.goto(served.url("/_/"))
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    if app_id is not None:
        page.get_by_label("App ID").fill(str(app_id))
    page.get_by_role("button", name="Sign in").click()
