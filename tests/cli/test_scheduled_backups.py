"""Scheduled backups (issue 13): `serve --backup-every … --backup-keep … --backup-to DIR|s3://…` — a real
`serve --workers 2` on each backend backs up once a round, keeps the newest, and its archives restore;
one worker at a time (the loser skips); a failed round is logged and the next one works; S3 targets."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from objectbase.cli import main
from objectbase.backup.schedule import FolderTarget, S3Target, Schedule, backup_name, start_backups, taken_at
from objectbase.files.local import LocalFileStore
from objectbase.settings import Settings
from objectbase.storage import SqlStorage, open_storage
from objectbase.storage.worker_lock import BACKUP_LOCK, one_worker
from tests.cli.test_backup import cli, instance, populate, table_rows
from tests.conftest import FILES_BACKENDS, TEST_SECRETS
from tests.files.s3server import MotoServer, free_port


def test_the_interval_takes_units_and_bad_values_stop_serve(tmp_path: Path) -> None:
    assert [Settings(backup_every=v).backup_interval for v in ("30s", "15m", "6h", "1d", "")] == \
        [30, 900, 21600, 86400, None]
    data = ["--data-dir", str(tmp_path / "data")]
    cases = {
        ("--backup-every", "6x"): "is not a length of time such as 30s, 15m, 6h or 1d",
        ("--backup-every", "0s"): "is not a length of time",
        ("--backup-keep", "0"): "is not an integer of at least 1",
        ("--backup-to", str(tmp_path)): "--backup-to needs --backup-every",
        ("--backup-every", "1h", "--backup-to", "ftp://host/x"): "unsupported --backup-to 'ftp://host/x'",
        ("--backup-every", "1h", "--backup-to", "s3://"): "--backup-to: expected s3://bucket[/prefix]",
    }
    for args, message in cases.items():
        result = cli("serve", *data, *args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    from_env = CliRunner(env={"OBJECTBASE_BACKUP_EVERY": "soon"}).invoke(main, ["serve", *data])
    assert from_env.exit_code == 2 and "OBJECTBASE_BACKUP_EVERY" in from_env.output and "'soon'" in from_env.output


def _serve(args: list[str], data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OBJECTBASE_") or "ARGON2" in k or k == "OBJECTBASE_SECRET_KEY"}
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "objectbase", "serve", "--host", "127.0.0.1", "--port",
                                 str(free_port()), "--data-dir", str(data_dir), "--log-format", "json", *args],
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def _written(log: Path) -> list[str]:
    """The archives the workers say they wrote, in the order they said it."""
    lines = [json.loads(line) for line in log.read_text(errors="replace").splitlines() if line.startswith("{")]
    return [Path(line["message"].split(" written to ")[1].split(":")[0]).name for line in lines
            if line["message"].startswith("scheduled backup written to ")]


def test_two_workers_back_up_once_a_round_keep_the_newest_and_the_archives_restore(
        backend: str, make_database_url: Any, tmp_path: Path) -> None:
    url = make_database_url(backend)
    with instance(url, tmp_path / "source") as source:
        populate(source)
        rows = table_rows(source.storage)
    backups, log = tmp_path / "backups", tmp_path / "serve.log"
    server = _serve(["--database-url", url, "--workers", "2", "--backup-every", "1s", "--backup-keep", "2",
                     "--backup-to", str(backups)], tmp_path / "source", log)
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + 40
        while len(seen) < 3:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            seen.update(p.name for p in backups.glob("objectbase-backup-*.tar"))
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = _written(log)
    # One backup a round: each name written once (two in one second would share a name), a round apart.
    assert len(written) == len(set(written)) >= 3 and set(written) >= seen, log.read_text(errors="replace")
    times = sorted(t for t in map(taken_at, written) if t is not None)
    assert all(later - earlier >= 1 for earlier, later in zip(times, times[1:])), written
    # The newest two are kept; nothing half-written is left.
    kept = sorted(p.name for p in backups.iterdir())
    assert kept == sorted(written)[-2:]
    target_url = make_database_url(backend)
    result = cli("restore", str(backups / kept[-1]), "--data-dir", str(tmp_path / "target"),
                 "--database-url", target_url)
    assert result.exit_code == 0, result.output
    target = open_storage(target_url, secrets=TEST_SECRETS)
    try:
        assert table_rows(target) == rows
    finally:
        target.close()


def _schedule(storage: SqlStorage, folder: Path, data_dir: Path, *, keep: int = 2) -> Schedule:
    return Schedule(storage, LocalFileStore(data_dir / "files"), FolderTarget(folder), 3600, keep,
                    data_dir / "backup.lock")


def test_one_worker_a_round_only_when_due_and_pruning_spares_other_files(backend: str, make_database_url: Any,
                                                                        tmp_path: Path) -> None:
    with instance(make_database_url(backend), tmp_path / "data") as source:
        populate(source)
        folder = tmp_path / "backups"
        folder.mkdir()
        hour = 3600.0
        old = [backup_name(time.time() - n * hour - 60) for n in (3, 2, 1)]
        others = ["objectbase-backup-latest.tar", "notes.txt", old[0].replace(".tar", ".tar.gz")]
        for name in old + others:
            (folder / name).write_bytes(b"x")
        (folder / f".{old[0]}.abc.partial").write_bytes(b"x")  # a killed worker's
        schedule = _schedule(source.storage, folder, tmp_path / "data")
        # Another worker holds the round: this one skips it and writes nothing.
        with one_worker(source.storage, BACKUP_LOCK, tmp_path / "data" / "backup.lock") as got:
            assert got
            assert schedule.run_round() is None
        assert sorted(p.name for p in folder.iterdir()) == sorted([*old, *others, f".{old[0]}.abc.partial"])
        written = schedule.run_round()
        # The name is the round's start: on a busy machine writing it may take seconds.
        assert written is not None and taken_at(written) == pytest.approx(time.time(), abs=30)
        # The newest two of its own pattern stay; other files (and nothing half-written) are left alone.
        assert sorted(p.name for p in folder.iterdir()) == sorted([old[2], written, *others])
        # Not due again for an interval after the newest.
        assert schedule.run_round() is None
        assert schedule.next_wait() == 60.0


def test_a_failed_round_is_logged_and_the_next_one_writes(make_database_url: Any, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "backups"
    blocked.write_text("a file where the folder should be")
    settings = Settings(data_dir=str(tmp_path / "data"), database_url=make_database_url("sqlite"),
                        backup_every="1s", backup_to=str(blocked))
    with instance(settings.database_url, tmp_path / "data") as source, caplog.at_level(logging.ERROR):
        populate(source)
        stop = start_backups(source.storage, source.store, settings)
        try:
            deadline = time.monotonic() + 10
            while not any("scheduled backup to" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            blocked.unlink()  # the operator fixes it; the same thread goes on
            while not (blocked.is_dir() and list(blocked.glob("objectbase-backup-*.tar"))):
                assert time.monotonic() < deadline, caplog.text
                time.sleep(0.05)
        finally:
            stop()
    failure = next(r for r in caplog.records if "scheduled backup to" in r.getMessage())
    assert "failed; trying again later" in failure.getMessage() and failure.exc_info is not None


@pytest.mark.skipif("s3" not in FILES_BACKENDS, reason="OBJECTBASE_TEST_FILES leaves out s3")
def test_backups_to_s3_appear_whole_are_pruned_and_restore(make_database_url: Any, moto_server: MotoServer,
                                                           tmp_path: Path) -> None:
    client = moto_server.client()
    bucket = f"ob-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="nightly/objectbase-backup-keep-me.tar", Body=b"x")
    stale = client.create_multipart_upload(Bucket=bucket, Key=f"nightly/{backup_name(0)}")["UploadId"]
    url = make_database_url("sqlite")
    with instance(url, tmp_path / "data") as source:
        populate(source)
        rows = table_rows(source.storage)
        target = S3Target(client, bucket, "nightly", 5 * 1024 * 1024, tmp_path / "data")
        schedule = Schedule(source.storage, source.store, target, 1, 1, tmp_path / "data" / "backup.lock")
        first = schedule.run_round(threading.Event())
        time.sleep(1.05)
        second = schedule.run_round(threading.Event())
    assert first is not None and second is not None and first < second
    listed = sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"])
    assert listed == sorted(["nightly/objectbase-backup-keep-me.tar", f"nightly/{second}"])
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []  # the killed upload, aborted
    assert not any(p.name.startswith(".backup-") for p in (tmp_path / "data").iterdir())  # no spool left
    assert all(u["UploadId"] != stale for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))
    archive = tmp_path / "downloaded.tar"
    client.download_file(bucket, f"nightly/{second}", str(archive))
    target_url = make_database_url("sqlite")
    result = cli("restore", str(archive), "--data-dir", str(tmp_path / "target"), "--database-url", target_url)
    assert result.exit_code == 0, result.output
    restored = open_storage(target_url, secrets=TEST_SECRETS)
    try:
        assert table_rows(restored) == rows
    finally:
        restored.close()
