"""`objectbase backup`, `restore` and `migrate` (docs/operations.md, "Backup and restore", "Migrate")."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any, Iterator

import click
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from objectbase.backup.archive import ArchiveError, ArchiveReader
from objectbase.backup.migrate import MigrationMismatch, run_migration
from objectbase.backup.restore import TargetNotEmpty, restore_backup
from objectbase.backup.snapshot import take_backup
from objectbase.cli.options import S3_SETTINGS, STORAGE_SETTINGS, print_json, setting_options, settings_from
from objectbase.cli.progress import progress_for
from objectbase.core.errors import NotFoundError, ObjectbaseError
from objectbase.files import FileStore, open_file_store
from objectbase.settings import Settings
from objectbase.storage import SqlStorage, open_storage

__all__ = ["backup", "migrate", "restore"]

_JSON = click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of progress.")


def _shown(url: str) -> str:
    """The URL without its password, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url


@contextlib.contextmanager
def _clear_errors(command: str, settings: Settings) -> Iterator[None]:
    """Every expected failure as one message naming the problem and the fix, and a non-zero exit."""
    try:
        yield
    except KeyboardInterrupt:
        if command == "migrate":
            raise click.ClickException("migrate interrupted: the source is unchanged and the rows and files copied "
                                       "so far are kept; run the same command again to continue") from None
        # backup: the temporary archive is removed; restore: the loading transaction is rolled back and
        # the files it copied are deleted.
        raise click.ClickException(f"{command} interrupted: no archive and no database rows were written; run the "
                                   "same command again") from None
    except (ArchiveError, TargetNotEmpty, MigrationMismatch) as error:
        raise click.ClickException(str(error)) from error
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
        raise click.ClickException(
            f"cannot reach the database {_shown(settings.resolved_database_url)} ({error.orig}); check "
            "--database-url and that the database server is running") from error
    except OSError as error:
        # A folder that cannot be written (the archive's, the files'), a full disk.
        raise click.ClickException(f"{command} failed: {error}; check the path and free space") from error
    except ObjectbaseError as error:
        raise click.ClickException(f"{error.message}; check --database-url and --files-url") from error


def _refuse_missing_sqlite(url: str) -> None:
    """Opening a SQLite file that is not there would create it: a backup must not change its source."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not Path(parsed.database).is_file():
        raise ArchiveError(f"no database at {parsed.database}; check --data-dir or --database-url")


@contextlib.contextmanager
def _target(command: str, settings: Settings) -> Iterator[SqlStorage]:
    """The database, unmigrated (a backup only reads; a restore migrates to the archive's schema)."""
    with _clear_errors(command, settings):
        if command in ("backup", "migrate"):
            _refuse_missing_sqlite(settings.resolved_database_url)
        # A backup copies the sealed secrets as they are; a restore may migrate, which seals (0012).
        secrets = settings.secret_box() if command == "restore" else None
        storage = open_storage(settings.resolved_database_url, run_migrations=False, secrets=secrets)
        try:
            yield storage
        finally:
            storage.close()


def _files_of(settings: Settings, flag: str, *, written: bool) -> FileStore:
    """The files store, reached once before anything is copied: a bucket that is missing or does not answer
    is an error now, not after every row was copied (or never, when no row names a file)."""
    store = open_file_store(settings)
    if written or not store.local:  # a folder that is only read need not be writable
        try:
            store.ping()
        except ObjectbaseError as error:
            shown = settings.files_url or str(settings.files_dir)
            reason = "no such bucket" if isinstance(error, NotFoundError) else error.message
            raise click.ClickException(f"cannot reach the files store {shown} ({reason}); check {flag}"
                                       f"{' and the --s3-* settings' if shown.startswith('s3://') else ''}") from error
    return store


def _report(summary: Any, as_json: bool, line: str) -> None:
    if as_json:
        print_json(dataclasses.asdict(summary))
    else:
        click.echo(f"{line}: {sum(summary.tables.values())} rows in {len(summary.tables)} tables, "
                   f"{summary.files} files, in {summary.seconds}s")


@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The archive to write (a tar file); written under a temporary name, then renamed.")
@_JSON
@setting_options(*STORAGE_SETTINGS, *S3_SETTINGS)
def backup(out: Path, as_json: bool, **options: Any) -> None:
    """A consistent snapshot of a running instance: every table and every referenced file, in one archive."""
    settings = settings_from(options)
    with _target("backup", settings) as storage:
        summary = take_backup(storage, _files_of(settings, "--files-url", written=False), out,
                              progress_for("backup", as_json=as_json))
    _report(summary, as_json, f"backup written to {summary.path} ({summary.bytes} bytes)")
    if summary.missing_files and not as_json:
        click.echo(f"note: {len(summary.missing_files)} file(s) were deleted after the snapshot (their records "
                   "were deleted meanwhile); the archive lists them under missing_files", err=True)


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Empty a target that holds data (tables and files) before restoring.")
@click.option("--drop-sessions", is_flag=True,
              help="Leave out sessions and refresh tokens: every client signs in again. Kept by default.")
@_JSON
@setting_options(*STORAGE_SETTINGS, *S3_SETTINGS)
def restore(archive: Path, force: bool, drop_sessions: bool, as_json: bool, **options: Any) -> None:
    """Restore an archive of `objectbase backup` into an empty database and files store."""
    settings = settings_from(options)
    with _clear_errors("restore", settings):
        reader = ArchiveReader(archive)
    with _target("restore", settings) as storage:
        summary = restore_backup(reader, storage, _files_of(settings, "--files-url", written=True),
                                 progress_for("restore", as_json=as_json),
                                 force=force, drop_sessions=drop_sessions)
    _report(summary, as_json, f"restored {summary.archive}")


@click.command("migrate")
@click.option("--to-database-url", "to_database_url", required=True,
              help="The target database (empty, or a migration of this source interrupted before).")
@click.option("--to-files-url", "to_files_url", default="",
              help="The target files store (s3://bucket/prefix or a folder); default: the source's.")
@_JSON
@setting_options(*STORAGE_SETTINGS, *S3_SETTINGS)
def migrate(to_database_url: str, to_files_url: str, as_json: bool, **options: Any) -> None:
    """Copy this instance to another database and files store; rerun to resume after an interruption."""
    settings = settings_from(options)
    target_settings = dataclasses.replace(settings, database_url=to_database_url,
                                          files_url=to_files_url or settings.files_url)
    with _target("migrate", settings) as source, _clear_errors("migrate", target_settings):
        source_files = _files_of(settings, "--files-url", written=False)
        target_files = _files_of(target_settings, "--to-files-url" if to_files_url else "--files-url", written=True)
        target = open_storage(to_database_url, run_migrations=False)
        try:
            summary = run_migration(source, source_files, target, target_files,
                                    progress_for("migrate", as_json=as_json))
        finally:
            target.close()
    if as_json:
        print_json(dataclasses.asdict(summary))
        return
    _report(summary, as_json, f"migrated, verified ({summary.copied_rows} rows and {summary.copied_files} files "
                              f"copied this run{', resumed' if summary.resumed else ''})")
    files_flag = f" --files-url {to_files_url}" if to_files_url else ""
    click.echo(f"now serve the target: objectbase serve --database-url {_shown(to_database_url)}{files_flag} "
               "(with the same --data-dir and S3 settings); the source is unchanged and can be removed")
