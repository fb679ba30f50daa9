"""`objectbase backup`: one consistent read of every table, and the bytes of every file a row names.

SQLite: one read transaction; in WAL mode a reader sees one snapshot and writers go on meanwhile.
PostgreSQL: one REPEATABLE READ READ ONLY transaction, which takes no lock a writer waits for.
Files are copied as their rows are read; one deleted since the snapshot (with its record, after that
deletion committed) is listed as missing: it cannot be read any more.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, Table, func, select

import objectbase
from objectbase.backup.archive import FORMAT, FORMAT_VERSION, ArchiveError, ArchiveWriter, write_archive
from objectbase.backup.progress import Progress
from objectbase.backup.tables import class_defs, read_counters, system_tables_in_order
from objectbase.core.errors import NotFoundError
from objectbase.core.fields.file import FileType
from objectbase.core.record_files import file_key_of
from objectbase.core.schema import ClassDef
from objectbase.files import FileStore
from objectbase.storage import SqlStorage
from objectbase.storage.class_tables import field_column_name
from objectbase.storage.migrations import MIGRATIONS
from objectbase.storage.sql_storage import SqlTransaction
from objectbase.storage.system_tables import blobs, schema_migrations

__all__ = ["BackupSummary", "take_backup"]

_BATCH = 1000
_OCTETS = "application/octet-stream"


@dataclass
class BackupSummary:
    path: str
    tables: dict[str, int]
    files: int
    missing_files: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0


@contextlib.contextmanager
def _snapshot(storage: SqlStorage) -> Iterator[SqlTransaction]:
    with storage.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield SqlTransaction(conn, storage.class_tables, storage.prepared, writes=False)


def _rows(conn: Connection, table: Table, order: Any) -> Iterator[dict[str, Any]]:
    # Plain `str` names: SQLAlchemy's are a str subclass that orjson refuses as keys.
    names = [str(column.name) for column in table.c]
    result = conn.execution_options(yield_per=_BATCH).execute(select(table).order_by(order))
    for row in result:
        yield dict(zip(names, row, strict=True))


def _table_members(tx: SqlTransaction, classes: list[ClassDef]) -> list[tuple[str, Table, int | None]]:
    """(member name, table, class id) of every table, system tables first in insert order."""
    members: list[tuple[str, Table, int | None]] = [(f"db/{t.name}.jsonl", t, None) for t in system_tables_in_order()]
    for cls in classes:
        table = tx.class_tables.table(cls)
        members.append((f"db/{table.name}.jsonl", table, cls.id))
    return members


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

    def copy_named_by(self, table: Table, cls: ClassDef | None, row: dict[str, Any]) -> None:
        """The files a row names: a class row's File fields, a blob's completed or pending bytes."""
        if cls is not None:
            for file_field in (f for f in cls.fields.values() if isinstance(f.type, FileType)):
                value = row.get(field_column_name(file_field))
                key = file_key_of(cls, value)
                if key is not None and isinstance(value, dict):
                    self.copy(key, str(value.get("content_type") or _OCTETS))
        elif table is blobs:
            for key in (row["storage_key"], row["pending_key"]):
                if key:
                    self.copy(key, str(row["content_type"] or _OCTETS))


def _source_migrations(tx: SqlTransaction) -> list[int]:
    """The source's applied migrations, which must be this version's: the tables read are this version's."""
    if not tx.conn.dialect.has_table(tx.conn, "schema_migrations"):
        raise ArchiveError("no Objectbase database there; check --data-dir or --database-url")
    migrations = sorted(tx.conn.scalars(select(schema_migrations.c.version)).all())
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
    members = _table_members(tx, list(classes.values()))
    total = sum(int(tx.conn.execute(select(func.count()).select_from(t)).scalar_one()) for _, t, _ in members)
    tables: list[dict[str, Any]] = []
    with progress.step("tables and files", total, unit="rows") as advance:
        for name, table, class_id in members:
            cls = classes[class_id] if class_id is not None else None
            order = table.c["_seq"] if cls is not None else list(table.primary_key.columns)[0]

            def copying(rows: Iterator[dict[str, Any]], table: Table = table, cls: ClassDef | None = cls
                        ) -> Iterator[dict[str, Any]]:
                for row in rows:
                    # The file's member goes into the tar now; the table's after its last row.
                    copier.copy_named_by(table, cls, row)
                    advance(1)
                    yield row
            count = archive.add_json_lines(name, copying(_rows(tx.conn, table, order)))
            tables.append({"name": str(table.name), "member": name, "rows": count, "class_id": class_id})
    return tables


def take_backup(storage: SqlStorage, files: FileStore, out: Path, progress: Progress) -> BackupSummary:
    started = time.monotonic()
    with write_archive(out) as archive:
        copier = _FileCopier(archive, files)
        with _snapshot(storage) as tx:
            migrations = _source_migrations(tx)
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
