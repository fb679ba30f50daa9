"""The Content calls the SDK makes, as small helpers for the HTTP tests."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.files.multipart import FilePart, multipart, upload_fields

__all__ = ["SDK_HEADERS", "complete", "create_blob", "upload", "uploaded_blob"]

SDK_HEADERS = {"QB-OS": "Node.js v20 - linux - x64", "QB-SDK": "JS 2.23.0 - Client"}


def create_blob(client: TestClient, headers: dict[str, str], **blob: Any) -> dict[str, Any]:
    blob.setdefault("content_type", "image/jpeg")
    blob.setdefault("name", "museum.jpeg")
    response = client.post("/blobs.json", json={"blob": blob}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["blob"]
    return created


def upload(client: TestClient, blob: dict[str, Any], data: bytes, filename: str | bytes = "museum.jpeg",
           headers: dict[str, str] | None = None, content_type: str | None = "image/jpeg") -> Any:
    """As the SDK does: every `params` field (decoded), then `file`, then `name`."""
    url, fields = upload_fields(blob["blob_object_access"]["params"])
    name = filename if isinstance(filename, str) else filename.decode("latin-1")
    body, form_headers = multipart(*fields, FilePart("file", filename, data, content_type), ("name", name))
    return client.post(url, content=body, headers={**SDK_HEADERS, **(headers or {}), **form_headers})


def complete(client: TestClient, headers: dict[str, str], blob_id: int, size: Any) -> Any:
    return client.put(f"/blobs/{blob_id}/complete.json", data={"size": str(size)},
                      headers={**SDK_HEADERS, **headers})


def uploaded_blob(client: TestClient, headers: dict[str, str], data: bytes, **blob: Any) -> dict[str, Any]:
    """create + upload + complete, as the SDK's content.createAndUpload does."""
    created = create_blob(client, headers, **blob)
    assert upload(client, created, data, headers=headers).status_code == 201
    assert complete(client, headers, created["id"], len(data)).status_code == 200
    return created
