"""Apps, Users and Health in real Chromium: the whole life of an app, and the Health page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from objectbase.core.actor import Actor
from objectbase.core.errors import UnauthenticatedError
from objectbase.core.query import ast
from objectbase.core.users import LoginCredentials
from tests.web.browser.conftest import Served, shoot, sign_in


def _accept(dialog: Dialog) -> None:
    dialog.accept()


def _can_sign_in(served: Served, app_id: int, login: str, password: str) -> bool:
    with served.services.storage.transaction(write=False) as tx:
        try:
            served.services.users.check_credentials(tx, app_id, LoginCredentials(password, login=login))
        except UnauthenticatedError:
            return False
    return True


def test_an_apps_life_keys_and_users(page: Page, served: Served) -> None:
    page.on("dialog", _accept)  # the data-confirm questions
    sign_in(page, served, served.new_operator())
    expect(page).to_have_url(served.url("/_/apps"))
    name = f"Browser game {served.backend}"
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create app").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    first_key = page.locator("#new-api-key").inner_text()
    app_id = int(page.locator("dl.pairs dd").first.inner_text())
    assert served.services.keys.authenticate_key(first_key).app_id == app_id
    shoot(page, served, "app-created")

    page.get_by_role("button", name="Rotate API key").click()
    expect(page.get_by_text("New API key made")).to_be_visible()
    second_key = page.locator("#new-api-key").inner_text()
    assert second_key != first_key
    with pytest.raises(UnauthenticatedError):
        served.services.keys.authenticate_key(first_key)
    page.goto(served.url(f"/_/apps/{app_id}"))  # the app's own page: no key any more
    expect(page.locator("#new-api-key")).to_have_count(0)
    expect(page.get_by_text("QB.init(")).to_be_visible()
    shoot(page, served, "app")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, served, "app-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("navigation", name="Application").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Login").fill("alice")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Full name").fill("Alice Liddell")
    page.get_by_label("Tags").fill("readers")
    page.get_by_label("Password").fill("rabbit-hole")
    shoot(page, served, "user-new")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("User alice created.")).to_be_visible()

    page.get_by_label("Tags").fill("readers, writers")
    page.get_by_label("Administrator of this app").check()
    page.get_by_role("button", name="Save user").click()
    expect(page.get_by_text("User saved.")).to_be_visible()
    expect(page.get_by_label("Tags")).to_have_value("readers, writers")
    shoot(page, served, "user-form")
    user = served.services.users.find_user_by(Actor.admin(app_id), "login", "alice")
    assert user.tags == ("readers", "writers") and user.is_admin

    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("is too short (minimum is 8 characters)")).to_be_visible()
    page.get_by_label("New password").fill("through-the-glass")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("Password reset.")).to_be_visible()
    assert _can_sign_in(served, app_id, "alice", "through-the-glass")

    page.get_by_role("navigation", name="Application").get_by_role("link", name="Users").click()
    page.get_by_label("Search").fill("LIDDELL")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/users\?q=LIDDELL"))
    expect(page.get_by_role("link", name="alice")).to_be_visible()
    shoot(page, served, "users")
    page.get_by_role("link", name="alice").click()
    page.get_by_role("button", name="Delete user").click()
    expect(page.get_by_text("User alice deleted.")).to_be_visible()
    expect(page.get_by_text("No users yet.")).to_be_visible()
    assert served.services.users.find_users(Actor.admin(app_id), ast.TRUE).total == 0

    page.get_by_role("navigation", name="Application").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Delete this app…").click()
    page.get_by_label("Type the app's name to confirm").fill("wrong")
    page.get_by_role("button", name="Delete app").click()
    expect(page.get_by_text("does not match the app's name")).to_be_visible()
    shoot(page, served, "app-delete")
    page.get_by_label("Type the app's name to confirm").fill(name)
    page.get_by_role("button", name="Delete app").click()
    expect(page.get_by_text(f"App {name} and all its data are deleted.")).to_be_visible()
    expect(page.get_by_role("link", name=name)).to_have_count(0)
    shoot(page, served, "apps-after-delete")
    with pytest.raises(UnauthenticatedError):
        served.services.keys.authenticate_key(second_key)


def test_health_shows_the_backends_and_hides_secrets(page: Page, served: Served) -> None:
    sign_in(page, served, served.new_operator())
    page.get_by_role("link", name="Health").click()
    expect(page.get_by_role("heading", name="Health")).to_be_visible()
    database = "PostgreSQL" if served.backend == "postgresql" else "SQLite"
    expect(page.locator("dd", has_text=database)).to_contain_text("reachable")
    expect(page.locator("dd", has_text="Local folder")).to_contain_text("reachable")
    secret_row = page.get_by_role("row").filter(has_text="--secret-key")
    expect(secret_row).to_contain_text("********")
    assert "OBJECTBASE_SECRET_KEY" in page.content()
    shoot(page, served, "health")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, served, "health-phone")
