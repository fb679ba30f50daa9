"""Click options derived from `settings.SETTINGS`, and the services a command works with."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Callable, Iterator, TypeVar

import click

from objectbase.core.errors import ObjectbaseError, ValidationError
from objectbase.core.services import Services
from objectbase.settings import SETTINGS, Setting, SettingError, Settings
from objectbase.security.secret_box import SecretKeyError
from objectbase.storage import SqlStorage, open_storage

__all__ = [
    "S3_SETTINGS", "STORAGE_SETTINGS", "SettingType", "error_detail", "fail", "print_json", "services_from",
    "setting_option", "setting_options", "settings_from", "storage_of",
]

F = TypeVar("F", bound=Callable[..., Any])
STORAGE_SETTINGS = ("data_dir", "database_url", "files_url", "secret_key")
# What a command that reads or writes file bytes needs besides --files-url s3://… (backup, restore).
S3_SETTINGS = ("s3_endpoint_url", "s3_region", "s3_access_key_id", "s3_secret_access_key", "s3_part_bytes")
_METAVARS: dict[type, str] = {int: "integer", str: "text", bool: "boolean"}


class SettingType(click.ParamType[Any, Any]):
    """Parses a flag or its variable as the registry says, so both meet the same type and range checks."""

    def __init__(self, setting: Setting) -> None:
        self.setting = setting
        # The metavar in --help: the words click's own INT, TEXT and BOOL types show.
        self.name = _METAVARS.get(setting.type, setting.type.__name__)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.setting.parse(value, self.setting.flag)
        except SettingError as error:
            # click's message already names the flag and its variable; add what the value must be.
            self.fail(error.problem, param, ctx)


def setting_option(setting: Setting) -> Callable[[F], F]:
    """The option of one setting: its flag, env var, default and help from the registry."""
    # default=None: an absent flag leaves the value to Settings (variable, then its default).
    # show_envvar also makes click's error for a bad value name the variable.
    return click.option(
        setting.flag, setting.name, type=SettingType(setting), default=None, envvar=setting.env,
        show_envvar=True, help=f"{setting.help} [default: {setting.default!r}]",
    )


def setting_options(*names: str) -> Callable[[F], F]:
    """One option per named setting, in the registry's order."""
    def decorate(function: F) -> F:
        for setting in reversed([s for s in SETTINGS if s.name in names]):
            function = setting_option(setting)(function)
        return function
    return decorate


def settings_from(options: dict[str, Any]) -> Settings:
    """The command's settings; a bad `OBJECTBASE_*` variable the command has no flag for stops it cleanly."""
    names = {s.name for s in SETTINGS}
    try:
        return Settings.from_env(**{k: v for k, v in options.items() if k in names})
    except SettingError as error:
        raise click.UsageError(str(error)) from error


@contextlib.contextmanager
def storage_of(settings: Settings, *, run_migrations: bool = True) -> Iterator[SqlStorage]:
    """The settings' storage, opened with the server key; a wrong or malformed key stops the command."""
    try:
        storage = open_storage(settings.resolved_database_url, run_migrations=run_migrations,
                               secrets=settings.secret_box())
    except SecretKeyError as error:
        raise click.ClickException(str(error)) from error
    try:
        yield storage
    finally:
        storage.close()


@contextlib.contextmanager
def services_from(settings: Settings) -> Iterator[Services]:
    with storage_of(settings) as storage:
        yield Services.build(storage, session_ttl=settings.session_ttl, passwords=settings.passwords)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False))


def error_detail(error: ObjectbaseError) -> str:
    """The error as one line: each field's problems for a validation error, else its message."""
    if isinstance(error, ValidationError) and error.field_errors:
        return "; ".join(f"{name}: {', '.join(e.message for e in errs)}" for name, errs in error.field_errors.items())
    return error.message


def fail(error: ObjectbaseError) -> None:
    raise click.ClickException(error_detail(error))
