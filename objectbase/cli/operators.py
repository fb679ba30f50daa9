"""`objectbase admin …`: the dashboard's server-level superusers (operators)."""

from __future__ import annotations

import time
from typing import Any

import click

from objectbase.cli.options import STORAGE_SETTINGS, fail, print_json, services_from, setting_options, settings_from
from objectbase.core.errors import ObjectbaseError
from objectbase.core.models import Operator

__all__ = ["admin"]


def _body(operator: Operator) -> dict[str, Any]:
    return {"id": operator.id, "login": operator.login,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(operator.created_at))}


@click.group()
def admin() -> None:
    """Server-level superusers of the dashboard (at /_/): administrators of every app."""


@admin.command("create")
@click.option("--login", required=True)
@click.option("--password", required=True, help="At least 8 characters; stored as an Argon2id hash.")
@click.option("--json", "as_json", is_flag=True, help="Print the superuser as JSON.")
@setting_options(*STORAGE_SETTINGS)
def create(login: str, password: str, as_json: bool, **options: Any) -> None:
    """Create a superuser who signs in to the dashboard."""
    try:
        with services_from(settings_from(options)) as services:
            created = services.operators.create_operator(login, password)
    except ObjectbaseError as error:
        fail(error)
        return
    if as_json:
        print_json(_body(created))
    else:
        click.echo(f"superuser {created.login} created: sign in at /_/")


@admin.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the superusers as JSON.")
@setting_options(*STORAGE_SETTINGS)
def list_(as_json: bool, **options: Any) -> None:
    """List the superusers."""
    with services_from(settings_from(options)) as services:
        found = services.operators.list_operators()
    if as_json:
        print_json([_body(operator) for operator in found])
    else:
        for operator in found:
            click.echo(operator.login)


@admin.command("delete")
@click.option("--login", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print what was deleted as JSON.")
@setting_options(*STORAGE_SETTINGS)
def delete(login: str, as_json: bool, **options: Any) -> None:
    """Delete a superuser; its dashboard sessions end at once."""
    try:
        with services_from(settings_from(options)) as services:
            services.operators.delete_operator(login)
    except ObjectbaseError as error:
        fail(error)
        return
    if as_json:
        print_json({"deleted": login})
    else:
        click.echo(f"superuser {login} deleted")
