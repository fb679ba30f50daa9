"""`objectbase export` and `objectbase import` (docs/operations.md, "Export and import")."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Iterator, Sequence, TextIO

import click

from objectbase.backup.progress import Advance
from objectbase.cli.options import (
    STORAGE_SETTINGS, error_detail, fail, print_json, services_from, setting_options, settings_from,
)
from objectbase.cli.progress import progress_for
from objectbase.cli.record_formats import (
    CLASS_MEMBER, FORMATS, BadLine, Line, UnknownColumnError, csv_header, csv_row, read_csv, read_jsonl, write_jsonl,
)
from objectbase.core.actor import Actor
from objectbase.core.batches import ItemOutcome
from objectbase.core.errors import ObjectbaseError
from objectbase.core.models import Record
from objectbase.core.query import ast
from objectbase.core.record_imports import (
    IMPORT_BATCH, ImportAbortedError, export_pages, import_records, record_json,
)
from objectbase.core.records import NewRecord
from objectbase.core.services import Services

__all__ = ["export", "import_"]

_APP = click.option("--app", "app_id", type=int, required=True, help="Application id.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of progress.")


@contextlib.contextmanager
def _output(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        return
    # Written under a temporary name, then renamed: a failed export leaves no partial file behind.
    partial = out.with_name(out.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _class_names(services: Services, actor: Actor, class_name: str | None) -> list[str]:
    if class_name is not None:
        return [services.classes.get_class(actor, class_name).name]
    return [c.name for c in services.classes.list_classes(actor)]


@click.command("export")
@_APP
@click.option("--class", "class_name", help="The class to export [default: every class; JSON lines only].")
@click.option("--format", "format_", type=click.Choice(FORMATS), required=True, help="JSON lines or CSV.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The file to write [default: stdout].")
@_JSON
@setting_options(*STORAGE_SETTINGS)
def export(app_id: int, class_name: str | None, format_: str, out: Path | None, as_json: bool,
           **options: Any) -> None:
    """Write a class's records (or every class's) as JSON lines or CSV, read a page at a time."""
    if format_ == "csv" and class_name is None:
        raise click.UsageError("--format csv needs --class (a CSV holds one class's columns)")
    actor = Actor.admin(app_id)
    progress = progress_for("export", as_json=as_json)
    counts: dict[str, int] = {}
    started = time.monotonic()
    try:
        with services_from(settings_from(options)) as services, _output(out) as stream:
            for name in _class_names(services, actor, class_name):
                total = services.records.count_records(actor, name, ast.TRUE)
                with progress.step(name, total, unit="records") as advance:
                    counts[name] = _export_class(services, actor, name, format_, stream, advance)
    except ObjectbaseError as error:
        fail(error)
    seconds = round(time.monotonic() - started, 3)
    if as_json:
        # With stdout as the export, the summary goes to stderr.
        click.echo(json.dumps({"classes": counts, "records": sum(counts.values()), "seconds": seconds}),
                   err=out is None)
    elif out is not None:
        click.echo(f"exported {sum(counts.values())} records of {len(counts)} class(es) to {out} in {seconds}s")


def _export_class(services: Services, actor: Actor, name: str, format_: str, stream: TextIO,
                  advance: Advance) -> int:
    done = 0
    writer = csv.writer(stream) if format_ == "csv" else None
    header_written = False
    for cls, records in export_pages(services.records, actor, name):
        if writer is not None:
            if not header_written:
                writer.writerow(csv_header(cls))
                header_written = True
            writer.writerows(csv_row(cls, record_json(cls, r)) for r in records)
        else:
            write_jsonl(stream, ({CLASS_MEMBER: cls.name, **record_json(cls, r)} for r in records))
        done += len(records)
        advance(len(records))
    if writer is not None and not header_written:
        writer.writerow(csv_header(services.classes.get_class(actor, name)))
    return done


class _UnreadableLines(Exception):
    """Raised at the end of an all-or-nothing import's lines when some could not be read: it rolls
    the import's transaction back."""


@dataclass
class _Tally:
    """What an import did so far, line by line."""

    advance: Advance
    imported: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    # The line numbers of the batch last handed to the core, for its report.
    numbers: list[int] = field(default_factory=list)
    # The last line of the batches written so far.
    last_line: int = 0

    def batches(self, lines: Iterator[Line | BadLine], *, rollback: bool) -> Iterator[Sequence[NewRecord]]:
        """Batches of at most IMPORT_BATCH records; unreadable lines go straight to the failures."""
        while chunk := list(islice(lines, IMPORT_BATCH)):
            for line in chunk:
                if isinstance(line, BadLine):
                    self.failed.append({"line": line.number, "error": line.problem})
            good = [line for line in chunk if isinstance(line, Line)]
            self.numbers = [line.number for line in good]
            if good:
                yield [NewRecord(line.values) for line in good]
        if rollback and self.failed:
            raise _UnreadableLines()

    def report(self, items: Sequence[NewRecord], outcomes: list[ItemOutcome[Record]]) -> None:
        for outcome in outcomes:
            if outcome.error is not None:
                self.failed.append({"line": self.numbers[outcome.index], "error": error_detail(outcome.error)})
            else:
                self.imported += 1
        self.last_line = max(self.numbers, default=self.last_line)
        self.advance(len(items))


@click.command("import")
@_APP
@click.option("--class", "class_name", required=True, help="The class to import into.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(FORMATS), default=None,
              help="JSON lines or CSV [default: by the file's extension, .csv or else JSON lines].")
@click.option("--rollback", is_flag=True, help="All or nothing: write no record when any line is bad.")
@_JSON
@setting_options(*STORAGE_SETTINGS)
def import_(app_id: int, class_name: str, file: Path, format_: str | None, rollback: bool, as_json: bool,
            **options: Any) -> None:
    """Create a record per line of FILE through the core (validation, permissions, event history);
    every bad line is reported with its number. Exits non-zero when any line failed."""
    format_ = format_ or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    actor = Actor.admin(app_id)
    tally = _Tally(lambda _n: None)
    started = time.monotonic()
    progress = progress_for("import", as_json=as_json)
    aborted = False
    try:
        # utf-8-sig: a byte order mark (as spreadsheets write one) is not part of the first column's name.
        with services_from(settings_from(options)) as services, file.open(encoding="utf-8-sig", newline="") as stream:
            cls = services.classes.get_class(actor, class_name)
            lines = read_csv(stream, cls) if format_ == "csv" else read_jsonl(stream, cls.name)
            with progress.step(cls.name, _line_count(file, format_), unit="lines") as tally.advance:
                try:
                    import_records(services.records, actor, cls.name, tally.batches(iter(lines), rollback=rollback),
                                   tally.report, all_or_nothing=rollback)
                except (ImportAbortedError, _UnreadableLines):
                    aborted = True
    except KeyboardInterrupt:
        # The batches committed so far stay (none with --rollback: its one transaction is rolled back).
        kept = 0 if rollback else tally.imported
        raise click.ClickException(
            f"import interrupted: {kept} records were imported" + (f" (lines up to {tally.last_line})" if kept else "")
            + "; to resume, import the remaining lines (or delete the records and run the same command again)"
        ) from None
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file} is not UTF-8 text: {error}") from None
    except UnknownColumnError as error:
        raise click.ClickException(f"{file}: {error}; nothing was imported") from None
    except ObjectbaseError as error:
        fail(error)
    _report_import(tally, aborted, round(time.monotonic() - started, 3), as_json)


def _line_count(file: Path, format_: str) -> int:
    with file.open("rb") as stream:
        count = sum(1 for _ in stream)
    return max(count - 1, 0) if format_ == "csv" else count


def _report_import(tally: _Tally, aborted: bool, seconds: float, as_json: bool) -> None:
    tally.failed.sort(key=lambda f: f["line"])
    imported = 0 if aborted else tally.imported
    if as_json:
        print_json({"imported": imported, "failed": tally.failed, "rolled_back": aborted, "seconds": seconds})
    else:
        for failure in tally.failed:
            click.echo(f"line {failure['line']}: {failure['error']}", err=True)
        if aborted:
            click.echo(f"rolled back: {len(tally.failed)} bad line(s), no record was imported", err=True)
        else:
            click.echo(f"imported {imported} records, {len(tally.failed)} bad line(s), in {seconds}s")
    if tally.failed:
        sys.exit(1)
