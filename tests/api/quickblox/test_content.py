"""C1, C4–C8: creating blobs (seed 003, value for value), reading, listing, updating, deleting."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import QBFiles
from tests.files.flows import SDK_HEADERS, create_blob, uploaded_blob

# Seed 003's 201 example, key by key, in its order.
SEED_201_KEYS = ["id", "uid", "content_type", "name", "size", "created_at", "updated_at", "blob_status",
                 "set_completed_at", "public", "account_id", "app_id", "blob_object_access"]
SEED_ACCESS_KEYS = ["id", "blob_id", "expires", "object_access_type", "params"]
# Seed 003's 422 example: every message it lists, per field.
SEED_422 = {"errors": {
    "name": ["can't be blank", "is too short (minimum is 1 character)", "is too long (maximum is 100 characters)"],
    "content_type": ["is invalid", "is too short (minimum is 5 characters)", "is too long (maximum is 100 characters)"],
}}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def test_seed_003_create_a_private_file(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    response = qbf.client.post("/blobs.json", headers=qbf.headers("bob"),
                               json={"blob": {"content_type": "image/jpeg", "name": "museum.jpeg"}})
    assert response.status_code == 201
    blob = response.json()["blob"]
    assert list(blob) == SEED_201_KEYS
    assert blob["content_type"] == "image/jpeg" and blob["name"] == "museum.jpeg"
    assert blob["size"] is None and blob["blob_status"] is None and blob["set_completed_at"] is None
    assert blob["public"] is False
    assert blob["app_id"] == qbf.app_id and blob["account_id"] == qbf.app_id
    assert re.fullmatch(r"[0-9a-f]{32}00", blob["uid"])
    assert ISO.match(blob["created_at"]) and blob["created_at"] == blob["updated_at"]
    access = blob["blob_object_access"]
    assert list(access) == SEED_ACCESS_KEYS
    assert access["id"] == access["blob_id"] == blob["id"]
    assert access["object_access_type"] == "Write"
    # As in the seed: the upload access expires one hour after creation.
    assert _time(access["expires"]) - _time(blob["created_at"]) == timedelta(hours=1)
    url = urlsplit(access["params"])
    assert (url.scheme, url.netloc, url.path) == ("https", "testserver", f"/blobs/{blob['id']}/upload/")
    # Spaces as %20, never `+`: the SDK decodes the fields with decodeURIComponent.
    assert " " not in access["params"] and "+" not in url.query
    query = parse_qs(url.query)
    assert query["key"] == [blob["uid"]]
    assert query["acl"] == ["authenticated-read"] and query["success_action_status"] == ["201"]
    assert query["content_type"] == ["image/jpeg"]
    assert query["expires"] == [_time(access["expires"]).strftime("%Y-%m-%d %H:%M:%S UTC")]
    assert "%20UTC" in url.query and len(query["policy"][0]) == 64
    assert [e.kind for e in qbf.events(blob["uid"])] == ["blob.created"]
    assert qbf.blob_count() == 1 and qbf.stored() == []


def test_seed_003_create_a_public_file_with_tags(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    response = qbf.client.post("/blobs.json", headers=qbf.headers("bob"), json={"blob": {
        "content_type": "image/jpeg", "name": "my_cat.jpeg", "public": True, "tag_list": "web,android"}})
    assert response.status_code == 201
    blob = response.json()["blob"]
    assert list(blob) == SEED_201_KEYS
    assert blob["name"] == "my_cat.jpeg" and blob["public"] is True
    assert parse_qs(urlsplit(blob["blob_object_access"]["params"]).query)["acl"] == ["public-read"]


def test_create_with_the_sdk_form_encoding(qbf: QBFiles) -> None:
    # content.create sends blob[...] form pairs, and blob[public] only when true, as "true".
    qbf.make_user("bob")
    response = qbf.client.post("/blobs.json", headers={**qbf.headers("bob"), **SDK_HEADERS},
                               data={"blob[content_type]": "text/plain", "blob[name]": "notes.txt",
                                     "blob[public]": "true", "blob[tag_list]": "a,b"})
    assert response.status_code == 201, response.text
    assert response.json()["blob"]["public"] is True


@pytest.mark.parametrize("blob, errors", [
    ({}, {"name": SEED_422["errors"]["name"][:2], "content_type": SEED_422["errors"]["content_type"][:2]}),
    ({"name": "", "content_type": ""},
     {"name": SEED_422["errors"]["name"][:2], "content_type": SEED_422["errors"]["content_type"][:2]}),
    ({"name": "n" * 101, "content_type": "image/" + "x" * 95},
     {"name": SEED_422["errors"]["name"][2:], "content_type": SEED_422["errors"]["content_type"][2:]}),
    ({"name": "ok.txt", "content_type": "bad"}, {"content_type": SEED_422["errors"]["content_type"][:2]}),
    ({"name": "ok.txt", "content_type": "text/plain\r\nX-Evil: 1"}, {"content_type": ["is invalid"]}),
    ({"name": "bad\x00name", "content_type": "text/plain"}, {"name": ["is invalid"]}),
], ids=["missing", "blank", "too-long", "content-type-too-short", "header-injection", "null-byte"])
def test_seed_003_validation_errors(qbf: QBFiles, blob: dict[str, str], errors: dict[str, list[str]]) -> None:
    qbf.make_user("bob")
    headers = qbf.headers("bob")
    before = qbf.state()
    response = qbf.client.post("/blobs.json", headers=headers, json={"blob": blob})
    assert response.status_code == 422
    assert response.json() == {"errors": errors}
    assert qbf.state() == before


def test_seed_003_every_422_message_is_produced_verbatim(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    headers = qbf.headers("bob")
    seen: dict[str, list[str]] = {"name": [], "content_type": []}
    for blob in ({}, {"name": "n" * 101, "content_type": "image/" + "x" * 95}):
        response = qbf.client.post("/blobs.json", headers=headers, json={"blob": blob})
        for field, messages in response.json()["errors"].items():
            seen[field] += messages
    assert {"errors": seen} == SEED_422


def test_create_needs_a_user(qbf: QBFiles) -> None:
    app_headers = qbf.headers()
    before = qbf.state()
    blob = {"name": "a.txt", "content_type": "text/plain"}
    app_session = qbf.client.post("/blobs.json", headers=app_headers, json={"blob": blob})
    assert app_session.status_code == 422
    assert app_session.json() == {"errors": {"base": ["Forbidden. Need user."]}}
    anonymous = qbf.client.post("/blobs.json", json={"blob": blob})
    assert anonymous.status_code == 401
    assert anonymous.json() == {"errors": ["Required session does not exist"]}
    assert qbf.state() == before


def test_get_info_by_id(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    qbf.make_user("carol")
    created = create_blob(qbf.client, qbf.headers("bob"))
    for headers in (qbf.headers("bob"), qbf.headers("carol"), qbf.headers(), qbf.api_key_headers):
        response = qbf.client.get(f"/blobs/{created['id']}.json", headers=headers)
        assert response.status_code == 200
        blob = response.json()["blob"]
        assert blob["uid"] == created["uid"] and "blob_object_access" not in blob
    assert qbf.client.get("/blobs/999999.json", headers=qbf.headers("bob")).json() == {"errors": ["Blob not found"]}
    assert qbf.client.get(f"/blobs/{created['id']}.json").status_code == 401


def test_another_apps_blob_does_not_exist(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    created = create_blob(qbf.client, qbf.headers("bob"))
    other = QBFiles(qbf.client, qbf.services, qbf.services.apps.create_app("other"), store=qbf.store)
    other.make_user("eve")
    response = other.client.get(f"/blobs/{created['id']}.json", headers=other.headers("eve"))
    assert response.status_code == 404


def test_list_own_blobs_with_paging(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    qbf.make_user("carol")
    bob = qbf.headers("bob")
    ids = [create_blob(qbf.client, bob, name=f"f{i}.jpg")["id"] for i in range(3)]
    create_blob(qbf.client, qbf.headers("carol"))
    first = qbf.client.get("/blobs.json", params={"page": 1, "per_page": 2}, headers=bob).json()
    assert first["current_page"] == 1 and first["per_page"] == 2 and first["total_entries"] == 3
    assert [item["blob"]["id"] for item in first["items"]] == ids[:2]
    second = qbf.client.get("/blobs.json", params={"page": 2, "per_page": 2}, headers=bob).json()
    assert [item["blob"]["id"] for item in second["items"]] == ids[2:]
    default = qbf.client.get("/blobs.json", headers=bob).json()
    assert default["per_page"] == 10 and default["total_entries"] == 3
    assert qbf.client.get("/blobs.json", params={"per_page": 1000}, headers=bob).json()["per_page"] == 100
    assert qbf.client.get("/blobs.json", params={"page": "x"}, headers=bob).status_code == 422


def test_tagged_blobs_are_those_sharing_a_tag_with_the_user(qbf: QBFiles) -> None:
    qbf.make_user("bob", tags="web")
    qbf.make_user("carol", tags="ios")
    carol = qbf.headers("carol")
    web = create_blob(qbf.client, carol, name="w.jpg", tag_list="web,android")
    create_blob(qbf.client, carol, name="i.jpg", tag_list="ios")
    create_blob(qbf.client, carol, name="none.jpg")
    tagged = qbf.client.get("/blobs/tagged.json", headers=qbf.headers("bob")).json()
    assert tagged["total_entries"] == 1 and tagged["items"][0]["blob"]["id"] == web["id"]
    qbf.make_user("dave")
    assert qbf.client.get("/blobs/tagged.json", headers=qbf.headers("dave")).json()["total_entries"] == 0


def test_update_name_and_renew_the_upload_access(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    bob = qbf.headers("bob")
    created = create_blob(qbf.client, bob)
    renamed = qbf.client.put(f"/blobs/{created['id']}.json", headers=bob,
                             json={"blob": {"name": "renamed.jpeg", "public": "true"}})
    assert renamed.status_code == 200
    assert renamed.json()["blob"]["name"] == "renamed.jpeg" and renamed.json()["blob"]["public"] is True
    assert "blob_object_access" not in renamed.json()["blob"]
    renewed = qbf.client.put(f"/blobs/{created['id']}.json", headers=bob, data={"blob[new]": "1"})
    assert renewed.status_code == 200
    assert renewed.json()["blob"]["blob_object_access"]["params"].startswith(f"https://testserver/blobs/{created['id']}/upload/")
    assert [e.kind for e in qbf.events(created["uid"])] == ["blob.created", "blob.updated", "blob.updated"]


def test_update_is_for_the_owner_and_validated(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    qbf.make_user("carol")
    bob, carol = qbf.headers("bob"), qbf.headers("carol")
    created = create_blob(qbf.client, bob)
    before = qbf.state()
    other = qbf.client.put(f"/blobs/{created['id']}.json", headers=carol, json={"blob": {"name": "x.jpg"}})
    assert other.status_code == 403
    assert other.json() == {"errors": {"base": ["You are not owner of this object"]}}
    invalid = qbf.client.put(f"/blobs/{created['id']}.json", headers=bob, json={"blob": {"name": ""}})
    assert invalid.status_code == 422 and "name" in invalid.json()["errors"]
    assert qbf.state() == before


def test_sdk_update_is_a_get_and_changes_nothing(qbf: QBFiles) -> None:
    # QB.content.update sends GET /blobs/{id}.json?blob[name]=…: answer like getInfo, apply nothing.
    qbf.make_user("bob")
    bob = qbf.headers("bob")
    created = create_blob(qbf.client, bob)
    response = qbf.client.get(f"/blobs/{created['id']}.json", params={"blob[name]": "new.jpg"},
                              headers={**bob, **SDK_HEADERS})
    assert response.status_code == 200 and response.json()["blob"]["name"] == "museum.jpeg"


def test_delete_removes_the_row_and_the_bytes_after_commit(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    bob = qbf.headers("bob")
    blob = uploaded_blob(qbf.client, bob, b"some bytes")
    assert len(qbf.stored()) == 1
    response = qbf.client.delete(f"/blobs/{blob['id']}.json", headers=bob)
    assert response.status_code == 200 and response.content == b""
    assert qbf.stored() == [] and qbf.blob_count() == 0
    assert qbf.client.get(f"/blobs/{blob['id']}.json", headers=bob).status_code == 404
    assert qbf.client.get(f"/blobs/{blob['uid']}", headers=bob).status_code == 404
    assert [e.kind for e in qbf.events(blob["uid"])][-1] == "blob.deleted"


def test_delete_is_for_the_owner(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    qbf.make_user("carol")
    bob, carol = qbf.headers("bob"), qbf.headers("carol")
    blob = uploaded_blob(qbf.client, bob, b"keep me")
    before = qbf.state()
    response = qbf.client.delete(f"/blobs/{blob['id']}.json", headers=carol)
    assert response.status_code == 403
    assert qbf.client.delete("/blobs/999999.json", headers=bob).status_code == 404
    assert qbf.state() == before


def test_the_api_key_administers_every_blob(qbf: QBFiles) -> None:
    qbf.make_user("bob")
    blob = uploaded_blob(qbf.client, qbf.headers("bob"), b"x")
    listed = qbf.client.get("/blobs.json", headers=qbf.api_key_headers).json()
    assert [i["blob"]["id"] for i in listed["items"]] == [blob["id"]]
    assert qbf.client.delete(f"/blobs/{blob['id']}.json", headers=qbf.api_key_headers).status_code == 200
    assert qbf.stored() == []
