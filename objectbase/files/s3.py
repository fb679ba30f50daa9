"""Files in S3-compatible storage (`--files-url s3://bucket/prefix`), through boto3.

Writes are invisible until commit: bytes go to S3 as a multipart upload, whose parts no reader can
see until CompleteMultipartUpload joins them under the key in one step; a file smaller than one
part is sent as one PutObject at commit. Abort (or a crash: see docs/files.md for the bucket's
AbortIncompleteMultipartUpload rule) leaves no object.

Memory: one writer holds at most one part (`part_bytes`, S3's minimum is 5 MiB) plus the chunk
being added; the filled buffer itself is sent, not a copy.
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Literal
from urllib.parse import urlsplit

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from objectbase.core.errors import NotFoundError, UnavailableError
from objectbase.files.base import READ_CHUNK_BYTES, check_key

__all__ = ["MIN_PART_BYTES", "S3FileStore", "S3FileWriter", "make_s3_client", "parse_s3_url"]

MIN_PART_BYTES = 5 * 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"expected s3://bucket[/prefix], got {url!r}")
    return parts.netloc, parts.path.strip("/")


def make_s3_client(endpoint_url: str = "", region: str = "", access_key_id: str = "",
                   secret_access_key: str = "") -> Any:
    """A client from explicit settings, else boto3's usual sources (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …)."""
    config = Config(
        # S3-compatible servers (MinIO, Ceph, moto, …) differ in their support of the newer default
        # CRC checksums; send them only where S3 requires them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"mode": "standard", "max_attempts": 3},
        s3={"addressing_style": "path"} if endpoint_url or os.environ.get("AWS_ENDPOINT_URL") else None,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or os.environ.get("AWS_REGION") or None,
        aws_access_key_id=access_key_id or None,
        aws_secret_access_key=secret_access_key or None,
        config=config,
    )


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3FileWriter:
    def __init__(self, client: Any, bucket: str, key: str, content_type: str, part_bytes: int) -> None:
        self._client, self._bucket, self._key = client, bucket, key
        self._content_type = content_type
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._size = 0
        self._closed = False

    def write(self, data: bytes) -> None:
        if self._closed:
            raise RuntimeError("writer is closed")
        self._buffer += data
        self._size += len(data)
        while len(self._buffer) >= self._part_bytes:
            # Send the filled buffer itself; only the few bytes past the part boundary are copied.
            part, self._buffer = self._buffer, self._buffer[self._part_bytes:]
            del part[self._part_bytes:]
            self._send_part(part)

    def _send_part(self, body: bytes | bytearray) -> None:
        with _translated():
            if self._upload_id is None:
                self._upload_id = self._client.create_multipart_upload(
                    Bucket=self._bucket, Key=self._key, ContentType=self._content_type)["UploadId"]
            number = len(self._parts) + 1
            etag = self._client.upload_part(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                                            PartNumber=number, Body=body)["ETag"]
        self._parts.append({"PartNumber": number, "ETag": etag})

    def commit(self) -> int:
        if self._closed:
            raise RuntimeError("writer is closed")
        try:
            if self._upload_id is None:
                with _translated():
                    self._client.put_object(Bucket=self._bucket, Key=self._key, Body=self._buffer,
                                            ContentType=self._content_type)
            else:
                if self._buffer:
                    self._send_part(self._buffer)
                with _translated():
                    self._client.complete_multipart_upload(
                        Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                        MultipartUpload={"Parts": self._parts})
                self._upload_id = None
        except BaseException:
            self.abort()
            raise
        self._buffer = bytearray()
        self._closed = True
        return self._size

    def abort(self) -> None:
        self._closed = True
        self._buffer = bytearray()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            try:
                self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=upload_id)
            except (BotoCoreError, ClientError):
                pass  # the bucket's lifecycle rule for incomplete uploads is the backstop


class _translated:
    """botocore errors -> core errors at the files boundary (as storage/errors.py does for SQL)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> Literal[False]:
        if isinstance(error, ClientError) and _is_missing(error):
            raise NotFoundError("File not found", code="file_not_found") from error
        if isinstance(error, (BotoCoreError, ClientError)):
            raise UnavailableError("The files backend did not answer", code="files_unavailable") from error
        return False


class S3FileStore:
    local = False

    def __init__(self, client: Any, bucket: str, prefix: str = "", part_bytes: int = 8 * 1024 * 1024) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 parts must be at least {MIN_PART_BYTES} bytes")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.part_bytes = part_bytes

    def __repr__(self) -> str:
        return f"S3FileStore(s3://{self.bucket}/{self.prefix})"

    def _object(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def writer(self, key: str, content_type: str) -> S3FileWriter:
        return S3FileWriter(self.client, self.bucket, self._object(key), content_type, self.part_bytes)

    def open(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        if length == 0:
            if self.size(key) is None:
                raise NotFoundError("File not found", code="file_not_found")
            return iter(())
        extra: dict[str, str] = {}
        if start or length is not None:
            extra["Range"] = f"bytes={start}-{'' if length is None else start + length - 1}"
        with _translated():
            body = self.client.get_object(Bucket=self.bucket, Key=self._object(key), **extra)["Body"]
        return self._chunks(body)

    @staticmethod
    def _chunks(body: Any) -> Iterator[bytes]:
        try:
            with _translated():
                yield from body.iter_chunks(READ_CHUNK_BYTES)
        finally:
            body.close()

    def size(self, key: str) -> int | None:
        try:
            with _translated():
                size: int = self.client.head_object(Bucket=self.bucket, Key=self._object(key))["ContentLength"]
        except NotFoundError:
            return None
        return size

    def delete(self, key: str) -> None:
        with _translated():
            self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def _listed(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        with _translated():
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield str(item["Key"])

    def delete_prefix(self, prefix: str) -> None:
        full = self._object(prefix.rstrip("/")) + "/"
        batch: list[dict[str, str]] = []
        for name in self._listed(full):
            batch.append({"Key": name})
            if len(batch) == 1000:  # DeleteObjects takes at most 1000 keys
                self._delete_batch(batch)
                batch = []
        if batch:
            self._delete_batch(batch)

    def _delete_batch(self, batch: list[dict[str, str]]) -> None:
        with _translated():
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def keys(self, prefix: str = "") -> list[str]:
        root = f"{self.prefix}/" if self.prefix else ""
        full = root + (check_key(prefix.rstrip("/")) + "/" if prefix else "")
        return sorted(name[len(root):] for name in self._listed(full))

    def temporaries(self) -> list[str]:
        """Multipart uploads begun and neither completed nor aborted (tests check none is left)."""
        with _translated():
            found = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix)
        return sorted(str(u["Key"]) for u in found.get("Uploads", []))

    def ping(self) -> None:
        with _translated():
            self.client.head_bucket(Bucket=self.bucket)
