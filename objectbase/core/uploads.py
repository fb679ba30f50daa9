"""What both kinds of file share: an upload on its way to the files backend, a download, the
deletion of bytes after a commit, and the checks on client-given names and content types."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from objectbase.core.errors import LimitExceededError, UnavailableError
from objectbase.core.unit_of_work import Committing
from objectbase.files.base import FileStore, FileWriter

__all__ = [
    "FileDownload", "MissingFileStore", "Upload", "app_files_prefix", "clean_file_name", "delete_after_commit",
    "delete_prefix_after_commit", "text_ok", "valid_content_type",
]

log = logging.getLogger(__name__)

# `type/subtype` with optional parameters, printable ASCII only (it is echoed as a header).
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:\s*;[ -~]*)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class FileDownload:
    name: str
    content_type: str
    size: int
    key: str
    files: FileStore
    public: bool = False

    def open(self, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        return self.files.open(self.key, start, length)


class MissingFileStore:
    """Stands in when no files backend was configured: every use says so, nothing is silently local."""

    local = True  # it never waits on anything

    def _fail(self) -> Any:
        raise UnavailableError("No files backend is configured", code="files_unavailable")

    def writer(self, key: str, content_type: str) -> FileWriter:
        return self._fail()  # type: ignore[no-any-return]

    def open(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        return self._fail()  # type: ignore[no-any-return]

    def size(self, key: str) -> int | None:
        return self._fail()  # type: ignore[no-any-return]

    def delete(self, key: str) -> None:
        self._fail()

    def delete_prefix(self, prefix: str) -> None:
        self._fail()

    def keys(self, prefix: str = "") -> list[str]:
        return self._fail()  # type: ignore[no-any-return]

    def ping(self) -> None:
        self._fail()


class Upload:
    """Bytes on their way to the files backend under a generated key, within the size limit.

    `write` blocks (disk or network): adapters call it off the event loop. After `commit` the bytes
    exist under `key` but nothing refers to them until the service's transaction records them; if
    that fails, `discard` removes them.
    """

    def __init__(self, files: FileStore, key: str, content_type: str, max_bytes: int) -> None:
        self.files = files
        self.key = key
        self.max_bytes = max_bytes
        self.size = 0
        self._writer: FileWriter | None = files.writer(key, content_type)

    def write(self, data: bytes) -> None:
        if self._writer is None:
            raise RuntimeError("upload is closed")
        self.size += len(data)
        if self.size > self.max_bytes:
            self.abort()
            raise LimitExceededError(f"File is larger than {self.max_bytes} bytes", code="upload_too_large")
        self._writer.write(data)

    def commit(self) -> int:
        if self._writer is None:
            raise RuntimeError("upload is closed")
        writer, self._writer = self._writer, None
        self.size = writer.commit()
        return self.size

    def abort(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.abort()

    def discard(self) -> None:
        """Remove committed bytes nothing will refer to (their transaction failed)."""
        self.abort()
        self.files.delete(self.key)


def delete_after_commit(tx: Committing, files: FileStore, keys: Iterable[str | None]) -> None:
    """Delete these keys' bytes once `tx` commits (never if it rolls back)."""
    doomed = [key for key in keys if key]
    if not doomed:
        return

    def delete() -> None:
        for key in doomed:
            try:
                files.delete(key)
            except Exception:  # one failure must not keep the other files; the bytes are orphans now
                log.exception("could not delete file %s", key)
    tx.after_commit(delete)


def app_files_prefix(app_id: int) -> str:
    """Where every file of an app is kept: its blobs and its classes' File fields."""
    return f"apps/{app_id}/"


def delete_prefix_after_commit(tx: Committing, files: FileStore, prefix: str) -> None:
    """Delete every key under `prefix` once `tx` commits (a dropped class's or app's files)."""
    def delete() -> None:
        try:
            files.delete_prefix(prefix)
        except Exception:  # the drop is committed; the bytes are orphans now
            log.exception("could not delete the files under %s", prefix)
    tx.after_commit(delete)


def clean_file_name(name: str) -> str:
    """A file name as metadata only (it never reaches a path): no control characters, at most 255."""
    return _CONTROL.sub("", name)[:255]


def valid_content_type(value: Any) -> bool:
    return isinstance(value, str) and bool(_CONTENT_TYPE.match(value))


def text_ok(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from JSON; no database would store them
        return False
    return not _CONTROL.search(value)
