"""The Files pages in-process, on both databases, with a local files backend: upload (streamed, through
the Content API's path), list and paging, download, public/private, delete; bad input and CSRF."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.actor import Actor, ActorKind
from objectbase.core.blobs import NewBlob
from objectbase.core.models import Blob
from objectbase.core.services import Services
from objectbase.core.users import NewUser
from objectbase.files.local import LocalFileStore
from objectbase.settings import Settings
from objectbase.storage import SqlStorage
from tests.web.dashboard import Dash

MAX_BYTES = 64 * 1024


@dataclasses.dataclass
class FilesDash(Dash):
    store: LocalFileStore = dataclasses.field(kw_only=True)

    @property
    def files_url(self) -> str:
        return f"/_/apps/{self.app_id}/files"

    def upload(self, data: bytes, filename: str = "notes.txt", content_type: str = "text/plain",
               **fields: str) -> Any:
        return self.client.post(self.files_url, data={"csrf_token": self.csrf(), **fields},
                                files={"file": (filename, data, content_type)}, follow_redirects=False)

    def uploaded(self, data: bytes, filename: str = "notes.txt", content_type: str = "text/plain",
                 **fields: str) -> Blob:
        response = self.upload(data, filename, content_type, **fields)
        assert response.status_code == 303, response.text
        found = re.fullmatch(rf"{self.files_url}/(\d+)\?notice=.*", response.headers["location"])
        assert found, response.headers["location"]
        return self.services.blobs.get_blob(Actor.admin(self.app_id), int(found.group(1)))

    def blobs(self) -> list[Blob]:
        return self.services.blobs.find_blobs(Actor.admin(self.app_id), per_page=100).blobs

    def state(self) -> tuple[list[str], list[str], list[tuple[int, bool]]]:
        """What a refused request must leave as it was: stored bytes, half-writes, the blobs."""
        return (self.store.keys(f"apps/{self.app_id}"), self.store.temporaries(),
                [(b.id, b.public) for b in self.blobs()])


@pytest.fixture
def fdash(settings: Settings, storage: SqlStorage, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FilesDash]:
    store = LocalFileStore(tmp_path_factory.mktemp("dash-files"))
    config = dataclasses.replace(settings, max_upload_bytes=MAX_BYTES, upload_buffer_bytes=8 * 1024)
    core = Services.build(storage, files=store, max_upload_bytes=MAX_BYTES, passwords=settings.passwords)
    with TestClient(build_app(config, core), base_url="https://testserver") as client:
        yield FilesDash(client, core, core.apps.create_app(f"files-{uuid.uuid4().hex[:8]}"), store=store)


@pytest.fixture
def signed(fdash: FilesDash) -> FilesDash:
    fdash.as_operator()
    return fdash


def test_upload_lists_the_file_and_downloads_the_same_bytes(signed: FilesDash) -> None:
    data = bytes(range(256)) * 100  # several of the upload buffer's pieces
    blob = signed.uploaded(data, "report.bin", "application/octet-stream")
    assert (blob.name, blob.size, blob.status, blob.public) == ("report.bin", len(data), "complete", False)
    page = signed.client.get(signed.files_url)
    assert page.status_code == 200
    assert f'<a href="{signed.files_url}/{blob.id}">report.bin</a>' in page.text
    assert "25.0 KiB" in page.text and "application/octet-stream" in page.text and "private" in page.text
    download = signed.client.get(f"{signed.files_url}/{blob.id}/download")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-disposition"].startswith('attachment; filename="report.bin"')
    assert download.headers["x-content-type-options"] == "nosniff"
    assert signed.store.temporaries() == []


def test_upload_takes_the_name_given_and_public_flag(signed: FilesDash) -> None:
    blob = signed.uploaded(b"hello", "h.txt", name="Greeting", public="1")
    assert (blob.name, blob.public, blob.content_type) == ("Greeting", True, "text/plain")
    shown = signed.client.get(f"{signed.files_url}/{blob.id}")
    assert "<h1>Greeting</h1>" in shown.text and "Make private" in shown.text


def test_content_type_is_guessed_from_the_name_when_the_browser_gives_none(signed: FilesDash) -> None:
    blob = signed.uploaded(b"\x89PNG\r\n", "pixel.png", "")
    assert blob.content_type == "image/png"
    shown = signed.client.get(f"{signed.files_url}/{blob.id}")
    assert f'src="{signed.files_url}/{blob.id}/download?view=1"' in shown.text
    preview = signed.client.get(f"{signed.files_url}/{blob.id}/download?view=1")
    assert preview.headers["content-disposition"].startswith("inline;")
    assert preview.headers["content-type"] == "image/png"


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(signed: FilesDash) -> None:
    before = signed.state()
    response = signed.upload(b"x" * (MAX_BYTES + 1), "big.bin")
    assert response.status_code == 413
    assert re.search(r'<p class="error" id="file-error">File is larger than 65536 bytes</p>', response.text)
    assert signed.state() == before


def test_a_file_over_the_limit_without_a_declared_length_leaves_nothing(signed: FilesDash) -> None:
    # Streamed in pieces with no Content-Length: the blob is made, then undone when the limit is passed.
    before = signed.state()
    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{signed.csrf()}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(MAX_BYTES // 8192 + 2):
            yield b"y" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    response = signed.client.post(signed.files_url, content=body(), follow_redirects=False,
                                  headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert signed.state() == before


def test_no_file_chosen_is_a_422_beside_the_file_field(signed: FilesDash) -> None:
    before = signed.state()
    response = signed.upload(b"", "", "application/octet-stream", name="kept")
    assert response.status_code == 422
    assert '<p class="error" id="file-error">Choose a file to upload.</p>' in response.text
    assert 'value="kept"' in response.text
    assert signed.state() == before


def test_a_name_the_core_refuses_is_shown_beside_the_name_field(signed: FilesDash) -> None:
    before = signed.state()
    response = signed.upload(b"data", "a.txt", name="n" * 101)
    assert response.status_code == 422
    assert '<p class="error" id="name-error">is too long (maximum is 100 characters)</p>' in response.text
    assert signed.state() == before


def test_upload_without_the_csrf_token_is_refused_and_leaves_nothing(signed: FilesDash) -> None:
    signed.csrf()
    before = signed.state()
    for token in ({}, {"csrf_token": "forged" * 8}):
        response = signed.client.post(signed.files_url, data=token, files={"file": ("a.txt", b"abc", "text/plain")},
                                      follow_redirects=False)
        assert response.status_code == 403
    # A token sent after the file is too late: the bytes were not to be taken without it.
    late = signed.client.post(signed.files_url, files=[("file", ("a.txt", b"abc", "text/plain")),
                                                       ("csrf_token", (None, signed.csrf()))], follow_redirects=False)
    assert late.status_code == 403
    assert signed.state() == before


def test_make_public_then_private(signed: FilesDash) -> None:
    blob = signed.uploaded(b"abc")
    made_public = signed.post(f"{signed.files_url}/{blob.id}/public")
    assert made_public.status_code == 303
    assert signed.services.blobs.get_blob(Actor.admin(signed.app_id), blob.id).public is True
    page = signed.client.get(made_public.headers["location"])
    assert "notes.txt is public now." in page.text and "Make private" in page.text
    assert signed.post(f"{signed.files_url}/{blob.id}/private").status_code == 303
    assert signed.services.blobs.get_blob(Actor.admin(signed.app_id), blob.id).public is False


def test_delete_removes_the_blob_and_its_bytes(signed: FilesDash) -> None:
    blob = signed.uploaded(b"doomed")
    assert signed.store.keys(f"apps/{signed.app_id}")
    shown = signed.client.get(f"{signed.files_url}/{blob.id}")
    assert 'data-confirm="Delete notes.txt? This cannot be undone."' in shown.text
    response = signed.post(f"{signed.files_url}/{blob.id}/delete")
    assert response.status_code == 303 and response.headers["location"].startswith(signed.files_url + "?notice=")
    assert signed.blobs() == [] and signed.store.keys(f"apps/{signed.app_id}") == []
    assert signed.client.get(f"{signed.files_url}/{blob.id}").status_code == 404


def test_state_changes_without_the_csrf_token_are_refused(signed: FilesDash) -> None:
    blob = signed.uploaded(b"kept")
    before = signed.state()
    for action in ("public", "private", "delete"):
        response = signed.client.post(f"{signed.files_url}/{blob.id}/{action}", data={}, follow_redirects=False)
        assert response.status_code == 403
    assert signed.state() == before


def test_the_list_pages_by_twenty(signed: FilesDash) -> None:
    admin = Actor.admin(signed.app_id)
    for i in range(21):
        signed.services.blobs.create_blob(admin, NewBlob(f"file-{i:02}.txt", "text/plain"))
    first = signed.client.get(signed.files_url)
    assert "21 files" in first.text and "Page 1 of 2" in first.text and "file-19.txt" in first.text
    assert "file-20.txt" not in first.text and f'href="{signed.files_url}?page=2"' in first.text
    second = signed.client.get(signed.files_url + "?page=2")
    assert "file-20.txt" in second.text and "file-00.txt" not in second.text and "Previous" in second.text
    assert "not uploaded" in second.text
    assert signed.client.get(signed.files_url + "?page=nonsense").status_code == 200


def test_the_owner_is_the_uploading_user(signed: FilesDash) -> None:
    user = signed.services.users.create_user(Actor.admin(signed.app_id), NewUser({"login": "uploader"}, "pw-123456789"))
    blob, _grant = signed.services.blobs.create_blob(Actor(ActorKind.USER, signed.app_id, user.id),
                                                     NewBlob("theirs.txt", "text/plain"))
    assert "<td>uploader</td>" in signed.client.get(signed.files_url).text
    assert "<dd>uploader</dd>" in signed.client.get(f"{signed.files_url}/{blob.id}").text


def test_another_apps_file_is_not_found(signed: FilesDash) -> None:
    other = signed.services.apps.create_app(f"other-{uuid.uuid4().hex[:6]}")
    theirs, _grant = signed.services.blobs.create_blob(Actor.admin(other.app_id), NewBlob("theirs.txt", "text/plain"))
    for path in (f"{signed.files_url}/{theirs.id}", f"{signed.files_url}/{theirs.id}/download"):
        assert signed.client.get(path).status_code == 404
    assert signed.post(f"{signed.files_url}/{theirs.id}/delete").status_code == 404
    assert signed.services.blobs.get_blob(Actor.admin(other.app_id), theirs.id).name == "theirs.txt"


def test_an_app_admin_manages_their_apps_files_only(fdash: FilesDash) -> None:
    login = fdash.new_app_admin()
    assert fdash.sign_in(login, app_id=fdash.app_id).status_code == 303
    blob = fdash.uploaded(b"mine")
    assert blob.user_id != 0  # the admin user's upload names them
    other = fdash.services.apps.create_app(f"other-{uuid.uuid4().hex[:6]}")
    assert fdash.client.get(f"/_/apps/{other.app_id}/files").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(fdash: FilesDash) -> None:
    response = fdash.client.get(fdash.files_url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/_/sign-in?next=")
    upload = fdash.client.post(fdash.files_url, files={"file": ("a.txt", b"abc", "text/plain")},
                               follow_redirects=False)
    assert upload.status_code == 303 and fdash.blobs() == []


def test_a_files_page_shows_its_history(signed: FilesDash) -> None:
    blob = signed.uploaded(b"abc", "plan.txt")
    signed.post(f"{signed.files_url}/{blob.id}/public")
    text = signed.client.get(f"{signed.files_url}/{blob.id}").text
    history = text[text.index("<h2>History</h2>"):]
    kinds = re.findall(r'<span class="badge kind-blob">([^<]+)</span>', history)
    assert kinds == ["File updated", "File completed", "File uploaded", "File created"]
    assert re.search(r'<th scope="row">public</th>\s*<td class="old"><del>false</del></td>\s*'
                     r'<td class="new"><ins>true</ins></td>', history)
    assert '<th scope="row">tags</th>' not in history  # no tags before or after: not a change
