"""U1–U10: users."""

from __future__ import annotations

import pytest

from objectbase.settings import Settings

from tests.conftest import QB


def sign_up(qb: QB, headers: dict[str, str], **user: str) -> dict[str, object]:
    response = qb.client.post("/users.json", json={"user": user}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["user"])


def test_sign_up_with_an_application_session_and_form_parameters(qb: QB) -> None:
    response = qb.client.post("/users.json", headers=qb.headers(), data={
        "user[login]": "andrew", "user[password]": "password1", "user[email]": "andrew@example.com",
        "user[full_name]": "Andrew Lee", "user[tag_list]": "admin,design"})
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["login"] == "andrew" and user["full_name"] == "Andrew Lee"
    assert user["user_tags"] == "admin,design"
    assert "password" not in user and "password_hash" not in user
    assert set(user) == {"id", "full_name", "email", "login", "phone", "website", "created_at", "updated_at",
                         "last_request_at", "external_user_id", "facebook_id", "twitter_id", "blob_id",
                         "custom_data", "user_tags"}
    assert [e.kind for e in qb.events(str(user["id"])) if e.kind.startswith("user.")] == ["user.created"]


def test_passwords_are_stored_with_argon2id(qb: QB) -> None:
    user_id = qb.make_user("hashme", "password1")
    user = qb.services.users.get_user(qb.admin, user_id)
    # The suite's cheap cost (tests/conftest.py), as the settings ask.
    assert user.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")


def test_argon2_defaults_are_rfc_9106_low_memory_and_old_hashes_still_verify() -> None:
    production = Settings().passwords
    cheap = Settings(argon2_memory_kib=1024, argon2_time_cost=1, argon2_parallelism=1).passwords
    stored = production.hash("password1")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # Each hash carries its parameters: changing the settings keeps every stored password valid.
    assert cheap.verify(stored, "password1") and not cheap.verify(stored, "password2")
    assert production.verify(cheap.hash("password1"), "password1")
    assert not production.verify(None, "password1")


@pytest.mark.parametrize("user, field", [
    ({"login": "dup", "password": "password1"}, "login"),
    ({"login": "short", "password": "short"}, "password"),
    ({"login": "nopass"}, "password"),
    ({"password": "password1"}, "base"),
    ({"login": "bademail", "password": "password1", "email": "not-an-email"}, "email"),
], ids=["taken-login", "short-password", "no-password", "no-login-or-email", "bad-email"])
def test_sign_up_errors_are_422_and_write_nothing(qb: QB, user: dict[str, str], field: str) -> None:
    qb.make_user("dup")
    headers = qb.headers()
    events = len(qb.events())
    response = qb.client.post("/users.json", json={"user": user}, headers=headers)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert len(qb.events()) == events
    assert qb.services.users.find_users(qb.admin).total == 1


def test_get_list_and_find_users(qb: QB) -> None:
    headers = qb.headers()
    bob = sign_up(qb, headers, login="bob", password="password1", email="bob@example.com", tag_list="golf")
    sign_up(qb, headers, login="carol", password="password1", full_name="Carol Smith", tag_list="tennis,golf")
    sign_up(qb, headers, login="dave", password="password1", tag_list="chess", external_user_id="ext-9")
    assert qb.client.get(f"/users/{bob['id']}.json", headers=headers).json()["user"]["login"] == "bob"
    assert qb.client.get("/users/999999.json", headers=headers).status_code == 404
    listed = qb.client.get("/users.json?per_page=2&page=2", headers=headers).json()
    assert listed["current_page"] == 2 and listed["per_page"] == 2 and listed["total_entries"] == 3
    assert [i["user"]["login"] for i in listed["items"]] == ["dave"]
    filtered = qb.client.get("/users.json?filter[]=string%20login%20in%20bob,dave&order=desc%20string%20login",
                             headers=headers).json()
    assert [i["user"]["login"] for i in filtered["items"]] == ["dave", "bob"]
    by_number = qb.client.get(f"/users.json?filter[]=number%20id%20gt%20{bob['id']}", headers=headers).json()
    assert by_number["total_entries"] == 2
    tagged = qb.client.get("/users/by_tags.json?tags=golf", headers=headers).json()
    assert sorted(i["user"]["login"] for i in tagged["items"]) == ["bob", "carol"]
    sdk_style = qb.client.get("/users/by_tags.json?tags[]=chess%2Ctennis", headers=headers).json()
    assert sorted(i["user"]["login"] for i in sdk_style["items"]) == ["carol", "dave"]
    assert qb.client.get("/users/by_login.json?login=carol", headers=headers).json()["user"]["full_name"] == "Carol Smith"
    assert qb.client.get("/users/by_email.json?email=bob@example.com", headers=headers).json()["user"]["id"] == bob["id"]
    assert qb.client.get("/users/by_login.json?login=zed", headers=headers).status_code == 404
    by_name = qb.client.get("/users/by_full_name.json?full_name=Smith", headers=headers).json()
    assert [i["user"]["login"] for i in by_name["items"]] == ["carol"]
    assert qb.client.get("/users/external/ext-9.json", headers=headers).json()["user"]["login"] == "dave"


def test_bad_filter_is_422(qb: QB) -> None:
    response = qb.client.get("/users.json?filter[]=string%20password_hash%20eq%20x", headers=qb.headers())
    assert response.status_code == 422
    assert "filter" in response.json()["errors"]


def test_update_own_profile_tags_and_password(qb: QB) -> None:
    user_id = qb.make_user("erin", tags="a")
    headers = qb.headers("erin")
    response = qb.client.put(f"/users/{user_id}.json", headers=headers,
                             data={"user[full_name]": "Erin", "user[tag_list]": "b,c"})
    assert response.status_code == 200
    assert response.json()["user"]["full_name"] == "Erin" and response.json()["user"]["user_tags"] == "b,c"
    wrong = qb.client.put(f"/users/{user_id}.json", headers=headers,
                          json={"user": {"password": "newpassword", "old_password": "wrong-one"}})
    assert wrong.status_code == 422
    right = qb.client.put(f"/users/{user_id}.json", headers=headers,
                          json={"user": {"password": "newpassword", "old_password": "password1"}})
    assert right.status_code == 200
    qb.token("erin", "newpassword")
    update = [e for e in qb.events(str(user_id)) if e.kind == "user.updated"][0]
    assert update.old["tags"] == ["a"] and update.new["tags"] == ["b", "c"]


def test_cannot_update_or_delete_another_user(qb: QB) -> None:
    victim = qb.make_user("victim")
    qb.make_user("mallory")
    headers = qb.headers("mallory")
    response = qb.client.put(f"/users/{victim}.json", json={"user": {"full_name": "pwned"}}, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"errors": {"base": ["You are not owner of this object"]}}
    assert qb.client.delete(f"/users/{victim}.json", headers=headers).status_code == 403
    assert qb.services.users.get_user(qb.admin, victim).full_name is None


def test_delete_self_and_by_api_key(qb: QB) -> None:
    me = qb.make_user("leaver")
    gone = qb.make_user("removed")
    assert qb.client.delete(f"/users/{me}.json", headers=qb.headers("leaver")).status_code == 200
    assert qb.client.delete(f"/users/{gone}.json", headers=qb.api_key_headers).status_code == 200
    assert qb.services.users.find_users(qb.admin).total == 0


def test_a_deleted_users_id_is_never_reused(qb: QB) -> None:
    first = qb.make_user("first")
    second = qb.make_user("second")
    qb.services.users.delete_user(qb.admin, second)
    assert qb.make_user("third") > second > first
