"""The backup archive: a plain tar of JSON-lines tables, file bytes and a manifest of checksums.

Written under a temporary name in the target's folder and renamed once complete, so an archive
at the given name is always whole. Read twice on restore: once to verify every checksum (nothing is
written before that), once to load."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

import orjson

from objectbase.files.base import check_key

__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST", "ArchiveError", "ArchiveReader", "ArchiveWriter", "Member",
           "json_lines", "write_archive"]

FORMAT = "objectbase-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 256 * 1024


class ArchiveError(Exception):
    """The archive cannot be restored: the message names the problem and the fix."""


@dataclass(frozen=True)
class Member:
    sha256: str
    size: int


class ArchiveWriter:
    """Adds members to an open tar, recording each one's SHA-256 and size for the manifest."""

    def __init__(self, tar: tarfile.TarFile, spool_dir: Path) -> None:
        self._tar = tar
        self._spool_dir = spool_dir
        self.members: dict[str, Member] = {}

    def add_chunks(self, name: str, chunks: Iterable[bytes]) -> Member:
        """Spools the chunks to a temporary file (a tar header needs the size first), then adds them."""
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile(dir=self._spool_dir) as spool:
            for chunk in chunks:
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            spool.seek(0)
            self._add(name, spool, size)
        member = self.members[name] = Member(digest.hexdigest(), size)
        return member

    def add_json_lines(self, name: str, rows: Iterable[dict[str, Any]]) -> int:
        """One member of one JSON object per line; returns the number of rows."""
        count = 0

        def lines() -> Iterator[bytes]:
            nonlocal count
            for row in rows:
                count += 1
                yield orjson.dumps(row) + b"\n"
        self.add_chunks(name, lines())
        return count

    def add_manifest(self, manifest: dict[str, Any]) -> None:
        data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
        self._add(MANIFEST, io.BytesIO(data), len(data))

    def _add(self, name: str, fileobj: IO[bytes], size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(time.time())
        self._tar.addfile(info, fileobj)


@contextlib.contextmanager
def write_archive(out: Path) -> Iterator[ArchiveWriter]:
    """An archive written to a hidden temporary name next to `out`, renamed to `out` only when the block
    completes; any failure or Ctrl-C removes the temporary file and leaves `out` untouched."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                yield ArchiveWriter(tar, out.parent)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class ArchiveReader:
    """Reads a backup archive; every problem is an `ArchiveError` saying what is wrong."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise ArchiveError(f"{path}: no such archive; give the file `objectbase backup --out` wrote")
        self.manifest = self._read_manifest()

    @contextlib.contextmanager
    def _open(self) -> Iterator[tarfile.TarFile]:
        try:
            with tarfile.open(self.path, mode="r:") as tar:
                yield tar
        except (tarfile.TarError, EOFError, OSError) as error:
            raise ArchiveError(f"{self.path}: not a readable backup archive, truncated or damaged ({error}); "
                               "use an intact copy of the archive") from error

    def _read_manifest(self) -> dict[str, Any]:
        with self._open() as tar:
            try:
                extracted = tar.extractfile(MANIFEST)
            except KeyError:
                extracted = None
            if extracted is None:
                raise ArchiveError(f"{self.path}: no {MANIFEST}; this is not an Objectbase backup, or it was "
                                   "cut short; use an intact copy of the archive")
            try:
                manifest = orjson.loads(extracted.read())
            except orjson.JSONDecodeError as error:
                raise ArchiveError(f"{self.path}: the manifest is not valid JSON ({error}); the archive was "
                                   "altered; use an intact copy") from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(f"{self.path}: not an Objectbase backup (its manifest names no {FORMAT!r} format)")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ArchiveError(
                f"{self.path}: backup format version {manifest.get('format_version')!r}, this Objectbase reads "
                f"version {FORMAT_VERSION}; restore with the Objectbase version that wrote it "
                f"({manifest.get('objectbase_version', 'unknown')})")
        _check_shape(self.path, manifest)
        return manifest

    def members(self) -> dict[str, Member]:
        listed = self.manifest.get("members")
        if not isinstance(listed, dict):
            raise ArchiveError(f"{self.path}: the manifest lists no members; the archive was altered")
        return {name: Member(str(m["sha256"]), int(m["size"])) for name, m in listed.items()}

    def verify(self, advance: Callable[[int], None] | None = None) -> None:
        """Every member's SHA-256 and size as the manifest says, and no member it does not list."""
        expected = self.members()
        seen: set[str] = set()
        with self._open() as tar:
            for info in tar:
                if info.name == MANIFEST:
                    continue
                want = expected.get(info.name)
                if want is None or not info.isfile():
                    raise ArchiveError(f"{self.path}: member {info.name!r} is not in the manifest; the archive "
                                       "was altered; use an intact copy")
                digest = hashlib.sha256()
                extracted = tar.extractfile(info)
                assert extracted is not None
                while chunk := extracted.read(_CHUNK):
                    digest.update(chunk)
                if digest.hexdigest() != want.sha256 or info.size != want.size:
                    raise ArchiveError(f"{self.path}: checksum mismatch in {info.name!r}; the archive is damaged "
                                       "or was altered; use an intact copy")
                seen.add(info.name)
                if advance is not None:
                    advance(1)
        missing = sorted(set(expected) - seen)
        if missing:
            raise ArchiveError(f"{self.path}: {len(missing)} member(s) missing (first: {missing[0]!r}); the archive "
                               "was cut short; use an intact copy")

    @contextlib.contextmanager
    def reading(self) -> Iterator[tarfile.TarFile]:
        with self._open() as tar:
            yield tar


def _check_shape(path: Path, manifest: dict[str, Any]) -> None:
    """What restore reads from the manifest, of the types it expects: a forged one is refused, not a crash."""
    def entries(name: str, keys: dict[str, type | tuple[type, ...]]) -> bool:
        listed = manifest.get(name)
        return isinstance(listed, list) and all(
            isinstance(e, dict) and all(isinstance(e.get(k), t) for k, t in keys.items()) for e in listed)
    ok = (entries("tables", {"name": str, "member": str, "rows": int, "class_id": (int, type(None))})
          and entries("files", {"key": str, "member": str, "content_type": str})
          and isinstance(manifest.get("migrations"), list) and all(isinstance(v, int) for v in manifest["migrations"])
          and isinstance(manifest.get("counters"), dict)
          and all(isinstance(k, str) and isinstance(v, int) for k, v in manifest["counters"].items())
          and isinstance(manifest.get("members"), dict)
          and all(isinstance(m, dict) and isinstance(m.get("sha256"), str) and isinstance(m.get("size"), int)
                  for m in manifest["members"].values()))
    if not ok:
        raise ArchiveError(f"{path}: the manifest is malformed; the archive was altered; use an intact copy")
    for entry in manifest["files"]:
        try:
            check_key(entry["key"])  # before anything is written, not when the files backend would refuse it
        except ValueError as error:
            raise ArchiveError(f"{path}: the manifest names a file key Objectbase never makes; the archive was "
                               "altered; use an intact copy") from error


def json_lines(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    for line in stream:
        if line.strip():
            yield orjson.loads(line)
