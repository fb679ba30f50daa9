"""The Apps pages in-process: list, create (the API key shown once), show, rotate keys, delete."""

from __future__ import annotations

import re

import pytest

from objectbase.core.actor import Actor
from objectbase.core.errors import UnauthenticatedError
from objectbase.core.event_query import EventQuery
from objectbase.core.query import ast
from objectbase.core.users import NewUser
from tests.web.dashboard import Dash

_API_KEY = re.compile(r'<code class="secret" id="new-api-key">([^<]+)</code>')


def _all_app_ids(dash: Dash) -> set[int]:
    with dash.services.storage.transaction(write=False) as tx:
        return {app.id for app in tx.select_apps()}


def _app_name(dash: Dash) -> str:
    with dash.services.storage.transaction(write=False) as tx:
        app = tx.select_app(dash.app_id)
    assert app is not None
    return app.name


def test_a_superuser_creates_an_app_and_sees_its_api_key_once(dash: Dash) -> None:
    dash.as_operator()
    page = dash.client.get("/_/apps").text
    assert '<label for="f-name">Name</label>' in page and ">Create app</button>" in page
    before = _all_app_ids(dash)
    response = dash.post("/_/apps", {"name": "Game of Tests"})
    assert response.status_code == 201
    (new_id,) = _all_app_ids(dash) - before
    found = _API_KEY.search(response.text)
    assert found
    api_key = found.group(1)
    assert dash.services.keys.authenticate_key(api_key).app_id == new_id
    assert "shown only this once" in response.text
    assert response.headers["cache-control"] == "no-store"  # the key stays out of every cache
    # The app's own page never shows it again.
    shown = dash.client.get(f"/_/apps/{new_id}").text
    assert api_key not in shown and "Game of Tests" in shown
    assert f'href="/_/apps/{new_id}"' in dash.client.get("/_/apps").text


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_bad_name_is_shown_beside_the_field_and_creates_nothing(dash: Dash, name: str) -> None:
    dash.as_operator()
    before = _all_app_ids(dash)
    response = dash.post("/_/apps", {"name": name})
    assert response.status_code == 422
    assert '<p class="error" id="name-error">is 1 to 200 characters</p>' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _all_app_ids(dash) == before


def test_the_app_page_shows_every_credential_and_the_sdk_snippet(dash: Dash) -> None:
    dash.as_operator()
    page = dash.client.get(f"/_/apps/{dash.app_id}").text
    app = dash.app
    for label, value in (("App ID", str(app.app_id)), ("Auth key", app.auth_key), ("Auth secret", app.auth_secret),
                         ("Account key", app.account_key)):
        assert re.search(rf"<dt>{label}</dt><dd[^>]*>{re.escape(value)}</dd>", page), label
    assert f'QB.init({app.app_id}, "{app.auth_key}", "{app.auth_secret}", "{app.account_key}"' in page
    assert 'api: "testserver/qb"' in page
    assert app.api_key not in page
    for button in ("Rotate Auth key", "Rotate Auth secret", "Rotate API key"):
        assert f">{button}</button>" in page
    assert "data-confirm=" in page
    assert f'href="/_/apps/{dash.app_id}/delete"' in page


def test_rotating_the_api_key_shows_the_new_one_once_and_refuses_the_old(dash: Dash) -> None:
    dash.as_operator()
    response = dash.post(f"/_/apps/{dash.app_id}/keys/api_key")
    assert response.status_code == 200
    found = _API_KEY.search(response.text)
    assert found
    assert dash.services.keys.authenticate_key(found.group(1)).app_id == dash.app_id
    with pytest.raises(UnauthenticatedError):
        dash.services.keys.authenticate_key(dash.app.api_key)
    assert dash.client.get("/data/ScoreTable.json",
                           headers={"Authorization": f"ApiKey {dash.app.api_key}"}).status_code == 401


@pytest.mark.parametrize("key", ["auth_key", "auth_secret"])
def test_rotating_the_auth_key_or_secret_shows_the_new_value(dash: Dash, key: str) -> None:
    dash.as_operator()
    old = getattr(dash.app, key)
    response = dash.post(f"/_/apps/{dash.app_id}/keys/{key}")
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/_/apps/{dash.app_id}?notice=New+")
    page = dash.client.get(response.headers["location"]).text
    assert "the old one no longer works" in page
    assert old not in page
    with dash.services.storage.transaction(write=False) as tx:
        app = tx.select_app(dash.app_id)
    assert app is not None and getattr(app, key) != old and getattr(app, key) in page
    if key == "auth_key":
        with pytest.raises(UnauthenticatedError):
            dash.services.keys.authenticate_app_key(old)
    events = dash.services.events.list_events(Actor.admin(dash.app_id), EventQuery(kinds=("app.keys_rotated",)))
    assert [e.new for e in events.events] == [{"key": key}]


def test_an_unknown_key_is_refused(dash: Dash) -> None:
    dash.as_operator()
    response = dash.post(f"/_/apps/{dash.app_id}/keys/account_key")
    assert response.status_code == 422
    dash.services.keys.authenticate_key(dash.app.api_key)


def test_forms_without_the_csrf_token_change_nothing(dash: Dash) -> None:
    dash.as_operator()
    before = _all_app_ids(dash)
    for path, data in (("/_/apps", {"name": "forged"}), (f"/_/apps/{dash.app_id}/keys/api_key", {}),
                       (f"/_/apps/{dash.app_id}/delete", {"name": _app_name(dash)})):
        assert dash.client.post(path, data=data, follow_redirects=False).status_code == 403
    assert _all_app_ids(dash) == before
    dash.services.keys.authenticate_key(dash.app.api_key)


def test_an_app_admin_manages_their_app_but_cannot_create_or_delete_apps(dash: Dash) -> None:
    other = dash.services.apps.create_app("someone else's")
    assert dash.sign_in(dash.new_app_admin(), app_id=dash.app_id).status_code == 303
    listing = dash.client.get("/_/apps").text
    assert ">Create app</button>" not in listing and f'href="/_/apps/{other.app_id}"' not in listing
    assert 'href="/_/apps/{}/delete"'.format(dash.app_id) not in dash.client.get(f"/_/apps/{dash.app_id}").text
    before = _all_app_ids(dash)
    assert dash.post("/_/apps", {"name": "mine now"}).status_code == 403
    assert dash.post(f"/_/apps/{dash.app_id}/delete", {"name": _app_name(dash)}).status_code == 403
    assert _all_app_ids(dash) == before
    # Their own app's keys are theirs to rotate; another app is answered as missing.
    assert dash.post(f"/_/apps/{dash.app_id}/keys/auth_key").status_code == 303
    assert dash.post(f"/_/apps/{other.app_id}/keys/api_key").status_code == 404
    assert dash.client.get(f"/_/apps/{other.app_id}/delete").status_code == 404
    dash.services.keys.authenticate_key(other.api_key)


def test_deleting_an_app_needs_its_name_typed(dash: Dash) -> None:
    dash.as_operator()
    kept = dash.services.apps.create_app("kept")
    admin = Actor.admin(dash.app_id)
    dash.services.users.create_user(admin, NewUser({"login": "gone"}, "password1"))
    dash.services.users.create_user(Actor.admin(kept.app_id), NewUser({"login": "stays"}, "password1"))
    confirm = dash.client.get(f"/_/apps/{dash.app_id}/delete")
    assert confirm.status_code == 200
    assert "<label for=\"f-name\">Type the app&#39;s name to confirm</label>" in confirm.text
    wrong = dash.post(f"/_/apps/{dash.app_id}/delete", {"name": "not its name"})
    assert wrong.status_code == 422
    assert '<p class="error" id="name-error">does not match the app&#39;s name</p>' in wrong.text
    assert dash.app_id in _all_app_ids(dash)
    response = dash.post(f"/_/apps/{dash.app_id}/delete", {"name": _app_name(dash)})
    assert response.status_code == 303 and response.headers["location"].startswith("/_/apps?notice=")
    assert dash.app_id not in _all_app_ids(dash)
    assert dash.services.users.find_users(admin, ast.TRUE).total == 0
    assert dash.services.users.find_users(Actor.admin(kept.app_id), ast.TRUE).total == 1
    assert dash.client.get(f"/_/apps/{dash.app_id}").status_code == 404
    assert "and all its data are deleted" in dash.client.get(response.headers["location"]).text
