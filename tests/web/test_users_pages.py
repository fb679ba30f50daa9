"""An app's Users pages in-process: list, search, pages, create, edit, reset password, delete."""

from __future__ import annotations

import re

import pytest

from objectbase.core.actor import Actor
from objectbase.core.errors import UnauthenticatedError
from objectbase.core.models import User
from objectbase.core.query import ast
from objectbase.core.users import LoginCredentials, NewUser, UserChanges
from tests.web.dashboard import Dash

NEW = {"login": "alice", "email": "alice@example.com", "full_name": "Alice Liddell", "password": "rabbit-hole",
       "tags": "readers, writers", "is_admin": "1"}


def _make(dash: Dash, login: str, **profile: str) -> User:
    return dash.services.users.create_user(Actor.admin(dash.app_id), NewUser({"login": login, **profile}, "password1"))


def _users(dash: Dash) -> list[User]:
    return dash.services.users.find_users(Actor.admin(dash.app_id), ast.TRUE, per_page=100).users


def _logins(html: str) -> list[str]:
    return re.findall(r'<a href="/_/apps/\d+/users/\d+">([^<]+)</a>', html)


def _can_sign_in(dash: Dash, login: str, password: str) -> bool:
    with dash.services.storage.transaction(write=False) as tx:
        try:
            dash.services.users.check_credentials(tx, dash.app_id, LoginCredentials(password, login=login))
        except UnauthenticatedError:
            return False
    return True


def test_the_list_shows_the_apps_users_and_searches_login_email_and_name(dash: Dash) -> None:
    dash.as_operator()
    _make(dash, "carol", email="carol@corp.example")
    _make(dash, "dave", full_name="David Copperfield")
    _make(dash, "erin")
    page = dash.client.get(f"/_/apps/{dash.app_id}/users")
    assert page.status_code == 200
    assert _logins(page.text) == ["carol", "dave", "erin"]
    assert '<label for="f-q">Search</label>' in page.text and 'aria-current="page">Users' in page.text
    for query, expected in (("CORP", ["carol"]), ("copper", ["dave"]), ("eri", ["erin"]), ("nobody", [])):
        found = dash.client.get(f"/_/apps/{dash.app_id}/users", params={"q": query}).text
        assert _logins(found) == expected, query
    assert "No user matches." in dash.client.get(f"/_/apps/{dash.app_id}/users?q=zz").text
    # LIKE's wildcards are only text here.
    assert _logins(dash.client.get(f"/_/apps/{dash.app_id}/users", params={"q": "%"}).text) == []


def test_the_list_pages_by_twenty(dash: Dash) -> None:
    dash.as_operator()
    for number in range(23):
        _make(dash, f"user{number:02}")
    first = dash.client.get(f"/_/apps/{dash.app_id}/users").text
    assert len(_logins(first)) == 20 and "Page 1 of 2" in first and ">Next</a>" in first
    second = dash.client.get(f"/_/apps/{dash.app_id}/users?q=&page=2").text
    assert _logins(second) == ["user20", "user21", "user22"] and ">Previous</a>" in second
    assert _logins(dash.client.get(f"/_/apps/{dash.app_id}/users?page=nonsense").text)[0] == "user00"


def test_creating_a_user_with_tags_and_the_admin_flag(dash: Dash) -> None:
    dash.as_operator()
    form = dash.client.get(f"/_/apps/{dash.app_id}/users/new").text
    for label, name in (("Login", "login"), ("Email", "email"), ("Full name", "full_name"), ("Password", "password"),
                        ("Tags", "tags")):
        assert f'<label for="f-{name}">{label}</label>' in form
    assert "Administrator of this app" in form
    # A template's extra attributes are markup, not escaped text.
    assert 'name="password" type="password" required autocomplete="new-password">' in form
    response = dash.post(f"/_/apps/{dash.app_id}/users", NEW)
    assert response.status_code == 303
    (user,) = _users(dash)
    assert response.headers["location"].startswith(f"/_/apps/{dash.app_id}/users/{user.id}?notice=")
    assert (user.login, user.email, user.full_name, user.tags, user.is_admin) == (
        "alice", "alice@example.com", "Alice Liddell", ("readers", "writers"), True)
    assert _can_sign_in(dash, "alice", "rabbit-hole")
    page = dash.client.get(response.headers["location"]).text
    assert "User alice created." in page and 'value="readers, writers"' in page


@pytest.mark.parametrize(("changed", "field", "message"), [
    ({"password": "short"}, "password", "is too short (minimum is 8 characters)"),
    ({"password": ""}, "password", "can&#39;t be blank"),
    ({"email": "not-an-email"}, "email", "is invalid"),
    ({"login": "taken"}, "login", "has already been taken"),
])
def test_a_refused_user_shows_the_cores_message_beside_the_field(dash: Dash, changed: dict[str, str], field: str,
                                                                   message: str) -> None:
    dash.as_operator()
    _make(dash, "taken")
    response = dash.post(f"/_/apps/{dash.app_id}/users", {**NEW, **changed})
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in response.text
    # What was typed stays (never the password).
    assert 'value="Alice Liddell"' in response.text and "rabbit-hole" not in response.text
    assert [u.login for u in _users(dash)] == ["taken"]


def test_login_or_email_is_required_above_the_form(dash: Dash) -> None:
    dash.as_operator()
    response = dash.post(f"/_/apps/{dash.app_id}/users", {**NEW, "login": "", "email": ""})
    assert response.status_code == 422
    assert '<p class="alert" role="alert">login or email is required</p>' in response.text
    assert _users(dash) == []


def test_editing_profile_tags_and_the_admin_flag(dash: Dash) -> None:
    dash.as_operator()
    user = _make(dash, "frank", full_name="Frank")
    path = f"/_/apps/{dash.app_id}/users/{user.id}"
    form = dash.client.get(path).text
    assert 'value="Frank"' in form and ">Save user</button>" in form and ">Reset password</button>" in form
    response = dash.post(path, {"login": "frank", "full_name": "Frank Zappa", "phone": "+1 555", "tags": "a,b, a",
                                "custom_data": '{"x": 1}', "is_admin": "1"})
    assert response.status_code == 303
    (saved,) = _users(dash)
    assert (saved.full_name, saved.phone, saved.tags, saved.custom_data, saved.is_admin) == (
        "Frank Zappa", "+1 555", ("a", "b"), '{"x": 1}', True)
    # Unticked: no longer an admin; emptied: cleared.
    assert dash.post(path, {"login": "frank", "tags": "", "full_name": ""}).status_code == 303
    (saved,) = _users(dash)
    assert (saved.full_name, saved.tags, saved.is_admin) == (None, (), False)
    assert "User saved." in dash.client.get(path + "?notice=User+saved.").text


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(dash: Dash) -> None:
    dash.as_operator()
    _make(dash, "taken")
    user = _make(dash, "grace")
    response = dash.post(f"/_/apps/{dash.app_id}/users/{user.id}", {"login": "taken", "full_name": "Grace H"})
    assert response.status_code == 422
    assert '<p class="error" id="login-error">has already been taken</p>' in response.text
    assert 'value="Grace H"' in response.text
    assert dash.services.users.get_user(Actor.admin(dash.app_id), user.id).login == "grace"


def test_resetting_a_password(dash: Dash) -> None:
    dash.as_operator()
    user = _make(dash, "heidi")
    path = f"/_/apps/{dash.app_id}/users/{user.id}/password"
    short = dash.post(path, {"password": "short"})
    assert short.status_code == 422
    assert '<p class="error" id="password-error">is too short (minimum is 8 characters)</p>' in short.text
    blank = dash.post(path, {"password": ""})
    assert blank.status_code == 422 and "can&#39;t be blank" in blank.text
    assert _can_sign_in(dash, "heidi", "password1")
    assert dash.post(path, {"password": "a-new-password"}).status_code == 303
    assert _can_sign_in(dash, "heidi", "a-new-password") and not _can_sign_in(dash, "heidi", "password1")


def test_deleting_a_user(dash: Dash) -> None:
    dash.as_operator()
    user = _make(dash, "ivan")
    page = dash.client.get(f"/_/apps/{dash.app_id}/users/{user.id}").text
    assert 'data-confirm="Delete the user ivan?"' in page
    response = dash.post(f"/_/apps/{dash.app_id}/users/{user.id}/delete")
    assert response.status_code == 303 and response.headers["location"].startswith(f"/_/apps/{dash.app_id}/users?")
    assert _users(dash) == []
    assert dash.client.get(f"/_/apps/{dash.app_id}/users/{user.id}").status_code == 404


def test_without_the_csrf_token_nothing_changes(dash: Dash) -> None:
    dash.as_operator()
    user = _make(dash, "judy")
    base = f"/_/apps/{dash.app_id}/users"
    for path, data in ((base, NEW), (f"{base}/{user.id}", {"login": "judy", "full_name": "Forged"}),
                       (f"{base}/{user.id}/password", {"password": "forged-password"}), (f"{base}/{user.id}/delete", {})):
        assert dash.client.post(path, data=data, follow_redirects=False).status_code == 403, path
    (kept,) = _users(dash)
    assert kept.full_name is None and _can_sign_in(dash, "judy", "password1")


def test_an_app_admin_sees_only_their_apps_users(dash: Dash) -> None:
    other = dash.services.apps.create_app("other")
    stranger = dash.services.users.create_user(Actor.admin(other.app_id), NewUser({"login": "stranger"}, "password1"))
    admin = dash.new_app_admin()
    assert dash.sign_in(admin, app_id=dash.app_id).status_code == 303
    assert _logins(dash.client.get(f"/_/apps/{dash.app_id}/users").text) == [admin]
    base = f"/_/apps/{other.app_id}/users"
    for path in (base, f"{base}/new", f"{base}/{stranger.id}"):
        assert dash.client.get(path).status_code == 404, path
    assert dash.post(f"{base}/{stranger.id}/delete").status_code == 404
    assert dash.post(f"{base}/{stranger.id}/password", {"password": "taken-over"}).status_code == 404
    # Another app's user id under their own app is missing too.
    assert dash.client.get(f"/_/apps/{dash.app_id}/users/{stranger.id}").status_code == 404
    assert dash.services.users.get_user(Actor.admin(other.app_id), stranger.id).login == "stranger"


def test_an_out_of_range_user_id_is_refused_not_a_crash(dash: Dash) -> None:
    dash.as_operator()
    assert dash.client.get(f"/_/apps/{dash.app_id}/users/{2**70}").status_code == 422


def test_an_admin_user_made_a_plain_user_is_signed_out_at_once(dash: Dash) -> None:
    admin = dash.new_app_admin()
    assert dash.sign_in(admin, app_id=dash.app_id).status_code == 303
    assert dash.client.get(f"/_/apps/{dash.app_id}/users").status_code == 200
    (user,) = _users(dash)
    dash.services.users.update_user(Actor.admin(dash.app_id), user.id, UserChanges(is_admin=False))
    response = dash.client.get(f"/_/apps/{dash.app_id}/users", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/_/sign-in")
