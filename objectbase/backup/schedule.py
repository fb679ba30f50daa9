"""Scheduled backups while serving: `serve --backup-every 6h --backup-keep 7 --backup-to DIR|s3://bucket/prefix`.

Every worker runs the scheduler thread, and one at a time takes a round (storage's `one_worker`: an
advisory lock on PostgreSQL, a lock file on SQLite; the others skip it). The holder backs up only when
the newest archive is at least an interval old, so N workers make one backup per interval and a restart
makes no extra one. An archive is named by the UTC second it began (objectbase-backup-20261203T091700Z.tar),
which is also where "newest" is read from; pruning deletes only names of that pattern, oldest first.
An archive appears whole or not at all: a folder gets it by rename (`write_archive`), S3 when its
upload completes."""

from __future__ import annotations

import calendar
import contextlib
import logging
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from objectbase.backup.progress import Advance
from objectbase.backup.snapshot import BackupSummary, take_backup
from objectbase.files import FileStore
from objectbase.settings import Settings
from objectbase.storage import SqlStorage
from objectbase.storage.worker_lock import BACKUP_LOCK, one_worker

__all__ = ["BackupStopped", "BackupTarget", "FolderTarget", "S3Target", "Schedule", "backup_name", "open_target",
           "start_backups", "taken_at"]

log = logging.getLogger(__name__)

_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^objectbase-backup-([0-9]{8}T[0-9]{6}Z)\.tar$")
# What `write_archive` leaves behind when its process is killed mid-backup.
_PARTIAL = re.compile(r"^\.objectbase-backup-[0-9]{8}T[0-9]{6}Z\.tar\..+\.partial$")
# The longest a worker sleeps between looks at the target (another worker may have backed up meanwhile).
_MAX_WAIT = 60.0
# After a failed round, the longest a worker waits before it tries again.
_RETRY_WAIT = 600.0


def backup_name(at: float) -> str:
    return f"objectbase-backup-{time.strftime(_STAMP, time.gmtime(at))}.tar"


def taken_at(name: str) -> float | None:
    """When the backup of that name began (Unix seconds), or None when it is not a scheduled backup's name."""
    match = _NAME.match(name)
    return None if match is None else float(calendar.timegm(time.strptime(match.group(1), _STAMP)))


class BackupStopped(Exception):
    """The server is shutting down: the backup in progress is dropped (no archive is left)."""


class _StopAware:
    """The backup's progress: nothing shown, but each row checks whether the server is stopping."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop

    @contextlib.contextmanager
    def step(self, name: str, total: int, *, unit: str) -> Iterator[Advance]:
        def advance(_count: int) -> None:
            if self._stop.is_set():
                raise BackupStopped
        yield advance


class BackupTarget(Protocol):
    def names(self) -> list[str]:
        """The scheduled backups there, oldest first."""

    def write(self, name: str, storage: SqlStorage, files: FileStore, stop: threading.Event) -> BackupSummary:
        """A new backup under `name`, visible only once whole."""

    def delete(self, name: str) -> None: ...


class FolderTarget:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return str(self.folder)

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(path.name for path in self.folder.iterdir() if _NAME.match(path.name))

    def write(self, name: str, storage: SqlStorage, files: FileStore, stop: threading.Event) -> BackupSummary:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Only the lock holder writes here: a partial archive is one a killed worker left.
        for path in self.folder.iterdir():
            if _PARTIAL.match(path.name):
                path.unlink(missing_ok=True)
        return take_backup(storage, files, self.folder / name, _StopAware(stop))

    def delete(self, name: str) -> None:
        if _NAME.match(name):
            (self.folder / name).unlink(missing_ok=True)


class S3Target:
    """Archives as objects `<prefix>/objectbase-backup-….tar`, written to a spool file first (a tar's
    members need their sizes), then uploaded in parts; the object appears when the upload completes."""

    def __init__(self, client: Any, bucket: str, prefix: str, part_bytes: int, spool_dir: Path) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.part_bytes = part_bytes
        self.spool_dir = spool_dir

    def __repr__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def names(self) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        found = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}objectbase-backup-"):
            found += [str(item["Key"])[len(self.prefix):] for item in page.get("Contents", [])]
        return sorted(name for name in found if _NAME.match(name))

    def write(self, name: str, storage: SqlStorage, files: FileStore, stop: threading.Event) -> BackupSummary:
        from objectbase.files.s3 import S3FileWriter  # loads boto3, which only an S3 target needs

        self._abort_stale_uploads()
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.spool_dir, prefix=".backup-") as spool:
            archive = Path(spool) / name
            summary = take_backup(storage, files, archive, _StopAware(stop))
            writer = S3FileWriter(self.client, self.bucket, self.prefix + name, "application/x-tar", self.part_bytes)
            try:
                with archive.open("rb") as source:
                    while chunk := source.read(self.part_bytes):
                        if stop.is_set():
                            raise BackupStopped
                        writer.write(chunk)
                writer.commit()
            except BaseException:
                writer.abort()
                raise
        summary.path = f"s3://{self.bucket}/{self.prefix}{name}"
        return summary

    def _abort_stale_uploads(self) -> None:
        """Uploads a killed worker began and never completed (only the lock holder uploads)."""
        listed = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=f"{self.prefix}objectbase-backup-")
        for upload in listed.get("Uploads", []):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])

    def delete(self, name: str) -> None:
        if _NAME.match(name):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)


def open_target(settings: Settings) -> BackupTarget:
    """The target --backup-to names; ValueError for a URL that is no folder nor s3://bucket[/prefix]."""
    if not settings.backup_to.startswith("s3://"):
        if "://" in settings.backup_to:
            raise ValueError(f"unsupported --backup-to {settings.backup_to!r}; use a folder or s3://bucket/prefix")
        return FolderTarget(settings.backup_dir)
    from objectbase.files.s3 import make_s3_client, parse_s3_url

    bucket, prefix = parse_s3_url(settings.backup_to)
    client = make_s3_client(settings.s3_endpoint_url, settings.s3_region, settings.s3_access_key_id,
                            settings.s3_secret_access_key)
    return S3Target(client, bucket, prefix, settings.s3_part_bytes, Path(settings.data_dir).resolve())


@dataclass
class Schedule:
    storage: SqlStorage
    files: FileStore
    target: BackupTarget
    interval: int
    keep: int
    lock_file: Path

    def due_in(self, names: list[str], now: float) -> float:
        """Seconds until the next backup is due after the newest of `names` (0 or less: due now)."""
        newest = taken_at(names[-1]) if names else None
        return 0.0 if newest is None else newest + self.interval - now

    def run_round(self, stop: threading.Event | None = None) -> str | None:
        """A backup if one is due and no other worker holds the round; its name, or None."""
        with one_worker(self.storage, BACKUP_LOCK, self.lock_file) as got:
            if not got:
                return None
            now = time.time()
            if self.due_in(self.target.names(), now) > 0:
                return None
            name = backup_name(now)
            summary = self.target.write(name, self.storage, self.files, stop or threading.Event())
            log.info("scheduled backup written to %s: %d rows, %d files, %d bytes in %.1fs", summary.path,
                     sum(summary.tables.values()), summary.files, summary.bytes, summary.seconds)
            names = self.target.names()
            for old in names[:max(len(names) - self.keep, 0)]:
                self.target.delete(old)
            return name

    def next_wait(self) -> float:
        """How long to sleep before the next look: until the next backup is due, at most a minute."""
        return min(max(self.due_in(self.target.names(), time.time()), 0.2), _MAX_WAIT, float(self.interval))


def start_backups(storage: SqlStorage, files: FileStore, settings: Settings) -> Callable[[], None]:
    """Runs the schedule in a daemon thread; returns the function that stops it (at server shutdown),
    which drops a backup in progress."""
    interval = settings.backup_interval
    assert interval is not None
    schedule = Schedule(storage, files, open_target(settings), interval, settings.backup_keep,
                        Path(settings.data_dir).resolve() / "backup.lock")
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                schedule.run_round(stop)
                wait = schedule.next_wait()
            except BackupStopped:
                return
            except Exception:  # a failed round must not end the thread, nor the worker
                log.exception("scheduled backup to %s failed; trying again later", schedule.target)
                wait = min(float(interval), _RETRY_WAIT)
            stop.wait(wait)

    thread = threading.Thread(target=run, name="objectbase-scheduled-backups", daemon=True)
    thread.start()

    def stop_backups() -> None:
        stop.set()
        thread.join(timeout=10)
    return stop_backups
