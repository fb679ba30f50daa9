from __future__ import annotations

from typing import Any

import click

from objectbase.cli.options import STORAGE_SETTINGS, print_json, setting_options, settings_from, storage_of
from objectbase.storage.retention import prune_events

__all__ = ["events"]


@click.group()
def events() -> None:
    """The event history."""


@events.command("prune")
@click.option("--older-than-days", type=click.IntRange(min=0), default=None,
              help="Delete events older than this many days [default: --event-retention-days].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@setting_options(*STORAGE_SETTINGS, "event_retention_days")
def prune(older_than_days: int | None, as_json: bool, **options: Any) -> None:
    """Delete old events once, in small batches (what the server does hourly with a retention)."""
    settings = settings_from(options)
    days = older_than_days if older_than_days is not None else settings.event_retention_days or None
    if days is None:
        raise click.UsageError("give --older-than-days, or set --event-retention-days")
    with storage_of(settings) as storage:
        deleted = prune_events(storage, days)
    if deleted is None:
        raise click.ClickException("another worker is pruning events now; try again later")
    if as_json:
        print_json({"deleted": deleted, "older_than_days": days})
    else:
        click.echo(f"deleted {deleted} events older than {days} days")
