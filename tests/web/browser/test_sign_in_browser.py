"""Signing in and out in real Chromium; a wrong password and a missing CSRF token are refused."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import Served, shoot, sign_in


def test_sign_in_see_the_apps_and_sign_out(page: Page, served: Served) -> None:
    app = served.new_app("Browser app")
    page.goto(served.url("/_/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot(page, served, "sign-in")
    sign_in(page, served, served.new_operator())
    expect(page).to_have_url(served.url("/_/apps"))
    expect(page.get_by_role("link", name="Browser app")).to_be_visible()
    shoot(page, served, "apps")
    page.get_by_role("link", name="Browser app").click()
    expect(page).to_have_url(served.url(f"/_/apps/{app.app_id}"))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(served.url("/_/apps"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_refused(page: Page, served: Served) -> None:
    sign_in(page, served, served.new_operator(), password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The login or password is wrong.")
    expect(page.get_by_label("Password")).to_have_value("")
    page.goto(served.url("/_/apps"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_form_without_the_csrf_token_is_refused(page: Page, served: Served) -> None:
    login = served.new_operator()
    page.goto(served.url("/_/sign-in"))
    page.locator('input[name="csrf_token"]').evaluate("input => input.value = 'forged'")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill("browser-pw-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("CSRF")
    page.goto(served.url("/_/apps"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_app_admin_sees_only_their_app(page: Page, served: Served) -> None:
    from objectbase.core.actor import Actor
    from objectbase.core.users import NewUser
    theirs, other = served.new_app("Theirs"), served.new_app("Not theirs")
    served.services.users.create_user(Actor.admin(theirs.app_id), NewUser({"login": "boss"}, "browser-pw-1", (),
                                                                          is_admin=True))
    sign_in(page, served, "boss", app_id=theirs.app_id)
    expect(page.get_by_role("link", name="Theirs")).to_be_visible()
    expect(page.get_by_role("link", name="Not theirs")).to_have_count(0)
    page.goto(served.url(f"/_/apps/{other.app_id}"))
    expect(page.get_by_role("heading", name="Not possible")).to_be_visible()
