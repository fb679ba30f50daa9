"""D14–D16: File fields of records — upload or replace, download, delete — and their bytes."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from tests.conftest import FILES_MAX_UPLOAD_BYTES, QBFiles
from tests.files.flows import SDK_HEADERS
from tests.files.multipart import FilePart, multipart

DATA = os.urandom(70_000)


@pytest.fixture
def bob(qbf: QBFiles) -> dict[str, str]:
    qbf.apply_class()
    qbf.make_user("bob")
    return qbf.headers("bob")


def make_record(qbf: QBFiles, headers: dict[str, str], **values: Any) -> str:
    response = qbf.client.post("/data/ScoreTable.json", json={"score_value": 1, **values}, headers=headers)
    assert response.status_code == 201, response.text
    record_id: str = response.json()["_id"]
    return record_id


def upload_file(qbf: QBFiles, headers: dict[str, str], record_id: str, data: bytes = DATA,
                name: str | bytes = "Image.jpg", field: str = "user_avatar", content_type: str | None = "image/jpeg",
                field_first: bool = True) -> Any:
    """As QB.data.uploadFile sends it: `field_name`, then `file` (filename = name)."""
    file_part = FilePart("file", name, data, content_type)
    parts: list[tuple[str, str] | FilePart] = [("field_name", field), file_part]
    if not field_first:
        parts.reverse()
    body, form_headers = multipart(*parts)
    return qbf.client.post(f"/data/ScoreTable/{record_id}/file.json", content=body,
                           headers={**SDK_HEADERS, **headers, **form_headers})


def get_record(qbf: QBFiles, headers: dict[str, str], record_id: str) -> dict[str, Any]:
    found: dict[str, Any] = qbf.client.get(f"/data/ScoreTable/{record_id}.json", headers=headers).json()["items"][0]
    return found


def test_upload_download_delete(qbf: QBFiles, bob: dict[str, str]) -> None:
    record_id = make_record(qbf, bob)
    response = upload_file(qbf, bob, record_id)
    assert response.status_code == 200
    model = response.json()
    assert list(model) == ["file_id", "name", "size", "content_type"]
    assert re.fullmatch(r"[0-9a-f]{24}", model["file_id"])
    assert model["name"] == "Image.jpg" and model["size"] == len(DATA) and model["content_type"] == "image/jpeg"
    assert get_record(qbf, bob, record_id)["user_avatar"] == model
    assert qbf.stored() == [f"apps/{qbf.app_id}/classes/{_class_id(qbf)}/{model['file_id']}"]
    assert qbf.events(record_id)[-1].kind == "record.updated"
    assert qbf.events(record_id)[-1].new["user_avatar"] == model

    # D15 as the SDK's fileUrl builds it: token and field_name in the query.
    url = f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar&token={bob['QB-Token']}"
    download = qbf.client.get(url)
    assert download.status_code == 200 and download.content == DATA
    assert download.headers["content-type"] == "image/jpeg"
    partial = qbf.client.get(url, headers={"Range": "bytes=100-199"})
    assert partial.status_code == 206 and partial.content == DATA[100:200]

    # D16 as the SDK sends it: DELETE with a form body.
    deleted = qbf.client.request("DELETE", f"/data/ScoreTable/{record_id}/file.json", headers=bob,
                                 data={"field_name": "user_avatar"})
    assert deleted.status_code == 200 and deleted.content == b""
    assert get_record(qbf, bob, record_id)["user_avatar"] is None
    assert qbf.stored() == []
    assert qbf.client.get(url).status_code == 404
    again = qbf.client.delete(f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar", headers=bob)
    assert again.status_code == 404 and again.json() == {"errors": ["File not found"]}


def _class_id(qbf: QBFiles) -> int:
    return qbf.services.classes.get_class(qbf.admin, "ScoreTable").id


def test_replacing_deletes_the_previous_bytes(qbf: QBFiles, bob: dict[str, str]) -> None:
    record_id = make_record(qbf, bob)
    first = upload_file(qbf, bob, record_id, b"first").json()
    second = upload_file(qbf, bob, record_id, b"second", name="second.png", content_type="image/png").json()
    assert first["file_id"] != second["file_id"]
    assert [k.rsplit("/", 1)[1] for k in qbf.stored()] == [second["file_id"]]
    response = qbf.client.get(f"/data/ScoreTable/{record_id}/file.json", params={"field_name": "user_avatar"},
                              headers=bob)
    assert response.content == b"second" and response.headers["content-type"] == "image/png"


def test_field_name_may_come_after_the_file_or_in_the_query(qbf: QBFiles, bob: dict[str, str]) -> None:
    record_id = make_record(qbf, bob)
    assert upload_file(qbf, bob, record_id, field_first=False).status_code == 200
    body, headers = multipart(FilePart("file", "q.txt", b"query", "text/plain"))
    response = qbf.client.post(f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar", content=body,
                               headers={**bob, **headers})
    assert response.status_code == 200 and response.json()["name"] == "q.txt"


@pytest.mark.parametrize("declared, name, expected", [
    ("application/octet-stream", "photo.png", "image/png"),
    (None, "notes.txt", "text/plain"),
    ("application/octet-stream", "no-extension", "application/octet-stream"),
    ("bogus", "doc.pdf", "application/pdf"),
    ("image/webp", "whatever.bin", "image/webp"),
], ids=["octet-stream", "missing", "unknown", "invalid", "declared"])
def test_content_type_from_the_part_or_guessed_from_the_name(qbf: QBFiles, bob: dict[str, str], declared: str | None,
                                                            name: str, expected: str) -> None:
    record_id = make_record(qbf, bob)
    assert upload_file(qbf, bob, record_id, name=name, content_type=declared).json()["content_type"] == expected


@pytest.mark.parametrize("name, stored", [
    ("../../etc/passwd", "../../etc/passwd"), ("a\x00b.jpg", "ab.jpg"), ("", "file"),
    (b"caf\xc3\xa9.jpg", "café.jpg"), (b"caf\xe9.jpg", "café.jpg"),
], ids=["dotdot", "null-byte", "empty", "utf8", "latin1"])
def test_file_names_are_metadata_only(qbf: QBFiles, bob: dict[str, str], name: str | bytes, stored: str) -> None:
    record_id = make_record(qbf, bob)
    response = upload_file(qbf, bob, record_id, name=name)
    assert response.status_code == 200 and response.json()["name"] == stored
    key = qbf.stored()[0]
    assert key == f"apps/{qbf.app_id}/classes/{_class_id(qbf)}/{response.json()['file_id']}"


def test_access_rules(qbf: QBFiles, bob: dict[str, str]) -> None:
    qbf.make_user("carol")
    carol, app = qbf.headers("carol"), qbf.headers()
    record_id = make_record(qbf, bob, permissions={"read": {"access": "owner"}})
    upload_file(qbf, bob, record_id)
    before = qbf.state()
    # Another user may neither replace (update is owner-only) nor read (read is owner-only here).
    denied = upload_file(qbf, carol, record_id, b"evil")
    assert denied.status_code == 403 and denied.json() == {"errors": ["Wrong permission"]}
    read = qbf.client.get(f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar", headers=carol)
    assert read.status_code == 403
    delete = qbf.client.request("DELETE", f"/data/ScoreTable/{record_id}/file.json", headers=carol,
                                data={"field_name": "user_avatar"})
    assert delete.status_code == 403
    app_upload = upload_file(qbf, app, record_id)
    assert app_upload.status_code == 422 and app_upload.json() == {"errors": {"base": ["Forbidden. Need user."]}}
    assert upload_file(qbf, {}, record_id).status_code == 401
    assert qbf.state() == before
    # The API key is the administrator.
    admin = qbf.client.get(f"/data/ScoreTable/{record_id}/file.json", params={"field_name": "user_avatar"},
                           headers=qbf.api_key_headers)
    assert admin.content == DATA


def test_an_open_record_is_readable_by_any_session(qbf: QBFiles, bob: dict[str, str]) -> None:
    record_id = make_record(qbf, bob)
    upload_file(qbf, bob, record_id)
    response = qbf.client.get(f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar", headers=qbf.headers())
    assert response.status_code == 200 and response.content == DATA


@pytest.mark.parametrize("field, status, errors", [
    ("score_value", 422, {"field_name": ["is not a File field of ScoreTable"]}),
    ("nope", 422, {"field_name": ["is not a File field of ScoreTable"]}),
    ("", 422, {"field_name": ["can't be blank"]}),
], ids=["not-a-file-field", "unknown-field", "blank"])
def test_bad_field_names_leave_nothing(qbf: QBFiles, bob: dict[str, str], field: str, status: int,
                                       errors: dict[str, list[str]]) -> None:
    record_id = make_record(qbf, bob)
    before = qbf.state()
    for field_first in (True, False):
        response = upload_file(qbf, bob, record_id, field=field, field_first=field_first)
        assert response.status_code == status and response.json() == {"errors": errors}
    assert qbf.state() == before
    download = qbf.client.get(f"/data/ScoreTable/{record_id}/file.json", params={"field_name": field}, headers=bob)
    assert download.status_code == 422


def test_unknown_records_and_classes(qbf: QBFiles, bob: dict[str, str]) -> None:
    before = qbf.state()
    missing = upload_file(qbf, bob, "0" * 24)
    assert missing.status_code == 404 and missing.json() == {"errors": ["Record not found"]}
    assert upload_file(qbf, bob, "not-an-id").status_code == 404
    body, headers = multipart(("field_name", "user_avatar"), FilePart("file", "a.jpg", b"a"))
    unknown = qbf.client.post("/data/Nope/" + "0" * 24 + "/file.json", content=body, headers={**bob, **headers})
    assert unknown.status_code == 403 and unknown.json() == {"errors": ["Undefined class"]}
    assert qbf.state() == before
    no_file = qbf.client.get(f"/data/ScoreTable/{make_record(qbf, bob)}/file.json?field_name=user_avatar", headers=bob)
    assert no_file.status_code == 404 and no_file.json() == {"errors": ["File not found"]}


def test_oversized_and_broken_uploads_leave_nothing(qbf: QBFiles, bob: dict[str, str]) -> None:
    record_id = make_record(qbf, bob)
    upload_file(qbf, bob, record_id, b"kept")
    before = qbf.state()
    too_big = upload_file(qbf, bob, record_id, os.urandom(FILES_MAX_UPLOAD_BYTES + 1))
    assert too_big.status_code == 413
    body, headers = multipart(("field_name", "user_avatar"), FilePart("file", "a.jpg", os.urandom(5000)))
    truncated = qbf.client.post(f"/data/ScoreTable/{record_id}/file.json", content=body[:-100],
                                headers={**bob, **headers})
    assert truncated.status_code == 400
    body, headers = multipart(("field_name", "user_avatar"))
    no_file = qbf.client.post(f"/data/ScoreTable/{record_id}/file.json", content=body, headers={**bob, **headers})
    assert no_file.status_code == 422 and no_file.json() == {"errors": {"file": ["can't be blank"]}}
    assert qbf.state() == before
    kept = qbf.client.get(f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar", headers=bob)
    assert kept.content == b"kept"


def test_file_fields_cannot_be_set_through_create_or_update(qbf: QBFiles, bob: dict[str, str]) -> None:
    forged = {"file_id": "0" * 24, "name": "x", "size": 1, "content_type": "text/plain"}
    record_id = make_record(qbf, bob, user_avatar=forged)
    assert get_record(qbf, bob, record_id)["user_avatar"] is None


# -- deleting records deletes their bytes ---------------------------------------------------------
def test_deleting_the_record_deletes_its_bytes(qbf: QBFiles, bob: dict[str, str]) -> None:
    kept, doomed = make_record(qbf, bob), make_record(qbf, bob)
    upload_file(qbf, bob, kept, b"kept")
    upload_file(qbf, bob, doomed, b"doomed")
    assert len(qbf.stored()) == 2
    response = qbf.client.delete(f"/data/ScoreTable/{doomed}.json", headers=bob)
    assert response.status_code == 200
    assert len(qbf.stored()) == 1
    assert qbf.client.get(f"/data/ScoreTable/{kept}/file.json?field_name=user_avatar", headers=bob).content == b"kept"


def test_deleting_by_criteria_and_cascading_deletes_every_file(qbf: QBFiles, bob: dict[str, str]) -> None:
    parent = make_record(qbf, bob, score_value=5)
    child = make_record(qbf, bob, score_value=6, _parent_id=parent)
    for record_id in (parent, child):
        upload_file(qbf, bob, record_id)
    assert len(qbf.stored()) == 2
    response = qbf.client.request("DELETE", "/data/ScoreTable/by_criteria.json", headers=bob,
                                  data={"score_value": "5"})
    assert response.status_code == 200, response.text
    assert qbf.stored() == []


def test_a_delete_that_rolls_back_keeps_the_bytes(qbf: QBFiles, bob: dict[str, str]) -> None:
    # Through the core: the hook registers its work for after the commit, and a rollback discards it.
    from objectbase.core.query import ast
    from objectbase.core.record_files import delete_file_bytes_after_commit

    record_id = make_record(qbf, bob)
    upload_file(qbf, bob, record_id)
    cls = qbf.services.classes.get_class(qbf.admin, "ScoreTable")
    with pytest.raises(RuntimeError), qbf.services.storage.transaction(write=True) as tx:
        records = tx.select_records(cls, ast.Query(where=ast.In("_id", (record_id,))))
        delete_file_bytes_after_commit(tx, qbf.store, cls, records)
        raise RuntimeError("the delete failed")
    assert len(qbf.stored()) == 1
    with qbf.services.storage.transaction(write=True) as tx:
        records = tx.select_records(cls, ast.Query(where=ast.In("_id", (record_id,))))
        delete_file_bytes_after_commit(tx, qbf.store, cls, records)
        assert len(qbf.stored()) == 1  # not before the commit
    assert qbf.stored() == []
