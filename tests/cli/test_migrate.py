"""`objectbase migrate` (issue 13): SQLite + local files -> each database + S3 and back, compared record for
record and byte for byte; an interrupted migration resumed without duplicates; a foreign target refused."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from objectbase.storage import table_dump
from tests.cli.test_backup import assert_same_instance, cli, instance, observe, populate, table_rows
from tests.files.s3server import MotoServer

def _s3_args(server: MotoServer) -> tuple[list[str], str]:
    bucket = f"ob-{uuid.uuid4().hex[:16]}"
    server.client().create_bucket(Bucket=bucket)
    return (["--s3-endpoint-url", server.endpoint_url, "--s3-region", server.REGION,
             "--s3-access-key-id", server.KEY, "--s3-secret-access-key", server.KEY], f"s3://{bucket}/objectbase")


def test_migrate_there_and_back_after_an_interruption(backend: str, make_database_url: Any, moto_server: MotoServer,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s3, bucket_url = _s3_args(moto_server)
    with instance(make_database_url("sqlite"), tmp_path / "source") as source:
        qb, bob, ids = populate(source)
        before = observe(qb, bob, ids[0])
        rows_before = table_rows(source.storage)
        target_url = make_database_url(backend)
        forward = ["migrate", *source.args, *s3, "--to-database-url", target_url, "--to-files-url", bucket_url]

        # Interrupted after the second batch: what was copied stays, and the message says how to go on.
        real_insert = table_dump.insert_rows
        calls: list[int] = []

        def failing(*args: Any, **kwargs: Any) -> int:
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return real_insert(*args, **kwargs)
        monkeypatch.setattr("objectbase.backup.migrate.insert_rows", failing)
        result = cli(*forward)
        assert result.exit_code != 0 and "run the same command again" in result.output
        monkeypatch.setattr("objectbase.backup.migrate.insert_rows", real_insert)

        result = cli(*forward, "--json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["resumed"] is True and summary["files"] == 2 and summary["tables"]["obj_1"] == 2
        assert table_rows(source.storage) == rows_before  # the source is only read
        # A third run copies nothing: every row and file is there already.
        result = cli(*forward, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["copied_rows"] == 0 and json.loads(result.stdout)["copied_files"] == 0

    # And back, from the target (database + S3) into a new SQLite + local files.
    back_url = make_database_url("sqlite")
    result = cli("migrate", "--data-dir", str(tmp_path / "target"), "--database-url", target_url,
                 "--files-url", bucket_url, *s3, "--to-database-url", back_url,
                 "--to-files-url", str(tmp_path / "back" / "files"))
    assert result.exit_code == 0, result.output
    assert "now serve the target" in result.output
    with instance(back_url, tmp_path / "back") as back:
        assert_same_instance(back, qb, bob, ids[0], before, rows_before)


def test_migrate_refuses_a_target_holding_another_instance(backend: str, make_database_url: Any,
                                                           tmp_path: Path) -> None:
    target_url = make_database_url(backend)
    with instance(target_url, tmp_path / "other") as other:
        other.services.apps.create_app("someone else")
        rows = table_rows(other.storage)
    with instance(make_database_url("sqlite"), tmp_path / "source") as source:
        populate(source)
        result = cli("migrate", *source.args, "--to-database-url", target_url)
    assert result.exit_code != 0 and "not a migration of this source" in result.output
    with instance(target_url, tmp_path / "other") as other:
        assert table_rows(other.storage) == rows


def test_an_unreachable_bucket_stops_every_command_before_it_writes(make_database_url: Any, moto_server: MotoServer,
                                                                    tmp_path: Path) -> None:
    s3, _ = _s3_args(moto_server)
    dead = ["--s3-endpoint-url", "http://127.0.0.1:1", "--s3-region", moto_server.REGION,
            "--s3-access-key-id", "k", "--s3-secret-access-key", "k"]
    with instance(make_database_url("sqlite"), tmp_path / "source") as source:
        populate(source)
        rows = table_rows(source.storage)
        archive = tmp_path / "backup.tar"
        assert cli("backup", "--out", str(archive), *source.args).exit_code == 0
        target_url = make_database_url("sqlite")
        target = ["--data-dir", str(tmp_path / "target"), "--database-url", target_url]
        cases = [
            (["migrate", *source.args, *s3, "--to-database-url", target_url, "--to-files-url", "s3://no-such-bucket/x"],
             "cannot reach the files store s3://no-such-bucket/x (no such bucket); check --to-files-url and the "
             "--s3-* settings"),
            (["migrate", *source.args, *dead, "--to-database-url", target_url, "--to-files-url", "s3://b/x"],
             "cannot reach the files store s3://b/x (The files backend did not answer); check --to-files-url"),
            (["backup", "--out", str(tmp_path / "other.tar"), "--data-dir", source.settings.data_dir,
              "--database-url", source.settings.database_url, "--files-url", "s3://no-such-bucket/x", *s3],
             "cannot reach the files store s3://no-such-bucket/x (no such bucket); check --files-url"),
            (["restore", str(archive), *target, "--files-url", "s3://no-such-bucket/x", *s3],
             "cannot reach the files store s3://no-such-bucket/x (no such bucket); check --files-url"),
        ]
        for args, message in cases:
            result = cli(*args)
            assert result.exit_code == 1 and message in result.output, (args[0], result.output)
        assert table_rows(source.storage) == rows
    assert not (tmp_path / "other.tar").exists()
    engine = create_engine(target_url)
    try:
        assert table_dump.engine_migrations(engine) == []  # the target database was not even migrated
    finally:
        engine.dispose()
