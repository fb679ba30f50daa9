from __future__ import annotations

from typing import Any

import click

from objectbase.api.common.lists import comma_list
from objectbase.cli.options import STORAGE_SETTINGS, fail, print_json, services_from, setting_options, settings_from
from objectbase.core.actor import Actor
from objectbase.core.errors import ObjectbaseError
from objectbase.core.users import NewUser

__all__ = ["user"]


@click.group()
def user() -> None:
    """Users of an application."""


@user.command("create")
@click.option("--app", "app_id", type=int, required=True, help="Application id.")
@click.option("--login", required=True)
@click.option("--password", required=True)
@click.option("--email", default=None)
@click.option("--full-name", default=None)
@click.option("--tags", default=None, help="Comma-separated tags (the groups of permissions).")
@click.option("--admin", is_flag=True, help="An administrator of the app.")
@click.option("--json", "as_json", is_flag=True, help="Print the user as JSON.")
@setting_options(*STORAGE_SETTINGS)
def create(app_id: int, login: str, password: str, email: str | None, full_name: str | None, tags: str | None,
           admin: bool, as_json: bool, **options: Any) -> None:
    """Create a user of an application."""
    new = NewUser({"login": login, "email": email, "full_name": full_name}, password,
                  comma_list(tags) or (), is_admin=admin)
    try:
        with services_from(settings_from(options)) as services:
            created = services.users.create_user(Actor.admin(app_id), new)
    except ObjectbaseError as error:
        fail(error)
        return
    body = {"id": created.id, "app_id": created.app_id, "login": created.login, "email": created.email,
            "full_name": created.full_name, "tags": list(created.tags), "admin": created.is_admin}
    if as_json:
        print_json(body)
    else:
        click.echo(f"user {created.id} ({created.login}) created")
