"""Files in a local folder (the default: `<data dir>/files`).

Layout: committed bytes at `<root>/objects/<key>`; writes in progress at `<root>/tmp/<random>.part`,
on the same file system, so `commit()` is one `os.replace` and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import BinaryIO, Iterator

from objectbase.core.errors import NotFoundError, UnavailableError
from objectbase.files.base import READ_CHUNK_BYTES, check_key

__all__ = ["LocalFileStore", "LocalFileWriter"]

# Temporary files older than this are left over from a crash (a live upload touches its file
# continuously); they are removed when a store opens.
_STALE_TEMP_SECONDS = 24 * 3600


class LocalFileWriter:
    def __init__(self, temp_path: Path, final_path: Path) -> None:
        self._temp = temp_path
        self._final = final_path
        self._file: BinaryIO | None = open(temp_path, "xb")
        self._size = 0
        self._done = False

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise RuntimeError("writer is closed")
        self._file.write(data)
        self._size += len(data)

    def commit(self) -> int:
        if self._file is None:
            raise RuntimeError("writer is closed")
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            self._final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._temp, self._final)
        except BaseException:
            self.abort()
            raise
        self._done = True
        return self._size

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if not self._done:
            self._temp.unlink(missing_ok=True)
            self._done = True


class LocalFileStore:
    local = True

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self._objects = self.root / "objects"
        self._tmp = self.root / "tmp"
        self._objects.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._sweep_stale_temporaries()

    def __repr__(self) -> str:
        return f"LocalFileStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self._objects / check_key(key)).resolve()
        # check_key already forbids `..`; this guards against symlinks planted inside the folder.
        if not path.is_relative_to(self._objects):
            raise ValueError(f"key {key!r} leaves the files folder")
        return path

    def _sweep_stale_temporaries(self) -> None:
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for leftover in self._tmp.glob("*.part"):
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()

    def writer(self, key: str, content_type: str) -> LocalFileWriter:
        final = self._path(key)
        return LocalFileWriter(self._tmp / f"{secrets.token_hex(16)}.part", final)

    def open(self, key: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        try:
            handle = open(self._path(key), "rb")
        except FileNotFoundError:
            raise NotFoundError("File not found", code="file_not_found") from None
        return self._chunks(handle, start, length)

    @staticmethod
    def _chunks(handle: BinaryIO, start: int, length: int | None) -> Iterator[bytes]:
        with handle:
            handle.seek(start)
            remaining = length
            while remaining is None or remaining > 0:
                chunk = handle.read(READ_CHUNK_BYTES if remaining is None else min(READ_CHUNK_BYTES, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix.rstrip("/")), ignore_errors=True)

    def keys(self, prefix: str = "") -> list[str]:
        base = self._path(prefix.rstrip("/")) if prefix else self._objects
        return sorted(str(p.relative_to(self._objects)) for p in base.rglob("*") if p.is_file())

    def temporaries(self) -> list[str]:
        """Writes in progress (or left by a crash); tests use it to check nothing was left behind."""
        return sorted(p.name for p in self._tmp.iterdir())

    def ping(self) -> None:
        if not os.access(self._objects, os.W_OK) or not os.access(self._tmp, os.W_OK):
            raise UnavailableError("The files folder is not writable", code="files_unavailable")
