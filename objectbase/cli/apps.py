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
    # `application_id` is the name scripts (and the QuickBlox SDK's config) know it by.
    body = {"application_id": credentials.app_id, **{k: v for k, v in asdict(credentials).items() if k != "app_id"}}
    if as_json:
        print_json(body)
    else:
        for key, value in body.items():
            click.echo(f"{key}: {value}")
