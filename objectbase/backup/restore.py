"""`objectbase restore`: verify the whole archive, then load it into an empty target.

Order: every checksum first (nothing is written before), then the files (invisible until rows name
them), then every table in ONE transaction with the id counters, so an interrupted restore leaves the
database as empty as it was."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator

from objectbase.backup.archive import ArchiveError, ArchiveReader, json_lines
from objectbase.backup.progress import Advance, Progress
from objectbase.core.schema import ClassDef
from objectbase.files import FileStore
from objectbase.storage import SqlStorage
from objectbase.storage.migrations import MIGRATIONS, migrate
from objectbase.storage.sql_storage import SqlTransaction
from objectbase.storage.table_dump import (
    SESSION_TABLES, DumpTable, RowsDoNotFit, class_defs, class_table, empty_tables, engine_migrations, insert_rows,
    loaded_counters, non_empty_tables, system_table, write_counters,
)

__all__ = ["RestoreSummary", "TargetNotEmpty", "restore_backup"]


class TargetNotEmpty(Exception):
    """The target database holds data and --force was not given."""


@dataclass
class RestoreSummary:
    archive: str
    tables: dict[str, int]
    files: int
    dropped_sessions: bool
    seconds: float


def _prepare_schema(storage: SqlStorage, wanted: list[int]) -> None:
    """Brings the target to the archive's schema: a fresh target migrates up to it; the rest after loading."""
    known = [version for version, _, _ in MIGRATIONS]
    if not wanted or wanted != known[:len(wanted)]:
        raise ArchiveError(f"the archive's schema migrations {wanted} are not a prefix of this Objectbase's "
                           f"{known}; restore with the Objectbase version that wrote the backup")
    applied = engine_migrations(storage.engine)
    if applied and applied != wanted:
        raise ArchiveError(f"the target database is at schema migrations up to {applied[-1]}, the archive at "
                           f"{wanted[-1]}; restore into a new, empty database")
    migrate(storage.engine, upto=wanted[-1], secrets=storage.secrets)


def _load_table(tx: SqlTransaction, dump: DumpTable, rows: Iterator[dict[str, Any]], advance: Advance) -> int:
    """The rows in; rows that do not fit the table (a column it lacks, a duplicate key) are the archive's fault."""
    try:
        return insert_rows(tx, dump, rows, advance)
    except RowsDoNotFit as error:
        raise ArchiveError(f"the rows of {dump.name} do not fit the target ({error}); the archive is "
                           "inconsistent; use another backup") from error


def _table_of(tx: SqlTransaction, entry: dict[str, Any], classes: dict[int, ClassDef]) -> DumpTable:
    """The target table of an archive entry: a system table, or the class table built (and created) from
    the restored class definition, never from a name in the archive."""
    if entry.get("class_id") is None:
        table = system_table(str(entry["name"]))
        if table is None:
            raise ArchiveError(f"the archive holds an unknown table {entry['name']!r}; restore with the Objectbase "
                               "version that wrote the backup")
        return table
    if not classes:
        # Every system table is in by now (they come first): the class definitions are complete.
        classes.update((cls.id, cls) for cls in class_defs(tx))
    cls = classes.get(int(entry["class_id"]))
    if cls is None:
        raise ArchiveError(f"the archive holds {entry['name']} but no class {entry['class_id']}; the archive is "
                           "inconsistent; use another backup")
    return class_table(tx, cls)


def _load_tables(tx: SqlTransaction, tar: Any, manifest: dict[str, Any], skipped: set[str], advance: Advance
                 ) -> dict[str, int]:
    counts: dict[str, int] = {}
    classes: dict[int, ClassDef] = {}
    counters = {str(k): int(v) for k, v in manifest.get("counters", {}).items()}
    for entry in manifest["tables"]:
        name = str(entry["name"])
        if name in skipped:
            counts[name] = 0
            continue
        table = _table_of(tx, entry, classes)
        stream = tar.extractfile(str(entry["member"]))
        if stream is None:
            raise ArchiveError(f"{entry['member']} is missing from the archive")
        counts[name] = _load_table(tx, table, json_lines(stream), advance)
        if counts[name] != int(entry["rows"]):
            raise ArchiveError(f"{entry['member']} holds {counts[name]} rows, the manifest says {entry['rows']}; the "
                               "archive was altered; use an intact copy")
        loaded_counters(tx, table, counters)
    write_counters(tx.conn, counters)
    return counts


def restore_backup(reader: ArchiveReader, storage: SqlStorage, files: FileStore, progress: Progress, *,
                   force: bool, drop_sessions: bool) -> RestoreSummary:
    started = time.monotonic()
    manifest = reader.manifest
    with progress.step("verify", len(reader.members()), unit="members") as advance:
        reader.verify(advance)
    _prepare_schema(storage, [int(v) for v in manifest["migrations"]])
    with storage.transaction(write=True) as tx:
        # Checked before any file is written; the loading transaction below checks again under its lock.
        found = non_empty_tables(tx)
        if found and not force:
            raise TargetNotEmpty(f"the target database is not empty (rows in {', '.join(found[:5])}); restore into "
                                 "a new database, or give --force to empty this one first")
    if force:
        with progress.step("empty files", 1, unit="steps") as advance:
            for key in files.keys():
                files.delete(key)
            advance(1)
    file_entries: list[dict[str, Any]] = list(manifest.get("files", []))
    skipped = set(SESSION_TABLES) if drop_sessions else set()
    total = sum(int(t["rows"]) for t in manifest["tables"] if t["name"] not in skipped)
    written: list[str] = []
    with reader.reading() as tar:
        try:
            with progress.step("files", len(file_entries), unit="files") as advance:
                for entry in file_entries:
                    _restore_file(tar, files, entry)
                    written.append(str(entry["key"]))
                    advance(1)
            with storage.transaction(write=True) as tx, progress.step("tables", total, unit="rows") as advance:
                if force:
                    empty_tables(tx)
                elif non_empty_tables(tx):
                    raise TargetNotEmpty("the target database was written to while restoring; restore into a new "
                                         "database")
                counts = _load_tables(tx, tar, manifest, skipped, advance)
        except BaseException:
            # The rows were rolled back: the bytes copied for them go too, leaving the target as it was.
            for key in written:
                files.delete(key)
            raise
    # Migrations newer than the archive's, now that its rows are in.
    storage.migrate()
    return RestoreSummary(str(reader.path), counts, len(file_entries), drop_sessions,
                          round(time.monotonic() - started, 3))


def _restore_file(tar: Any, files: FileStore, entry: dict[str, Any]) -> None:
    stream = tar.extractfile(str(entry["member"]))
    if stream is None:
        raise ArchiveError(f"{entry['member']} is missing from the archive")
    writer = files.writer(str(entry["key"]), str(entry.get("content_type") or "application/octet-stream"))
    try:
        while chunk := stream.read(256 * 1024):
            writer.write(chunk)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
