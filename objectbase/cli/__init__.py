"""The command line: a stable interface scripts and tests rely on (see DESIGN.md)."""

from __future__ import annotations

import click

from objectbase.cli import apps, backup, classes, events, operators, records_io, secret_key, serve, users

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="objectbase")
def main() -> None:
    """Objectbase: a self-hosted backend for app data."""


main.add_command(serve.serve)
main.add_command(apps.app)
main.add_command(users.user)
main.add_command(operators.admin)
main.add_command(classes.class_)
main.add_command(events.events)
main.add_command(backup.backup)
main.add_command(backup.restore)
main.add_command(backup.migrate)
main.add_command(records_io.export)
main.add_command(records_io.import_)
main.add_command(secret_key.secret_key)
