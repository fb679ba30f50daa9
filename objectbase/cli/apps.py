from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from objectbase.cli.options import STORAGE_SETTINGS, print_json, services_from, setting_options, settings_from

__all__ = ["app"]


@click.group()
def app() -> None:
    """Applications (tenants)."""


@app.command("create")
@click.option("--name", required=True, help="A name for the application.")
@click.option("--json", "as_json", is_flag=True, help="Print the credentials as JSON.")
@setting_options(*STORAGE_SETTINGS)
def create(name: str, as_json: bool, **options: Any) -> None:
    """Create an application and print its credentials (the API key is shown only once)."""
    with services_from(settings_from(options)) as services:
        credentials = services.apps.create_app(name)
    if as_json:
        print_json(asdict(credentials))
    else:
        for key, value in asdict(credentials).items():
            click.echo(f"{key}: {value}")
