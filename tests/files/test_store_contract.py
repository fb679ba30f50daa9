"""One contract for every FileStore: local folder and S3-compatible (moto). Never forked per backend."""

from __future__ import annotations

import hashlib
import os
from typing import Any, Iterator

import pytest

from objectbase.core.errors import NotFoundError
from objectbase.files.base import FileStore, check_key
from tests.conftest import FILES_BACKENDS, FILES_S3_PART_BYTES


@pytest.fixture(params=FILES_BACKENDS)
def store(request: pytest.FixtureRequest, make_file_store: Any) -> Iterator[FileStore]:
    fresh: FileStore = make_file_store(request.param)
    yield fresh
    assert fresh.temporaries() == []  # type: ignore[attr-defined]  # no test may leave a half-write


def write(store: FileStore, key: str, *chunks: bytes) -> int:
    writer = store.writer(key, "application/octet-stream")
    for chunk in chunks:
        writer.write(chunk)
    return writer.commit()


def read(store: FileStore, key: str, start: int = 0, length: int | None = None) -> bytes:
    return b"".join(store.open(key, start, length))


def test_written_bytes_read_back_after_commit(store: FileStore) -> None:
    assert write(store, "apps/1/blobs/abc", b"hello ", b"world") == 11
    assert read(store, "apps/1/blobs/abc") == b"hello world"
    assert store.size("apps/1/blobs/abc") == 11
    assert store.keys("apps/1") == ["apps/1/blobs/abc"]


def test_nothing_is_visible_before_commit(store: FileStore) -> None:
    writer = store.writer("apps/1/blobs/pending", "text/plain")
    writer.write(b"x" * 1000)
    assert store.size("apps/1/blobs/pending") is None
    assert store.keys() == []
    writer.commit()
    assert store.size("apps/1/blobs/pending") == 1000


def test_abort_leaves_nothing(store: FileStore) -> None:
    writer = store.writer("apps/1/blobs/aborted", "text/plain")
    writer.write(b"x" * 100)
    writer.abort()
    writer.abort()  # twice is harmless
    assert store.keys() == [] and store.size("apps/1/blobs/aborted") is None


def test_abort_after_parts_were_sent_leaves_nothing(store: FileStore) -> None:
    # Bigger than one S3 part: the multipart upload has begun and must be aborted, not left behind.
    writer = store.writer("apps/1/blobs/big", "application/octet-stream")
    writer.write(os.urandom(FILES_S3_PART_BYTES + 1024))
    writer.abort()
    assert store.keys() == []


def test_multi_part_file_round_trips(store: FileStore) -> None:
    data = os.urandom(2 * FILES_S3_PART_BYTES + 12345)
    chunks = [data[i:i + 300_000] for i in range(0, len(data), 300_000)]
    assert write(store, "apps/2/classes/3/f", *chunks) == len(data)
    assert hashlib.sha256(read(store, "apps/2/classes/3/f")).digest() == hashlib.sha256(data).digest()


def test_empty_file(store: FileStore) -> None:
    assert write(store, "apps/1/blobs/empty") == 0
    assert read(store, "apps/1/blobs/empty") == b""
    assert store.size("apps/1/blobs/empty") == 0


@pytest.mark.parametrize("start, length, expected", [
    (0, 5, b"01234"), (5, None, b"56789"), (3, 4, b"3456"), (9, 1, b"9"), (0, 0, b""),
])
def test_ranges(store: FileStore, start: int, length: int | None, expected: bytes) -> None:
    write(store, "apps/1/blobs/digits", b"0123456789")
    assert read(store, "apps/1/blobs/digits", start, length) == expected


def test_rewriting_a_key_replaces_it_whole(store: FileStore) -> None:
    write(store, "apps/1/blobs/k", b"old old old")
    write(store, "apps/1/blobs/k", b"new")
    assert read(store, "apps/1/blobs/k") == b"new"


def test_missing_key(store: FileStore) -> None:
    assert store.size("apps/1/blobs/none") is None
    with pytest.raises(NotFoundError):
        read(store, "apps/1/blobs/none")
    store.delete("apps/1/blobs/none")  # deleting what is not there is not an error


def test_delete_and_delete_prefix(store: FileStore) -> None:
    for key in ("apps/1/blobs/a", "apps/1/blobs/b", "apps/1/classes/2/c", "apps/10/blobs/d"):
        write(store, key, b"x")
    store.delete("apps/1/blobs/a")
    assert store.keys("apps/1") == ["apps/1/blobs/b", "apps/1/classes/2/c"]
    store.delete_prefix("apps/1")
    # A prefix is a folder: apps/10 is not under apps/1.
    assert store.keys() == ["apps/10/blobs/d"]


@pytest.mark.parametrize("key", ["../escape", "apps/../../etc/passwd", "/abs", "a//b", "A/B", "a/b/",
                                 "name with space", "x\x00y", "apps/1/blobs/ü", ""])
def test_keys_that_could_reach_a_path_are_refused(store: FileStore, key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)
    with pytest.raises(ValueError):
        store.writer(key, "text/plain")
    with pytest.raises(ValueError):
        store.open(key)


def test_ping(store: FileStore) -> None:
    store.ping()
