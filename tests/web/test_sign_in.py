"""Signing in to the dashboard: superusers (operators) and an app's admin users, cookies, sign-out."""

from __future__ import annotations

from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.core.sign_in_limits import SignInLimits
from objectbase.security.rate_limits import AttemptCounter
from objectbase.settings import Settings
from objectbase.storage.sql_storage import SqlStorage
from objectbase.web.session import SESSION_COOKIE
from tests.web.dashboard import PASSWORD, Dash


def test_signed_out_pages_send_the_browser_to_sign_in(dash: Dash) -> None:
    response = dash.client.get("/_/apps?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/_/sign-in?next=%2F_%2Fapps%3Fx%3D1"


def test_the_sign_in_page_labels_every_field(dash: Dash) -> None:
    page = dash.client.get("/_/sign-in").text
    for label, name in (("Login", "login"), ("Password", "password"), ("App ID", "app_id")):
        assert f'<label for="f-{name}">{label}</label>' in page
        assert f'id="f-{name}" name="{name}"' in page
    assert "objectbase admin create" in page


def test_an_operator_signs_in_and_sees_every_app(dash: Dash) -> None:
    other = dash.services.apps.create_app("another-app")
    response = dash.sign_in(dash.new_operator())
    assert response.status_code == 303
    assert response.headers["location"] == "/_/"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/_"):
        assert flag.lower() in cookie.lower()
    page = dash.client.get("/_/apps")
    assert page.status_code == 200
    assert f'href="/_/apps/{dash.app_id}"' in page.text
    assert f'href="/_/apps/{other.app_id}"' in page.text
    assert "(superuser)" in page.text
    assert dash.client.get(f"/_/apps/{other.app_id}").status_code == 200


def test_the_session_is_stored_as_a_digest(dash: Dash) -> None:
    dash.as_operator()
    token = dash.client.cookies[SESSION_COOKIE]
    with dash.services.storage.engine.connect() as conn:  # type: ignore[attr-defined]
        from sqlalchemy import text
        digests = [row[0] for row in conn.execute(text("SELECT digest FROM dashboard_sessions"))]
    assert token not in digests
    from objectbase.security.tokens import token_digest
    assert token_digest(token) in digests


def test_a_wrong_password_or_login_is_refused_and_sets_no_session(dash: Dash) -> None:
    login = dash.new_operator()
    for attempt in ({"login": login, "password": "wrong-password"}, {"login": "nobody-here", "password": PASSWORD}):
        response = dash.sign_in(**attempt)
        assert response.status_code == 401
        assert "The login or password is wrong." in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
        # The form keeps the login typed, never the password.
        assert f'value="{attempt["login"]}"' in response.text
        assert attempt["password"] not in response.text


def test_sign_in_without_the_csrf_token_is_refused(dash: Dash) -> None:
    login = dash.new_operator()
    dash.csrf()
    response = dash.client.post("/_/sign-in", data={"login": login, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_an_app_admin_user_sees_only_their_app(dash: Dash) -> None:
    other = dash.services.apps.create_app("not-theirs")
    login = dash.new_app_admin()
    response = dash.sign_in(login, app_id=dash.app_id)
    assert response.status_code == 303, response.text
    apps = dash.client.get("/_/apps").text
    assert f'href="/_/apps/{dash.app_id}"' in apps
    assert f'href="/_/apps/{other.app_id}"' not in apps
    assert "(superuser)" not in apps
    assert dash.client.get(f"/_/apps/{dash.app_id}").status_code == 200
    refused = dash.client.get(f"/_/apps/{other.app_id}")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("text/html")


def test_a_user_who_is_not_an_admin_cannot_sign_in(dash: Dash) -> None:
    login = dash.new_app_admin(admin=False)
    assert dash.sign_in(login, app_id=dash.app_id).status_code == 401
    # Nor an admin of one app in another app.
    other = dash.services.apps.create_app("elsewhere")
    assert dash.sign_in(dash.new_app_admin(), app_id=other.app_id).status_code == 401
    assert dash.sign_in(dash.new_app_admin(), app_id=999_999_999).status_code == 401


def test_an_app_id_that_is_not_a_number_is_a_form_error(dash: Dash) -> None:
    response = dash.sign_in(dash.new_operator(), app_id="abc")
    assert response.status_code == 422
    assert "The app ID is a number." in response.text


def test_sign_out_ends_the_session_everywhere(dash: Dash) -> None:
    dash.as_operator()
    token = dash.client.cookies[SESSION_COOKIE]
    response = dash.post("/_/sign-out")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/_/sign-in")
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
    # The old cookie, replayed (another tab, another worker), is no longer a session.
    dash.client.cookies.set(SESSION_COOKIE, token, domain="testserver", path="/_")
    assert dash.client.get("/_/apps", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token(dash: Dash) -> None:
    dash.as_operator()
    response = dash.client.post("/_/sign-out", follow_redirects=False)
    assert response.status_code == 403
    assert dash.client.get("/_/apps", follow_redirects=False).status_code == 200


def test_deleting_an_operator_ends_its_sessions(dash: Dash) -> None:
    login = dash.new_operator()
    assert dash.sign_in(login).status_code == 303
    dash.services.operators.delete_operator(login)
    assert dash.client.get("/_/apps", follow_redirects=False).status_code == 303


def test_an_app_admin_who_loses_the_admin_flag_is_signed_out(dash: Dash) -> None:
    from objectbase.core.actor import Actor
    login = dash.new_app_admin()
    assert dash.sign_in(login, app_id=dash.app_id).status_code == 303
    user = dash.services.users.find_user_by(Actor.admin(dash.app_id), "login", login)
    with dash.services.storage.transaction(write=True) as tx:
        tx.update_user(dash.app_id, user.id, {"is_admin": False}, None, 0.0)
    assert dash.client.get("/_/apps", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_dashboard(dash: Dash) -> None:
    login = dash.new_operator()
    for target in ("//evil.example/", "https://evil.example/", "/_\\evil", "/qb/session.json"):
        response = dash.client.post("/_/sign-in", data={"login": login, "password": PASSWORD, "next": target,
                                                         "csrf_token": dash.csrf()}, follow_redirects=False)
        assert response.headers["location"] == "/_/", target
    response = dash.client.post("/_/sign-in", data={"login": login, "password": PASSWORD, "next": "/_/apps",
                                                     "csrf_token": dash.csrf()}, follow_redirects=False)
    assert response.headers["location"] == "/_/apps"


def test_pages_carry_security_headers(dash: Dash) -> None:
    page = dash.client.get("/_/sign-in")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert '<script src="/_/static/htmx.min.js" defer></script>' in page.text


def test_repeated_wrong_passwords_are_rate_limited(settings: Settings, storage: SqlStorage) -> None:
    limited = Services.build(storage, passwords=settings.passwords,
                             sign_in_limits=SignInLimits(AttemptCounter("100/minute", "3/minute")))
    with TestClient(build_app(settings, limited), base_url="https://testserver") as client:
        dash = Dash(client, limited, limited.apps.create_app("limited"))
        login = dash.new_operator()
        for _ in range(3):
            assert dash.sign_in(login, "wrong-password").status_code == 401
        # Now even the right password waits: the guesser cannot tell.
        refused = dash.sign_in(login)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "Too many failed attempts" in refused.text
        assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
