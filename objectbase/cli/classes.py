from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from objectbase.api.field_names import read_class_file
from objectbase.cli.options import STORAGE_SETTINGS, fail, print_json, services_from, setting_options, settings_from
from objectbase.core.actor import Actor
from objectbase.core.classes import class_snapshot
from objectbase.core.errors import ObjectbaseError

__all__ = ["class_"]


@click.group("class")
def class_() -> None:
    """Classes (schemas) of an application."""


@class_.command("apply")
@click.option("--app", "app_id", type=int, required=True, help="Application id.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the applied classes as JSON.")
@setting_options(*STORAGE_SETTINGS)
def apply(app_id: int, file: Path, as_json: bool, **options: Any) -> None:
    """Create or update the class(es) FILE describes; new fields add columns, nothing is dropped."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file} is not valid JSON: {error}") from None
    try:
        with services_from(settings_from(options)) as services:
            applied = services.classes.apply_classes(Actor.admin(app_id), read_class_file(raw))
    except ObjectbaseError as error:
        fail(error)
        return
    if as_json:
        print_json([class_snapshot(c) for c in applied])
    else:
        for cls in applied:
            click.echo(f"class {cls.name} applied ({len(cls.fields)} fields)")


@class_.command("list")
@click.option("--app", "app_id", type=int, required=True, help="Application id.")
@click.option("--json", "as_json", is_flag=True, help="Print the classes as JSON.")
@setting_options(*STORAGE_SETTINGS)
def list_(app_id: int, as_json: bool, **options: Any) -> None:
    """List the classes of an application."""
    with services_from(settings_from(options)) as services:
        classes = services.classes.list_classes(Actor.admin(app_id))
    if as_json:
        print_json([class_snapshot(c) for c in classes])
    else:
        for cls in classes:
            click.echo(f"{cls.name}: {', '.join(f'{f.name} ({f.type.name})' for f in cls.fields.values())}")
