"""C9, C10 and `GET /blobs/{uid}.json`: who may download, signed links, and byte ranges."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from objectbase.security.signed_links import format_expiry, sign_link
from tests.conftest import QBFiles
from tests.files.flows import SDK_HEADERS, create_blob, uploaded_blob

DATA = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def bob(qbf: QBFiles) -> dict[str, str]:
    qbf.make_user("bob")
    return qbf.headers("bob")


@pytest.fixture
def private(qbf: QBFiles, bob: dict[str, str]) -> dict[str, Any]:
    return uploaded_blob(qbf.client, bob, DATA, content_type="application/pdf", name="report.pdf")


def test_a_public_blob_downloads_without_a_token(qbf: QBFiles, bob: dict[str, str]) -> None:
    blob = uploaded_blob(qbf.client, bob, DATA, public=True, content_type="image/png", name="cat.png")
    response = qbf.client.get(f"/blobs/{blob['uid']}")
    assert response.status_code == 200 and response.content == DATA
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(len(DATA)) and response.headers["accept-ranges"] == "bytes"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png"
    assert "cache-control" not in response.headers
    # A stale token does not spoil a public download.
    assert qbf.client.get(f"/blobs/{blob['uid']}", params={"token": "f" * 40}).content == DATA


def test_a_private_blob_downloads_with_any_session_of_its_app(qbf: QBFiles, bob: dict[str, str],
                                                              private: dict[str, Any]) -> None:
    qbf.make_user("carol")
    token = bob["QB-Token"]
    for headers, query in (({}, {"token": token}), (bob, {}), (qbf.headers("carol"), {}), (qbf.headers(), {}),
                           (qbf.api_key_headers, {})):
        response = qbf.client.get(f"/blobs/{private['uid']}", headers=headers, params=query)
        assert response.status_code == 200 and response.content == DATA
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "private, no-cache"


@pytest.mark.parametrize("query", [{}, {"token": "f" * 40}], ids=["no-token", "unknown-token"])
def test_a_private_blob_without_a_session_is_401(qbf: QBFiles, private: dict[str, Any], query: dict[str, str]) -> None:
    response = qbf.client.get(f"/blobs/{private['uid']}", params=query)
    assert response.status_code == 401
    assert response.json() == {"errors": ["Required session does not exist"]}


def test_another_apps_session_cannot_see_a_private_blob(qbf: QBFiles, private: dict[str, Any]) -> None:
    other = QBFiles(qbf.client, qbf.services, qbf.services.apps.create_app("other"), store=qbf.store)
    response = qbf.client.get(f"/blobs/{private['uid']}", headers=other.headers())
    assert response.status_code == 404 and response.json() == {"errors": ["Blob not found"]}


def test_unknown_and_unfinished_blobs_are_404(qbf: QBFiles, bob: dict[str, str]) -> None:
    assert qbf.client.get("/blobs/" + "a" * 34, headers=bob).json() == {"errors": ["Blob not found"]}
    unfinished = create_blob(qbf.client, bob, public=True)
    response = qbf.client.get(f"/blobs/{unfinished['uid']}")
    assert response.status_code == 404 and response.json() == {"errors": ["File has not been uploaded"]}


def test_the_json_form_answers_metadata_for_the_sdk(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any]) -> None:
    # content.getFile parses GET /blobs/{uid}.json as JSON: a redirect to bytes would break it.
    for headers in ({**bob, **SDK_HEADERS}, bob):
        response = qbf.client.get(f"/blobs/{private['uid']}.json", headers=headers)
        assert response.status_code == 200
        assert response.json()["blob"]["id"] == private["id"] and response.json()["blob"]["size"] == len(DATA)
    assert qbf.client.get(f"/blobs/{private['uid']}.json").status_code == 401
    public = uploaded_blob(qbf.client, bob, b"x", public=True)
    assert qbf.client.get(f"/blobs/{public['uid']}.json").json()["blob"]["public"] is True


def test_download_by_id_redirects_to_a_signed_link(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any]) -> None:
    response = qbf.client.get(f"/blobs/{private['id']}/download.json", headers=bob, follow_redirects=False)
    assert response.status_code == 302
    link = response.headers["location"]
    query = parse_qs(urlsplit(link).query)
    assert link.startswith(f"https://testserver/blobs/{private['uid']}?") and set(query) == {"expires", "signature"}
    followed = qbf.client.get(link)  # no token: the link is the authority
    assert followed.status_code == 200 and followed.content == DATA


def test_download_by_id_of_a_public_blob_redirects_to_its_plain_link(qbf: QBFiles, bob: dict[str, str]) -> None:
    public = uploaded_blob(qbf.client, bob, b"open", public=True)
    response = qbf.client.get(f"/blobs/{public['id']}/download.json", headers=bob, follow_redirects=False)
    assert response.headers["location"] == f"https://testserver/blobs/{public['uid']}"


def _signed(qbf: QBFiles, blob: dict[str, Any], *, purpose: str = "download", expires_in: float = 60,
            blob_for_signature: dict[str, Any] | None = None) -> dict[str, str]:
    target = blob_for_signature or blob
    expires = format_expiry(time.time() + expires_in)
    return {"expires": expires, "signature": sign_link(qbf.credentials.auth_secret, purpose,
                                                       (str(target["id"]), target["uid"]), expires)}


def test_signed_link_rejections(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any]) -> None:
    other = uploaded_blob(qbf.client, bob, b"other", name="other.pdf", content_type="application/pdf")
    good = _signed(qbf, private)
    assert qbf.client.get(f"/blobs/{private['uid']}", params=good).content == DATA
    cases = {
        "expired": _signed(qbf, private, expires_in=-5),
        "tampered": {**good, "signature": good["signature"][:-1] + ("0" if good["signature"][-1] != "0" else "1")},
        "extended": {**good, "expires": "2999-01-01 00:00:00 UTC"},
        "other-blob": _signed(qbf, private, blob_for_signature=other),
        "upload-grant": _signed(qbf, private, purpose="upload"),
        "no-signature": {"expires": good["expires"]},
    }
    for name, query in cases.items():
        response = qbf.client.get(f"/blobs/{private['uid']}", params=query)
        assert response.status_code == 403, name
        assert response.json() == {"errors": ["Signed link is invalid or has expired"]}, name


@pytest.mark.parametrize("header, status, first, last", [
    ("bytes=0-99", 206, 0, 99),
    ("bytes=10000-", 206, 10000, 10239),
    ("bytes=-40", 206, 10200, 10239),
    ("bytes=10200-99999", 206, 10200, 10239),
    ("bytes=5-5", 206, 5, 5),
], ids=["first-100", "open-ended", "suffix", "past-the-end", "one-byte"])
def test_ranges(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any], header: str, status: int,
                first: int, last: int) -> None:
    response = qbf.client.get(f"/blobs/{private['uid']}", headers={**bob, "Range": header})
    assert response.status_code == status
    assert response.content == DATA[first:last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert response.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=50-10", "bytes=-0", "bytes=abc"],
                         ids=["at-the-end", "beyond", "reversed", "empty-suffix", "garbled"])
def test_unsatisfiable_ranges_are_416(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any], header: str) -> None:
    response = qbf.client.get(f"/blobs/{private['uid']}", headers={**bob, "Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"
    assert response.json() == {"errors": ["Requested range not satisfiable"]}


@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-1,5-6"], ids=["other-unit", "multiple-ranges"])
def test_ranges_we_do_not_serve_get_the_whole_file(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any],
                                                  header: str) -> None:
    response = qbf.client.get(f"/blobs/{private['uid']}", headers={**bob, "Range": header})
    assert response.status_code == 200 and response.content == DATA


def test_head_sends_the_headers_only(qbf: QBFiles, bob: dict[str, str], private: dict[str, Any]) -> None:
    response = qbf.client.head(f"/blobs/{private['uid']}", headers=bob)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(len(DATA))


def test_odd_names_are_safe_in_the_content_disposition(qbf: QBFiles, bob: dict[str, str]) -> None:
    blob = uploaded_blob(qbf.client, bob, b"x", name='we"ird\\ 名前.txt', content_type="text/plain")
    response = qbf.client.get(f"/blobs/{blob['uid']}", headers=bob)
    assert response.headers["content-disposition"] == (
        "inline; filename=\"we_ird_ __.txt\"; filename*=UTF-8''we%22ird%5C%20%E5%90%8D%E5%89%8D.txt")
    assert response.headers["content-type"] == "text/plain"  # as stored: no charset appended
