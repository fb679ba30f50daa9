"""`objectbase migrate`: copy an instance to another database and files store, resumably.

The source is read in one snapshot (storage's `snapshot`) and never written. The target is written
batch by batch, each batch in its own transaction, so an interruption keeps what was copied; a rerun
skips every row whose primary key the target already holds and every file whose bytes it already has,
so it continues where it stopped and never duplicates. The id counters are set last, then counts and
file checksums are verified.

A non-empty target is accepted only as a resumed migration of this source: its `apps` rows must all be
rows of the source (an app's keys and secrets make that a fingerprint no other instance shares)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator, TypeVar

from objectbase.backup.archive import ArchiveError
from objectbase.backup.progress import Progress
from objectbase.backup.restore import TargetNotEmpty
from objectbase.backup.snapshot import files_named_by, source_migrations
from objectbase.core.errors import NotFoundError
from objectbase.core.schema import ClassDef
from objectbase.files import FileStore
from objectbase.storage import SqlStorage
from objectbase.storage.sql_storage import SqlTransaction
from objectbase.storage.table_dump import (
    DumpTable, RowsDoNotFit, class_defs, engine_migrations, class_table, count_rows, dump_tables, insert_rows, loaded_counters,
    missing_rows, non_empty_tables, read_counters, rows_of, snapshot, system_table, table_count, write_counters,
)

__all__ = ["MigrateSummary", "MigrationMismatch", "run_migration"]

BATCH = 2000
# Files copied and checked at once: S3 answers each request in tens of milliseconds.
FILE_THREADS = 8
_FILE_WINDOW = 1000
T = TypeVar("T")
R = TypeVar("R")


class MigrationMismatch(Exception):
    """After copying, the target's counts or file checksums differ from the source's."""


@dataclass
class MigrateSummary:
    tables: dict[str, int]
    copied_rows: int
    files: int
    copied_files: int
    resumed: bool
    seconds: float
    missing_files: list[str] = field(default_factory=list)


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_target(source: SqlTransaction, target: SqlStorage) -> bool:
    """True when the target already holds part of this source (a resumed migration); raises when it holds
    anything else."""
    if not engine_migrations(target.engine):
        return False  # a new database: not even Objectbase's tables yet
    with target.transaction(write=False) as tx:
        assert isinstance(tx, SqlTransaction)
        found = non_empty_tables(tx)
        if not found:
            return False
        apps = system_table("apps")
        assert apps is not None
        target_apps = list(rows_of(tx, apps))
    source_apps = list(rows_of(source, apps))
    if not target_apps or any(row not in source_apps for row in target_apps):
        raise TargetNotEmpty(f"the target database is not empty (rows in {', '.join(found[:5])}) and is not a "
                             "migration of this source; migrate into a new, empty database")
    return True


def _sha256(files: FileStore, key: str) -> str | None:
    digest = hashlib.sha256()
    try:
        for chunk in files.open(key):
            digest.update(chunk)
    except NotFoundError:
        return None
    return digest.hexdigest()


def _copy_file(source: FileStore, target: FileStore, key: str, content_type: str) -> bool | None:
    """Copies the bytes unless the target has the same already: True when copied, False when skipped,
    None when the source has none any more (deleted since the snapshot, with its record)."""
    size = source.size(key)
    if size is None:
        return None
    if target.size(key) == size and _sha256(target, key) == _sha256(source, key):
        return False
    writer = target.writer(key, content_type)
    try:
        for chunk in source.open(key):
            writer.write(chunk)
        writer.commit()
    except NotFoundError:
        writer.abort()
        return None
    except BaseException:
        writer.abort()
        raise
    return True


def _in_parallel(work: Callable[[T], R], items: list[T]) -> Iterator[R]:
    """`work(item)` for every item, on a few threads (a files store mostly waits on the network or the
    disk), results in the items' order, a window at a time so memory stays flat. A failure or Ctrl-C
    cancels what has not started; what has finishes (each file appears whole or not at all)."""
    with ThreadPoolExecutor(max_workers=FILE_THREADS, thread_name_prefix="objectbase-migrate") as pool:
        for start in range(0, len(items), _FILE_WINDOW):
            futures = [pool.submit(work, item) for item in items[start:start + _FILE_WINDOW]]
            try:
                for future in futures:
                    yield future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


def _target_table(tx: SqlTransaction, dump: DumpTable, classes: dict[int, ClassDef]) -> DumpTable:
    if dump.class_id is None:
        return dump
    return class_table(tx, classes[dump.class_id])


def run_migration(source: SqlStorage, source_files: FileStore, target: SqlStorage, target_files: FileStore,
                  progress: Progress) -> MigrateSummary:
    started = time.monotonic()
    with snapshot(source) as src:
        source_migrations(src)
        resumed = _check_target(src, target)
        target.migrate()
        classes = {cls.id: cls for cls in class_defs(src)}
        members = dump_tables(src, list(classes.values()))
        counters = read_counters(src.conn)
        copied = 0
        file_keys: dict[str, str] = {}
        with progress.step("tables", count_rows(src, members), unit="rows") as advance:
            for dump in members:
                cls = classes[dump.class_id] if dump.class_id is not None else None
                fresh: bool | None = None
                for batch in _batches(rows_of(src, dump)):
                    for row in batch:
                        file_keys.update(files_named_by(dump, cls, row))
                    with target.transaction(write=True) as tx:
                        assert isinstance(tx, SqlTransaction)
                        table = _target_table(tx, dump, classes)
                        if fresh is None:
                            # Empty when this run began: only this run's batches (of distinct keys) go in,
                            # so none needs looking up. A resumed table's batches skip the keys it holds.
                            fresh = table_count(tx, table) == 0
                        todo = batch if fresh else missing_rows(tx, table, batch)
                        try:
                            copied += insert_rows(tx, table, iter(todo), lambda n: None, durable=False)
                        except RowsDoNotFit as error:
                            raise ArchiveError(f"the rows of {dump.name} do not fit the target ({error}); "
                                               "migrate into a new, empty database") from error
                    advance(len(batch))
        copied_files = 0
        missing: list[str] = []
        with progress.step("files", len(file_keys), unit="files") as advance:
            items = sorted(file_keys.items())
            outcomes = _in_parallel(lambda item: _copy_file(source_files, target_files, *item), items)
            for (key, _), outcome in zip(items, outcomes):
                if outcome is None:
                    missing.append(key)  # deleted since the snapshot, with its record
                copied_files += bool(outcome)
                advance(1)
        # A durable commit: it also flushes the batches committed without waiting (insert_rows' durable=False).
        with target.transaction(write=True) as tx:
            assert isinstance(tx, SqlTransaction)
            for dump in members:
                loaded_counters(tx, _target_table(tx, dump, classes), counters)
            write_counters(tx.conn, counters)
        tables = _verify(src, target, members, source_files, target_files, file_keys, missing, progress)
    return MigrateSummary(tables, copied, len(file_keys), copied_files, resumed, round(time.monotonic() - started, 3),
                          missing)


def _verify(src: SqlTransaction, target: SqlStorage, members: list[DumpTable], source_files: FileStore, target_files: FileStore, file_keys: dict[str, str], missing: list[str],
            progress: Progress) -> dict[str, int]:
    """Row counts table by table, and every file's SHA-256, equal on both sides."""
    counts: dict[str, int] = {}
    with progress.step("verify", len(members) + len(file_keys), unit="checks") as advance, \
            target.transaction(write=False) as tx:
        assert isinstance(tx, SqlTransaction)
        for dump in members:
            counts[dump.name] = table_count(src, dump)
            # A class table has the same name on both sides (obj_<class id>).
            found = table_count(tx, dump)
            if found != counts[dump.name]:
                raise MigrationMismatch(f"{dump.name}: {counts[dump.name]} rows in the source, {found} in the "
                                        "target; was the target written to meanwhile? Migrate into a new database")
            advance(1)
        keys = sorted(set(file_keys) - set(missing))
        sums = _in_parallel(lambda key: (_sha256(source_files, key), _sha256(target_files, key)), keys)
        for key, (source_sum, target_sum) in zip(keys, sums):
            if source_sum != target_sum:
                raise MigrationMismatch(f"file {key} differs between source and target; run migrate again")
            advance(1)
    return counts
