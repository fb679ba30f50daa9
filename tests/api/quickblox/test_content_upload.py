"""C2 (the signed upload) and C3 (complete): streaming, atomicity, and every way an upload can go wrong."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.security.signed_links import format_expiry, sign_link
from objectbase.settings import Settings
from tests.conftest import FILES_MAX_UPLOAD_BYTES, QBFiles
from tests.files.flows import SDK_HEADERS, complete, create_blob, upload
from tests.files.multipart import FilePart, multipart, upload_fields


@pytest.fixture
def bob(qbf: QBFiles) -> dict[str, str]:
    qbf.make_user("bob")
    return qbf.headers("bob")


def test_create_upload_complete_as_the_sdk_does(qbf: QBFiles, bob: dict[str, str]) -> None:
    data = os.urandom(300_000)
    created = create_blob(qbf.client, bob)
    response = upload(qbf.client, created, data, headers=bob)
    assert response.status_code == 201 and response.content == b""
    # Uploaded but not completed: the bytes are stored, but nothing serves them yet.
    assert len(qbf.stored()) == 1
    assert qbf.client.get(f"/blobs/{created['uid']}", headers=bob).status_code == 404
    done = complete(qbf.client, bob, created["id"], len(data))
    assert done.status_code == 200 and done.content == b""
    blob = qbf.client.get(f"/blobs/{created['id']}.json", headers=bob).json()["blob"]
    assert blob["size"] == len(data) and blob["blob_status"] == "complete" and blob["set_completed_at"].endswith("Z")
    assert qbf.client.get(f"/blobs/{created['uid']}", headers=bob).content == data
    assert [e.kind for e in qbf.events(created["uid"])] == ["blob.created", "blob.uploaded", "blob.completed"]


def test_upload_needs_no_session_and_accepts_the_url_s_query(qbf: QBFiles, bob: dict[str, str]) -> None:
    # curl-style: POST the params URL as it is (grant in the query), no token, just the file.
    created = create_blob(qbf.client, bob)
    body, headers = multipart(FilePart("file", "a.jpg", b"abc"))
    response = qbf.client.post(created["blob_object_access"]["params"], content=body, headers=headers)
    assert response.status_code == 201
    assert complete(qbf.client, bob, created["id"], 3).status_code == 200


@pytest.mark.parametrize("size", ["undefined", "", None], ids=["sdk-undefined", "empty", "absent"])
def test_complete_size_is_optional(qbf: QBFiles, bob: dict[str, str], size: Any) -> None:
    created = create_blob(qbf.client, bob)
    upload(qbf.client, created, b"12345", headers=bob)
    data = {} if size is None else {"size": size}
    response = qbf.client.put(f"/blobs/{created['id']}/complete.json", data=data, headers=bob)
    assert response.status_code == 200
    assert qbf.client.get(f"/blobs/{created['id']}.json", headers=bob).json()["blob"]["size"] == 5


def test_complete_takes_blob_size_in_json(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    upload(qbf.client, created, b"12345", headers=bob)
    response = qbf.client.put(f"/blobs/{created['id']}/complete.json", json={"blob": {"size": 5}}, headers=bob)
    assert response.status_code == 200


def test_complete_before_any_upload_is_422(qbf: QBFiles, bob: dict[str, str]) -> None:
    # The SDK reports a failed upload as success and completes anyway: the server must notice.
    created = create_blob(qbf.client, bob)
    before = qbf.state()
    response = complete(qbf.client, bob, created["id"], 100)
    assert response.status_code == 422
    assert response.json() == {"errors": {"base": ["The file has not been uploaded"]}}
    assert qbf.state() == before
    assert qbf.client.get(f"/blobs/{created['id']}.json", headers=bob).json()["blob"]["blob_status"] is None


@pytest.mark.parametrize("size, message", [("4", "does not match the uploaded file (5 bytes)"), ("abc", "is invalid")],
                         ids=["wrong-size", "not-a-number"])
def test_complete_with_a_wrong_size_is_422(qbf: QBFiles, bob: dict[str, str], size: str, message: str) -> None:
    created = create_blob(qbf.client, bob)
    upload(qbf.client, created, b"12345", headers=bob)
    before = qbf.state()
    response = complete(qbf.client, bob, created["id"], size)
    assert response.status_code == 422
    assert response.json() == {"errors": {"size": [message]}}
    assert qbf.state() == before
    assert complete(qbf.client, bob, created["id"], 5).status_code == 200  # the upload is still there


def test_complete_twice_is_harmless_and_other_users_may_not(qbf: QBFiles, bob: dict[str, str]) -> None:
    qbf.make_user("carol")
    carol = qbf.headers("carol")
    created = create_blob(qbf.client, bob)
    upload(qbf.client, created, b"12345", headers=bob)
    assert complete(qbf.client, carol, created["id"], 5).status_code == 403
    assert complete(qbf.client, bob, created["id"], 5).status_code == 200
    assert complete(qbf.client, bob, created["id"], "undefined").status_code == 200
    assert complete(qbf.client, bob, 999999, 5).status_code == 404


def test_a_new_upload_replaces_the_content_only_when_completed(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    upload(qbf.client, created, b"first", headers=bob)
    complete(qbf.client, bob, created["id"], 5)
    renewed = qbf.client.put(f"/blobs/{created['id']}.json", headers=bob, json={"blob": {"new": 1}}).json()["blob"]
    upload(qbf.client, renewed, b"second!", headers=bob)
    # The old content is served until the new upload is completed…
    assert qbf.client.get(f"/blobs/{created['uid']}", headers=bob).content == b"first"
    assert len(qbf.stored()) == 2
    complete(qbf.client, bob, created["id"], 7)
    # …then the new one, and the old bytes are gone.
    assert qbf.client.get(f"/blobs/{created['uid']}", headers=bob).content == b"second!"
    assert len(qbf.stored()) == 1


def test_uploading_again_before_completing_keeps_only_the_last(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    upload(qbf.client, created, b"one", headers=bob)
    upload(qbf.client, created, b"two!", headers=bob)
    assert len(qbf.stored()) == 1
    assert complete(qbf.client, bob, created["id"], 4).status_code == 200


@pytest.mark.parametrize("filename", [
    "../../etc/passwd", "..\\..\\windows\\system32", "/absolute/path.jpg", "a/b/c.jpg", "..",
    "n\x00ull.jpg", "ünïcödé 名前.jpg", b"latin1-\xe9t\xe9.jpg", "semi;colon=\"q\".jpg", "",
], ids=["dotdot", "backslashes", "absolute", "slashes", "only-dots", "null-byte", "unicode", "latin1",
        "quotes", "empty"])
def test_file_names_never_touch_a_path(qbf: QBFiles, bob: dict[str, str], filename: str | bytes) -> None:
    created = create_blob(qbf.client, bob)
    response = upload(qbf.client, created, b"payload", filename=filename, headers=bob)
    assert response.status_code == 201, response.text
    stored = qbf.stored()
    assert len(stored) == 1 and stored[0].startswith(f"apps/{qbf.app_id}/blobs/")
    assert all(c in "0123456789abcdef" for c in stored[0].rsplit("/", 1)[1])
    assert complete(qbf.client, bob, created["id"], 7).status_code == 200
    assert qbf.client.get(f"/blobs/{created['uid']}", headers=bob).content == b"payload"


def _grant_fields(created: dict[str, Any]) -> tuple[str, dict[str, str]]:
    url, fields = upload_fields(created["blob_object_access"]["params"])
    return url, dict(fields)


def _post(qbf: QBFiles, url: str, fields: dict[str, str], data: bytes = b"x" * 1000) -> Any:
    body, headers = multipart(*fields.items(), FilePart("file", "f.jpg", data))
    return qbf.client.post(url, content=body, headers={**SDK_HEADERS, **headers})


def test_upload_with_an_expired_grant_is_403_and_leaves_nothing(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    expired = format_expiry(time.time() - 5)
    fields.update(expires=expired, policy=sign_link(qbf.credentials.auth_secret, "upload",
                                                    (str(created["id"]), created["uid"]), expired))
    before = qbf.state()
    response = _post(qbf, url, fields)
    assert response.status_code == 403
    assert response.json() == {"errors": ["Upload URL is invalid or has expired"]}
    assert qbf.state() == before


@pytest.mark.parametrize("change", [
    {"policy": "0" * 64}, {"policy": ""}, {"expires": "2999-01-01 00:00:00 UTC"}, {"expires": "soon"},
], ids=["tampered-policy", "no-policy", "extended-expiry", "garbled-expiry"])
def test_upload_with_a_tampered_grant_is_403_and_leaves_nothing(qbf: QBFiles, bob: dict[str, str],
                                                                change: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    fields.update(change)
    before = qbf.state()
    assert _post(qbf, url, fields).status_code == 403
    assert qbf.state() == before


def test_a_grant_is_for_one_blob_only(qbf: QBFiles, bob: dict[str, str]) -> None:
    first, second = create_blob(qbf.client, bob), create_blob(qbf.client, bob)
    _url, fields = _grant_fields(first)
    second_url, _fields = _grant_fields(second)
    before = qbf.state()
    assert _post(qbf, second_url, fields).status_code == 403
    assert qbf.state() == before


def test_upload_with_the_wrong_key_is_422(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    fields["key"] = "f" * 34
    before = qbf.state()
    response = _post(qbf, url, fields)
    assert response.status_code == 422
    assert response.json() == {"errors": {"key": ["does not match the blob"]}}
    assert qbf.state() == before


def test_upload_to_an_unknown_blob_is_404(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    _url, fields = _grant_fields(created)
    before = qbf.state()
    response = _post(qbf, "https://testserver/blobs/999999/upload/", fields)
    assert response.status_code == 404 and response.json() == {"errors": ["Blob not found"]}
    assert qbf.state() == before


def test_upload_without_a_file_is_422(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    body, headers = multipart(*fields.items())
    before = qbf.state()
    response = qbf.client.post(url, content=body, headers=headers)
    assert response.status_code == 422 and response.json() == {"errors": {"file": ["can't be blank"]}}
    assert qbf.state() == before


def test_upload_over_the_size_limit_is_413_and_leaves_nothing(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    before = qbf.state()
    response = _post(qbf, url, fields, os.urandom(FILES_MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 413
    assert response.json() == {"errors": [f"File is larger than {FILES_MAX_UPLOAD_BYTES} bytes"]}
    assert qbf.state() == before


def test_a_declared_length_over_the_limit_is_refused_before_reading(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    body, headers = multipart(*fields.items(), FilePart("file", "f.jpg", b"small"))
    before = qbf.state()
    lying = {**headers, "Content-Length": str(10 * FILES_MAX_UPLOAD_BYTES)}
    response = qbf.client.post(url, content=body, headers=lying)
    assert response.status_code == 413
    assert qbf.state() == before


def test_an_upload_at_exactly_the_limit_is_accepted(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    assert _post(qbf, url, fields, b"\0" * FILES_MAX_UPLOAD_BYTES).status_code == 201
    assert complete(qbf.client, bob, created["id"], FILES_MAX_UPLOAD_BYTES).status_code == 200


@pytest.mark.parametrize("cut", [10, 500, -10], ids=["in-the-headers", "in-the-file", "before-the-end"])
def test_a_truncated_body_is_400_and_leaves_nothing(qbf: QBFiles, bob: dict[str, str], cut: int) -> None:
    # A body shorter than it claims (the client went away, or sent the wrong length).
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    body, headers = multipart(*fields.items(), FilePart("file", "f.jpg", os.urandom(2000)))
    start = body.index(b'name="file"')
    truncated = body[:start + cut] if cut > 0 else body[:cut]
    before = qbf.state()
    response = qbf.client.post(url, content=truncated, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"errors": ["Multipart body is incomplete"]}
    assert qbf.state() == before


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data", "text/plain"],
                         ids=["json", "no-boundary", "text"])
def test_an_upload_that_is_not_multipart_is_400(qbf: QBFiles, bob: dict[str, str], content_type: str) -> None:
    created = create_blob(qbf.client, bob)
    url, _fields = _grant_fields(created)
    before = qbf.state()
    response = qbf.client.post(url, content=b"{}", headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.json() == {"errors": ["Send the file as multipart/form-data"]}
    assert qbf.state() == before


def test_the_grant_after_the_file_is_not_accepted(qbf: QBFiles, bob: dict[str, str]) -> None:
    # As with S3 POST policies: fields after the file cannot authorise it (the SDK sends them first).
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    body, headers = multipart(FilePart("file", "f.jpg", b"data"), *fields.items())
    before = qbf.state()
    assert qbf.client.post(url, content=body, headers=headers).status_code == 403
    assert qbf.state() == before


def test_two_files_in_one_upload_is_422(qbf: QBFiles, bob: dict[str, str]) -> None:
    created = create_blob(qbf.client, bob)
    url, fields = _grant_fields(created)
    body, headers = multipart(*fields.items(), FilePart("file", "a.jpg", b"a"), FilePart("file", "b.jpg", b"b"))
    before = qbf.state()
    response = qbf.client.post(url, content=body, headers=headers)
    assert response.status_code == 422
    assert qbf.state() == before


TEXT_BLOB = {"name": "a.txt", "content_type": "text/plain"}


def _params_url(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/blobs.json", headers=headers, json={"blob": TEXT_BLOB})
    url: str = response.json()["blob"]["blob_object_access"]["params"]
    return url


def test_the_upload_url_honours_public_url_and_trusted_proxies(qbf: QBFiles, bob: dict[str, str]) -> None:
    # Not entered as a context manager: the lifespan would close the storage the other tests share.
    configured = Settings(public_url="https://files.example.test:8443/")
    client = TestClient(build_app(configured, qbf.services), base_url="https://internal")
    assert _params_url(client, bob).startswith("https://files.example.test:8443/blobs/")
    forwarded = {**bob, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.test"}
    proxied = TestClient(build_app(replace(configured, public_url="", trusted_proxies="testclient"), qbf.services),
                         base_url="http://internal:8080")
    assert _params_url(proxied, forwarded).startswith("https://api.example.test/blobs/")
    untrusted = TestClient(build_app(replace(configured, public_url="", trusted_proxies="10.0.0.1"), qbf.services),
                           base_url="http://internal:8080")
    assert _params_url(untrusted, forwarded).startswith("http://internal:8080/blobs/")
    # Under the --quickblox-prefix mount, the links keep the prefix.
    prefixed = qbf.client.post("/qb/blobs.json", headers=bob, json={"blob": TEXT_BLOB})
    assert prefixed.json()["blob"]["blob_object_access"]["params"].startswith("https://testserver/qb/blobs/")
