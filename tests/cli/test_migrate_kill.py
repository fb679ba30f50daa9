"""A real interruption of `objectbase migrate` (issue 13): the process killed with SIGKILL mid-copy, after its
progress bar showed rows copied; rerun, stopped with Ctrl-C (SIGINT), which says how to resume; rerun to the
end: every row and file once, counts and checksums verified, the source unchanged."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

from objectbase.core.records import NewRecord
from objectbase.files.local import LocalFileStore
from objectbase.storage import open_storage
from tests.cli.test_backup import instance, populate, table_rows
from tests.conftest import TEST_SECRETS

RECORDS = 2_500  # about ten rows each (the record, its side-table values, its event): a few seconds to copy
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TABLES = re.compile(r"migrate: tables\D*?(\d+)/(\d+) rows")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("OBJECTBASE_") or "ARGON2" in k or k == "OBJECTBASE_SECRET_KEY"}


def _start_on_a_terminal(command: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    """The command with its stderr on a pseudo-terminal, so it draws its progress bar as for a user."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=_env())
    os.close(slave)
    return process, master


def _read(master: int, seen: list[str], timeout: float) -> bool:
    """Appends what the terminal shows within `timeout`; False once the command closed it."""
    ready, _, _ = select.select([master], [], [], timeout)
    if not ready:
        return True
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the other side is closed
        return False
    seen.append(_ANSI.sub("", data.decode(errors="replace")))
    return bool(data)


def _stop_mid_copy(command: list[str], sig: signal.Signals) -> tuple[int, str, int]:
    """Runs the command until its bar shows some rows of the tables step copied, and not all, then sends
    `sig`; returns the exit status, what the terminal showed, and the rows the bar showed."""
    process, master = _start_on_a_terminal(command)
    seen: list[str] = []
    shown = 0
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            _read(master, seen, 0.02)
            counts = [(int(done), int(total)) for done, total in _TABLES.findall("".join(seen)[-2000:])]
            if counts and 0 < counts[-1][0] < counts[-1][1]:
                shown = counts[-1][0]
                process.send_signal(sig)
                break
        assert shown, f"no progress mid-copy before the end: {''.join(seen)[-2000:]}"
        process.wait(timeout=30)
        while _read(master, seen, 0.2):
            pass
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return process.returncode, "".join(seen), shown


def test_migrate_killed_then_interrupted_then_resumed_copies_everything_once(make_database_url: Any,
                                                                             tmp_path: Path) -> None:
    with instance(make_database_url("sqlite"), tmp_path / "source") as source:
        qb, _, _ = populate(source)
        for start in range(0, RECORDS, 100):
            source.services.records.create_records(qb.admin, "ScoreTable", [
                NewRecord({"score_value": i, "completed_levels": [i, i + 1]}) for i in range(start, start + 100)])
        rows_before = table_rows(source.storage)
        files_before = {key: b"".join(source.store.open(key)) for key in source.store.keys()}
        source_args = source.args
    target_url = make_database_url("postgresql" if "postgresql" in os.environ.get(
        "OBJECTBASE_TEST_BACKENDS", "sqlite,postgresql") else "sqlite")
    command = [sys.executable, "-m", "objectbase", "migrate", *source_args, "--to-database-url", target_url,
               "--to-files-url", str(tmp_path / "target-files")]

    status, _, killed_at = _stop_mid_copy(command, signal.SIGKILL)
    assert status == -signal.SIGKILL

    status, shown, _ = _stop_mid_copy(command, signal.SIGINT)
    assert status == 1, shown
    assert "migrate interrupted: the source is unchanged and the rows and files copied so far are kept; run the " \
           "same command again to continue" in " ".join(shown.split()), shown

    last = subprocess.run([*command, "--json"], capture_output=True, text=True, env=_env(), timeout=120, check=False)
    assert last.returncode == 0, last.stderr
    summary = json.loads(last.stdout)
    total = sum(len(rows) for rows in rows_before.values())
    # It continued: what the killed and the interrupted runs committed was not copied again.
    assert summary["resumed"] is True and killed_at <= total - summary["copied_rows"] < total
    assert summary["tables"] == {name: len(rows) for name, rows in rows_before.items()}
    assert summary["files"] == len(files_before) == 2 and summary["missing_files"] == []

    # Row for row the source (no duplicate, none missing), byte for byte its files; the source unchanged.
    target = open_storage(target_url, secrets=TEST_SECRETS)
    try:
        assert table_rows(target) == rows_before
    finally:
        target.close()
    copied = LocalFileStore(tmp_path / "target-files")
    assert {key: b"".join(copied.open(key)) for key in copied.keys()} == files_before
    with instance(source.settings.database_url, tmp_path / "source") as again:
        assert table_rows(again.storage) == rows_before
