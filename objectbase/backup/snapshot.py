"""`objectbase backup`: one consistent read of every table, and the bytes of every file a row names.

The read is storage's `snapshot` (one transaction that stops no writer); rows come through
storage's table dump (`objectbase.storage.table_dump`), this module builds no SQL.
Files are copied as their rows are read; one deleted since the snapshot (with its record, after that
deletion committed) is listed as missing: it cannot be read any more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import objectbase
from objectbase.backup.archive import FORMAT, FORMAT_VERSION, ArchiveError, ArchiveWriter, write_archive
from objectbase.backup.progress import Progress
from objectbase.core.errors import NotFoundError
from objectbase.core.fields.file import FileType
from objectbase.core.record_files import file_key_of
from objectbase.core.schema import ClassDef
from objectbase.files import FileStore
from objectbase.storage import SqlStorage
from objectbase.storage.class_tables import field_column_name
from objectbase.storage.migrations import MIGRATIONS
from objectbase.storage.sql_storage import SqlTransaction
from objectbase.storage.table_dump import (
    DumpTable, applied_migrations, class_defs, count_rows, dump_tables, has_objectbase_schema, is_blobs,
    read_counters, rows_of, snapshot,
)

__all__ = ["BackupSummary", "files_named_by", "source_migrations", "take_backup"]

_OCTETS = "application/octet-stream"


@dataclass
class BackupSummary:
    path: str
    tables: dict[str, int]
    files: int
    missing_files: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0


class _FileCopier:
    """Copies each file's bytes as soon as a row names it, while the snapshot is still open: a file is
    deleted only after its record's deletion commits, so the sooner the copy, the fewer are gone."""

    def __init__(self, archive: ArchiveWriter, files: FileStore) -> None:
        self.archive = archive
        self.files = files
        self.copied: dict[str, str] = {}  # key -> content type
        self.missing: set[str] = set()

    def copy(self, key: str, content_type: str) -> None:
        if key in self.copied or key in self.missing:
            return
        try:
            self.archive.add_chunks(f"files/{key}", self.files.open(key))
        except NotFoundError:
            # Deleted since the snapshot, with its record (keys are never reused).
            self.missing.add(key)
            return
        self.copied[key] = content_type

    def copy_named_by(self, dump: DumpTable, cls: ClassDef | None, row: dict[str, Any]) -> None:
        for key, content_type in files_named_by(dump, cls, row):
            self.copy(key, content_type)


def files_named_by(dump: DumpTable, cls: ClassDef | None, row: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, content type) of the files a row names: a class row's File fields, a blob's completed or
    pending bytes."""
    found: list[tuple[str, str]] = []
    if cls is not None:
        for file_field in (f for f in cls.fields.values() if isinstance(f.type, FileType)):
            value = row.get(field_column_name(file_field))
            key = file_key_of(cls, value)
            if key is not None and isinstance(value, dict):
                found.append((key, str(value.get("content_type") or _OCTETS)))
    elif is_blobs(dump):
        found += [(key, str(row["content_type"] or _OCTETS)) for key in (row["storage_key"], row["pending_key"]) if key]
    return found


def source_migrations(tx: SqlTransaction) -> list[int]:
    """The source's applied migrations, which must be this version's: the tables read are this version's."""
    if not has_objectbase_schema(tx.conn):
        raise ArchiveError("no Objectbase database there; check --data-dir or --database-url")
    migrations = applied_migrations(tx.conn)
    known = [version for version, _, _ in MIGRATIONS]
    if migrations != known:
        raise ArchiveError(f"the database is at schema migrations {migrations}, this Objectbase at {known}; back "
                           "up with the Objectbase version that serves it (`serve` migrates at start)")
    return migrations


def _dump_tables(tx: SqlTransaction, archive: ArchiveWriter, copier: _FileCopier, progress: Progress
                 ) -> list[dict[str, Any]]:
    """Every table into the archive, in the one snapshot `tx` reads, and the files its rows name;
    returns the manifest's table entries."""
    classes = {cls.id: cls for cls in class_defs(tx)}
    members = dump_tables(tx, list(classes.values()))
    total = count_rows(tx, members)
    tables: list[dict[str, Any]] = []
    with progress.step("tables and files", total, unit="rows") as advance:
        for dump in members:
            cls = classes[dump.class_id] if dump.class_id is not None else None
            name = f"db/{dump.name}.jsonl"

            def copying(rows: Iterator[dict[str, Any]], dump: DumpTable = dump, cls: ClassDef | None = cls
                        ) -> Iterator[dict[str, Any]]:
                for row in rows:
                    # The file's member goes into the tar now; the table's after its last row.
                    copier.copy_named_by(dump, cls, row)
                    advance(1)
                    yield row
            count = archive.add_json_lines(name, copying(rows_of(tx, dump)))
            tables.append({"name": dump.name, "member": name, "rows": count, "class_id": dump.class_id})
    return tables


def take_backup(storage: SqlStorage, files: FileStore, out: Path, progress: Progress) -> BackupSummary:
    started = time.monotonic()
    with write_archive(out) as archive:
        copier = _FileCopier(archive, files)
        with snapshot(storage) as tx:
            migrations = source_migrations(tx)
            counters = read_counters(tx.conn)
            tables = _dump_tables(tx, archive, copier, progress)
        archive.add_manifest({
            "format": FORMAT, "format_version": FORMAT_VERSION, "objectbase_version": objectbase.__version__,
            "created_at": time.time(), "source_backend": storage.dialect, "migrations": migrations,
            "tables": tables, "counters": counters,
            "files": [{"key": k, "member": f"files/{k}", "content_type": t} for k, t in sorted(copier.copied.items())],
            "missing_files": sorted(copier.missing),
            "members": {n: {"sha256": m.sha256, "size": m.size} for n, m in archive.members.items()},
        })
        size = sum(m.size for m in archive.members.values())
    return BackupSummary(str(out), {t["name"]: t["rows"] for t in tables}, len(copier.copied), sorted(copier.missing),
                         size, round(time.monotonic() - started, 3))
