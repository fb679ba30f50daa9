"""`objectbase backup` and `objectbase restore` (issue 13): round trips on and across both databases,
compared table for table and through the QuickBlox API; a backup under writers; refused archives."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.backup.archive import write_archive
from objectbase.storage.table_dump import system_tables_in_order
from objectbase.cli import main
from objectbase.core.records import NewRecord
from objectbase.core.services import Services
from objectbase.files.local import LocalFileStore
from objectbase.settings import Settings
from objectbase.storage import SqlStorage, open_storage
from objectbase.storage.migrations import migrate
from objectbase.storage.sql_storage import SqlTransaction
from tests.api.quickblox.test_record_files import upload_file
from tests.conftest import TEST_SECRETS, BACKENDS, FILES_BACKENDS, TEST_ARGON2, QBFiles
from tests.files.flows import uploaded_blob

AVATAR = os.urandom(50_000)
BLOB = b"blob bytes " * 100


@dataclass
class Instance:
    settings: Settings
    storage: SqlStorage
    services: Services
    client: TestClient
    store: LocalFileStore

    @property
    def args(self) -> list[str]:
        return ["--data-dir", self.settings.data_dir, "--database-url", self.settings.database_url]


@contextlib.contextmanager
def instance(url: str, data_dir: Path) -> Iterator[Instance]:
    settings = Settings(data_dir=str(data_dir), database_url=url, quickblox_prefix="/qb", **TEST_ARGON2)
    storage = open_storage(url, secrets=TEST_SECRETS)
    store = LocalFileStore(settings.files_dir)
    services = Services.build(storage, files=store, passwords=settings.passwords)
    try:
        with TestClient(build_app(settings, services), base_url="https://testserver") as client:
            yield Instance(settings, storage, services, client, store)
    finally:
        storage.close()


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def table_rows(storage: SqlStorage) -> dict[str, list[dict[str, Any]]]:
    """Every row of every copied table, system and class, in key order."""
    found: dict[str, list[dict[str, Any]]] = {}
    with storage.transaction(write=False) as tx:
        assert isinstance(tx, SqlTransaction)
        tables = list(system_tables_in_order())
        for app_id in tx.conn.scalars(select(tables[0].c.id)).all():
            tables.extend(tx.class_tables.table(cls) for cls in tx.select_classes(app_id))
        for table in tables:
            rows = tx.conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            found[str(table.name)] = [dict(row._mapping) for row in rows]
    return found


def populate(source: Instance) -> tuple[QBFiles, dict[str, str], list[str]]:
    qb = QBFiles(source.client, source.services, source.services.apps.create_app("backup-source"), store=source.store)
    qb.apply_class()
    qb.make_user("bob", tags="team")
    bob = qb.headers("bob")
    ids = []
    for score in range(3):
        response = qb.client.post("/data/ScoreTable.json", json={"score_value": score, "completed_levels": [1, 2],
                                                                  "user_location": [1.5, 2.5]}, headers=bob)
        assert response.status_code == 201, response.text
        ids.append(response.json()["_id"])
    assert upload_file(qb, bob, ids[0], data=AVATAR).status_code == 200
    assert qb.client.delete(f"/data/ScoreTable/{ids[2]}.json", headers=bob).status_code == 200
    uploaded_blob(qb.client, bob, BLOB, public=True)
    return qb, bob, ids[:2]


def observe(qb: QBFiles, bob: dict[str, str], record_id: str) -> dict[str, Any]:
    """What clients see, read without changing anything a backup holds (no user's last request time)."""
    records = qb.client.get("/data/ScoreTable.json", headers=qb.api_key_headers).json()
    avatar = qb.client.get(f"/data/ScoreTable/{record_id}/file.json?field_name=user_avatar&token={bob['QB-Token']}")
    assert avatar.status_code == 200
    blobs = qb.client.get("/blobs.json", headers=bob).json()["items"]
    blob = qb.client.get(f"/blobs/{blobs[0]['blob']['uid']}")
    assert blob.status_code == 200
    return {"records": records, "avatar": avatar.content, "blob": blob.content, "events": qb.events()}


PAIRS = [(s, t) for s, t in [("sqlite", "sqlite"), ("postgresql", "postgresql"), ("sqlite", "postgresql"),
                             ("postgresql", "sqlite")] if s in BACKENDS and t in BACKENDS]


@pytest.mark.parametrize(("source_backend", "target_backend"), PAIRS)
def test_round_trip_gives_the_same_instance(source_backend: str, target_backend: str, make_database_url: Any,
                                            tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    with instance(make_database_url(source_backend), tmp_path / "source") as source:
        qb, bob, ids = populate(source)
        before = observe(qb, bob, ids[0])
        rows_before = table_rows(source.storage)
        result = cli("backup", "--out", str(archive), *source.args, "--json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["files"] == 2 and summary["tables"]["obj_1"] == 2 and summary["missing_files"] == []
        assert table_rows(source.storage) == rows_before  # the source is only read
    target_url = make_database_url(target_backend)
    target_args = ["--data-dir", str(tmp_path / "target"), "--database-url", target_url]
    result = cli("restore", str(archive), *target_args)
    assert result.exit_code == 0, result.output
    assert "restore: verify:" in result.output and "restored" in result.output
    with instance(target_url, tmp_path / "target") as target:
        assert_same_instance(target, qb, bob, ids[0], before, rows_before)


def assert_same_instance(target: Instance, qb: QBFiles, bob: dict[str, str], record_id: str, before: dict[str, Any],
                         rows_before: dict[str, list[dict[str, Any]]]) -> None:
    """The copy holds the original's rows and answers as it did; its counters continue after the original's."""
    assert table_rows(target.storage) == rows_before
    restored = QBFiles(target.client, target.services, qb.credentials, store=target.store)
    assert observe(restored, bob, record_id) == before
    # Sessions kept: bob's token still works; new ids continue after the original's, never reusing one.
    response = restored.client.post("/data/ScoreTable.json", json={"score_value": 9}, headers=bob)
    assert response.status_code == 201, response.text
    # The third record (`_seq` 3) was deleted: its `_seq` is not given again.
    assert [row["_seq"] for row in table_rows(target.storage)["obj_1"]] == [1, 2, 4]
    assert restored.make_user("carol") == max(r["id"] for r in rows_before["users"]) + 1


def test_drop_sessions_signs_everyone_out(backend: str, make_database_url: Any, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    with instance(make_database_url(backend), tmp_path / "source") as source:
        qb, bob, ids = populate(source)
        assert cli("backup", "--out", str(archive), *source.args).exit_code == 0
    target_url = make_database_url(backend)
    result = cli("restore", str(archive), "--drop-sessions", "--json", "--data-dir", str(tmp_path / "target"),
                 "--database-url", target_url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"]["sessions"] == 0
    with instance(target_url, tmp_path / "target") as target:
        assert target.client.get(f"/data/ScoreTable/{ids[0]}.json", headers=bob).status_code == 401
        restored = QBFiles(target.client, target.services, qb.credentials, store=target.store)
        assert restored.client.get(f"/data/ScoreTable/{ids[0]}.json", headers=restored.headers("bob")).status_code == 200


def test_backup_while_writers_write_is_self_consistent(backend: str, make_database_url: Any, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    stop = threading.Event()
    errors: list[BaseException] = []
    with instance(make_database_url(backend), tmp_path / "source") as source:
        qb = QBFiles(source.client, source.services, source.services.apps.create_app("busy"), store=source.store)
        qb.apply_class()

        def write() -> None:
            """Creates records, gives one a file, and deletes the one with a file made the round before."""
            files = source.services.record_files
            previous: str | None = None
            try:
                while not stop.is_set():
                    created = source.services.records.create_records(qb.admin, "ScoreTable",
                                                                     [NewRecord({"score_value": 1})] * 3)
                    record_id = created.records[0].id
                    upload = files.open_upload(qb.admin, "ScoreTable", record_id, "user_avatar", "image/png", "a.png")
                    upload.write(record_id.encode())
                    files.attach_file(qb.admin, upload, "user_avatar", "a.png")
                    if previous is not None:
                        source.services.records.delete_records(qb.admin, "ScoreTable", [previous])
                    previous = record_id
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
        writers = [threading.Thread(target=write) for _ in range(4)]
        for writer in writers:
            writer.start()
        try:
            while sum(e.kind == "record.deleted" for e in qb.events()) < 4:
                time.sleep(0.01)
            result = cli("backup", "--out", str(archive), *source.args, "--json")
        finally:
            stop.set()
            for writer in writers:
                writer.join()
        assert result.exit_code == 0, result.output
        assert not errors
        written = qb.count()
        with source.storage.transaction(write=False) as tx:
            assert isinstance(tx, SqlTransaction)
            still_there = set(tx.conn.scalars(select(tx.class_tables.table(
                source.services.classes.get_class(qb.admin, "ScoreTable")).c["_id"])).all())
        score_table = source.services.classes.get_class(qb.admin, "ScoreTable")
        avatar_column = f"f_{score_table.fields['user_avatar'].id}"
    target_url = make_database_url(backend)
    assert cli("restore", str(archive), "--data-dir", str(tmp_path / "target"), "--database-url", target_url).exit_code == 0
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    with instance(target_url, tmp_path / "target") as target:
        rows = table_rows(target.storage)
        assert {t["name"]: t["rows"] for t in manifest["tables"]} == {name: len(r) for name, r in rows.items()}
        seqs = {row["_seq"] for row in rows["obj_1"]}
        created = {e["record_seq"] for e in rows["events"] if e["kind"] == "record.created"}
        deleted = {e["record_seq"] for e in rows["events"] if e["kind"] == "record.deleted"}
        # One moment's view: every created record is there or its deletion is, never both, never neither.
        assert deleted and created == seqs | deleted and not seqs & deleted
        assert 0 < len(seqs) <= written
        # Every record's file is there with its bytes, unless deleted (with its record) after the snapshot.
        with_files = [row for row in rows["obj_1"] if row[avatar_column] is not None]
        assert with_files
        for row in with_files:
            key = f"apps/{qb.app_id}/classes/{score_table.id}/{row[avatar_column]['file_id']}"
            if key not in manifest["missing_files"]:
                assert b"".join(target.store.open(key)) == row["_id"].encode()
        # A file gone from the archive is one whose record was deleted after the snapshot.
        gone = {row["_id"] for row in with_files if row[avatar_column]["file_id"] in
                {key.rsplit("/", 1)[1] for key in manifest["missing_files"]}}
        assert len(gone) == len(manifest["missing_files"]) and not gone & still_there


def _rewrite(archive: Path, out: Path, change: Any, *, fix_checksums: bool = False) -> None:
    """A copy of the archive with `change(name, data) -> data` applied to every member; `fix_checksums`:
    the manifest made to agree, as a forger would."""
    with tarfile.open(archive) as source:
        members = [(info, change(info.name, source.extractfile(info).read()))  # type: ignore[union-attr]
                   for info in source]
    if fix_checksums:
        manifest_at = next(i for i, (info, _) in enumerate(members) if info.name == "manifest.json")
        manifest = json.loads(members[manifest_at][1])
        for info, data in members:
            if info.name in manifest["members"]:
                manifest["members"][info.name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        members[manifest_at] = (members[manifest_at][0], json.dumps(manifest).encode())
    with tarfile.open(out, "w") as copy:
        for info, data in members:
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def test_bad_archives_and_targets_are_refused_and_change_nothing(backend: str, make_database_url: Any,
                                                                 tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    source_url = make_database_url(backend)
    with instance(source_url, tmp_path / "source") as source:
        populate(source)
        assert cli("backup", "--out", str(archive), *source.args).exit_code == 0
        source_args = source.args
        source_rows = table_rows(source.storage)

    def wrong_version(name: str, data: bytes) -> bytes:
        return data.replace(b'"format_version": 1', b'"format_version": 99') if name == "manifest.json" else data

    def tampered(name: str, data: bytes) -> bytes:
        return data[:10] + bytes([data[10] ^ 1]) + data[11:] if name == "db/obj_1.jsonl" else data

    def unknown_column(name: str, data: bytes) -> bytes:
        return data.replace(b'{"_id"', b'{"f_999":1,"_id"', 1) if name == "db/obj_1.jsonl" else data

    def bad_key(name: str, data: bytes) -> bytes:
        return data.replace(b'"key": "apps/', b'"key": "../apps/', 1) if name == "manifest.json" else data

    _rewrite(archive, tmp_path / "forged.tar", unknown_column, fix_checksums=True)
    _rewrite(archive, tmp_path / "bad key.tar", bad_key)
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cases = {"truncated": (truncated, "truncated or damaged"),
             "forged": (tmp_path / "forged.tar", "the rows of obj_1 do not fit the target"),
             "bad key": (tmp_path / "bad key.tar", "names a file key Objectbase never makes")}
    for label, change in (("wrong version", wrong_version), ("tampered", tampered)):
        _rewrite(archive, tmp_path / f"{label}.tar", change)
        cases[label] = (tmp_path / f"{label}.tar", {"wrong version": "format version 99",
                                                     "tampered": "checksum mismatch in 'db/obj_1.jsonl'"}[label])
    target_url = make_database_url(backend)
    target_args = ["--data-dir", str(tmp_path / "target"), "--database-url", target_url]
    for label, (bad, message) in cases.items():
        result = cli("restore", str(bad), *target_args)
        assert result.exit_code != 0 and message in result.output, (label, result.output)
    with instance(target_url, tmp_path / "target") as target:
        assert not any(table_rows(target.storage).values())
        assert target.store.keys() == []
    # A target that holds data: refused without --force, and left as it was.
    with instance(source_url, tmp_path / "source") as source:
        result = cli("restore", str(archive), *source_args)
        assert result.exit_code != 0 and "not empty" in result.output and "--force" in result.output
        assert table_rows(source.storage) == source_rows
    assert cli("restore", str(archive), "--force", *target_args).exit_code == 0
    assert cli("restore", str(archive), "--force", *target_args).exit_code == 0


def test_unreachable_missing_or_older_source_is_a_clear_error(make_database_url: Any, tmp_path: Path) -> None:
    out = tmp_path / "backup.tar"
    if "postgresql" in BACKENDS:
        result = cli("backup", "--out", str(out), "--database-url", "postgresql://postgres@127.0.0.1:1/none")
        assert result.exit_code != 0 and "cannot reach the database" in result.output
    older = make_database_url("sqlite")
    storage = open_storage(older, run_migrations=False, secrets=TEST_SECRETS)
    migrate(storage.engine, upto=7, secrets=TEST_SECRETS)
    storage.close()
    result = cli("backup", "--out", str(out), "--database-url", older)
    assert result.exit_code != 0 and "schema migrations [1, 2, 3, 4, 5, 6, 7]" in result.output
    missing = tmp_path / "nothing-here"
    result = cli("backup", "--out", str(out), "--data-dir", str(missing))
    assert result.exit_code != 0 and "no database at" in result.output
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_an_interrupted_archive_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / f"{uuid.uuid4().hex}.tar"
    with pytest.raises(KeyboardInterrupt), write_archive(out) as archive:
        archive.add_chunks("db/x.jsonl", [b"{}\n"])
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []



@pytest.mark.skipif("s3" not in FILES_BACKENDS, reason="OBJECTBASE_TEST_FILES leaves out s3")
def test_files_move_between_a_folder_and_s3(make_database_url: Any, moto_server: Any, tmp_path: Path) -> None:
    """Restore from local files into S3, back up from S3, restore into a folder: the same bytes each way."""
    s3 = moto_server.new_store()
    # The restore by flags, the backup by variables: both reach the files backend.
    env = {"OBJECTBASE_S3_ENDPOINT_URL": moto_server.endpoint_url, "OBJECTBASE_S3_REGION": moto_server.REGION,
           "OBJECTBASE_S3_ACCESS_KEY_ID": moto_server.KEY, "OBJECTBASE_S3_SECRET_ACCESS_KEY": moto_server.KEY}
    flags = ["--s3-endpoint-url", moto_server.endpoint_url, "--s3-region", moto_server.REGION,
             "--s3-access-key-id", moto_server.KEY, "--s3-secret-access-key", moto_server.KEY]
    s3_args = ["--database-url", make_database_url("sqlite"), "--files-url", f"s3://{s3.bucket}/{s3.prefix}"]
    with instance(make_database_url("sqlite"), tmp_path / "source") as source:
        populate(source)
        local = {key: b"".join(source.store.open(key)) for key in source.store.keys()}
        assert cli("backup", "--out", str(tmp_path / "local.tar"), *source.args).exit_code == 0
    result = cli("restore", str(tmp_path / "local.tar"), *s3_args, *flags)
    assert result.exit_code == 0, result.output
    assert {key: b"".join(s3.open(key)) for key in s3.keys()} == local
    result = CliRunner(env=env).invoke(main, ["backup", "--out", str(tmp_path / "s3.tar"), *s3_args],
                                       catch_exceptions=False)
    assert result.exit_code == 0, result.output
    target = ["--data-dir", str(tmp_path / "target"), "--database-url", make_database_url("sqlite")]
    assert cli("restore", str(tmp_path / "s3.tar"), *target).exit_code == 0
    restored = LocalFileStore(tmp_path / "target" / "files")
    assert {key: b"".join(restored.open(key)) for key in restored.keys()} == local
