"""Uploads and downloads stream: a file much larger than the configured memory bound goes through
the API without the server holding it.

What is measured: tracemalloc's peak of Python heap allocations, process-wide, from just before the
request to just after it. The request body comes from a generator re-yielding one 64 KiB bytes object
and the response is hashed and discarded, so the test's own side allocates almost nothing; the S3
server (moto) runs in another process and is not counted. Not counted either: memory outside the
Python allocator (the OS page cache, C libraries' own buffers) — the benchmark in bench/files/
reports the server process's peak RSS for that.
"""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.core.services import Services
from objectbase.settings import Settings
from objectbase.storage import SqlStorage
from tests.conftest import FILES_BACKENDS, FILES_S3_PART_BYTES, QBFiles
from tests.files.asgi import call
from tests.files.flows import complete, create_blob
from tests.files.multipart import upload_fields

MiB = 1024 * 1024
FILE_BYTES = 24 * MiB
CHUNK = bytes(range(256)) * 256  # 64 KiB, the size of a typical server read
BUFFER_BYTES = 256 * 1024
# The bound each backend should keep to: local holds one buffer (plus the chunk in flight and the
# copy handed to the writer thread); S3 also holds the one part being filled and sent.
BOUNDS = {"local": 2 * MiB, "s3": FILES_S3_PART_BYTES + 2 * MiB}


@pytest.fixture(params=FILES_BACKENDS)
def big(request: pytest.FixtureRequest, storage: SqlStorage, make_file_store: Any,
        tmp_path_factory: pytest.TempPathFactory) -> tuple[str, QBFiles]:
    store = make_file_store(request.param)
    settings = Settings(data_dir=str(tmp_path_factory.mktemp("data")), max_upload_bytes=64 * MiB,
                        upload_buffer_bytes=BUFFER_BYTES, s3_part_bytes=FILES_S3_PART_BYTES)
    services = Services.build(storage, files=store, max_upload_bytes=settings.max_upload_bytes)
    client = TestClient(build_app(settings, services), base_url="https://testserver")
    qbf = QBFiles(client, services, services.apps.create_app(f"big-{uuid.uuid4().hex[:8]}"), store=store)
    return str(request.param), qbf


def _body(boundary: str, fields: list[tuple[str, str]]) -> Iterator[bytes]:
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields)
    yield head + (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
                  "Content-Type: application/octet-stream\r\n\r\n").encode()
    for _ in range(FILE_BYTES // len(CHUNK)):
        yield CHUNK
    yield f"\r\n--{boundary}--\r\n".encode()


def _expected_sha256() -> str:
    digest = hashlib.sha256()
    for _ in range(FILE_BYTES // len(CHUNK)):
        digest.update(CHUNK)
    return digest.hexdigest()


def _peak(function: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _upload_target(qbf: QBFiles) -> tuple[dict[str, str], dict[str, Any], str, list[tuple[str, str]], str,
                                          dict[str, str]]:
    """A new blob of user bob: (his session headers, the blob, upload URL, form fields, boundary, request headers)."""
    qbf.make_user("bob")
    bob = qbf.headers("bob")
    blob = create_blob(qbf.client, bob, content_type="application/octet-stream", name="big.bin")
    url, fields = upload_fields(blob["blob_object_access"]["params"])
    boundary = uuid.uuid4().hex
    return bob, blob, url, fields, boundary, {"content-type": f"multipart/form-data; boundary={boundary}"}


def test_a_file_far_larger_than_the_memory_bound_streams_both_ways(big: tuple[str, QBFiles]) -> None:
    backend, qbf = big
    bob, blob, url, fields, boundary, headers = _upload_target(qbf)

    uploaded, upload_peak = _peak(lambda: call(qbf.client.app, "POST", url.removeprefix("https://testserver"),
                                               headers, _body(boundary, fields)))
    assert uploaded.status == 201, uploaded.body
    assert complete(qbf.client, bob, blob["id"], FILE_BYTES).status_code == 200

    downloaded, download_peak = _peak(lambda: call(qbf.client.app, "GET", f"/blobs/{blob['uid']}", bob))
    assert downloaded.status == 200 and downloaded.size == FILE_BYTES
    assert downloaded.sha256 == _expected_sha256()

    print(f"\n{backend}: {FILE_BYTES // MiB} MiB file, peak Python heap: upload {upload_peak / MiB:.1f} MiB, "
          f"download {download_peak / MiB:.1f} MiB (bound {BOUNDS[backend] / MiB:.0f} MiB)")
    assert upload_peak < BOUNDS[backend] < FILE_BYTES / 2
    assert download_peak < 2 * MiB


def test_an_interrupted_upload_leaves_nothing(big: tuple[str, QBFiles]) -> None:
    _backend, qbf = big
    bob, blob, url, fields, boundary, headers = _upload_target(qbf)
    before = qbf.state()
    body = _body(boundary, fields)
    # Past one S3 part (so a multipart upload had begun), then the client goes away.
    sent = [next(body) for _ in range(FILES_S3_PART_BYTES // len(CHUNK) + 20)]
    reply = call(qbf.client.app, "POST", url.removeprefix("https://testserver"), headers, [*sent, None])
    assert reply.status == 400
    assert qbf.state() == before
    info = qbf.client.get(f"/blobs/{blob['id']}.json", headers=bob).json()["blob"]
    assert info["size"] is None and info["blob_status"] is None
