"""Progress of long commands: a rich bar (count, rate, ETA) on a terminal, one plain line per step
otherwise (on stderr, so stdout stays the result), nothing with --json (the summary says it all)."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Iterator

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from objectbase.backup.progress import Advance, Silent
from objectbase.backup.progress import Progress as ProgressProtocol

__all__ = ["progress_for"]


class _Bars:
    def __init__(self, command: str) -> None:
        self._command = command
        self._bars = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"), TextColumn("[progress.data.speed]{task.fields[rate]}"),
            TimeRemainingColumn(), console=Console(stderr=True),
        )

    @contextlib.contextmanager
    def step(self, name: str, total: int, *, unit: str) -> Iterator[Advance]:
        with self._bars:
            task = self._bars.add_task(f"{self._command}: {name}", total=total, unit=unit, rate="")
            started = time.monotonic()
            done = 0

            def advance(count: int) -> None:
                nonlocal done
                done += count
                elapsed = time.monotonic() - started
                rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 else ""
                self._bars.update(task, advance=count, rate=rate)
            yield advance


class _Lines:
    def __init__(self, command: str) -> None:
        self._command = command

    @contextlib.contextmanager
    def step(self, name: str, total: int, *, unit: str) -> Iterator[Advance]:
        started = time.monotonic()
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
        yield advance
        elapsed = time.monotonic() - started
        rate = f", {done / elapsed:,.0f} {unit}/s" if elapsed > 0 and done else ""
        click.echo(f"{self._command}: {name}: {done} of {total} {unit} in {elapsed:.1f}s{rate}", err=True)


def progress_for(command: str, *, as_json: bool) -> ProgressProtocol:
    if as_json:
        return Silent()
    if sys.stderr.isatty():
        return _Bars(command)
    return _Lines(command)
