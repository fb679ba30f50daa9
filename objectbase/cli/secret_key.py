"""`objectbase secret-key generate|rotate`: the server key the app secrets are stored encrypted with."""

from __future__ import annotations

from typing import Any

import click

from objectbase.cli.options import STORAGE_SETTINGS, print_json, setting_options, settings_from, storage_of
from objectbase.security.secret_box import SecretBox, SecretKeyError, generate_key, parse_keys, write_key_file

__all__ = ["secret_key"]


@click.group("secret-key")
def secret_key() -> None:
    """The server key app secrets are stored encrypted with (docs/security.md)."""


@secret_key.command("generate")
def generate() -> None:
    """Print a new key, for --secret-key / OBJECTBASE_SECRET_KEY."""
    click.echo(generate_key())


@secret_key.command("rotate")
@click.option("--new-key", default=None,
              help="The key to encrypt with from now on [default: a new one, when the key is the data folder's file].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@setting_options(*STORAGE_SETTINGS)
def rotate(new_key: str | None, as_json: bool, **options: Any) -> None:
    """Encrypt every stored secret again with a new key (the current key opens them)."""
    settings = settings_from(options)
    key_file = settings.secret_key_file
    if new_key is None and key_file is None:
        raise click.UsageError("give --new-key: the current key comes from --secret-key / OBJECTBASE_SECRET_KEY")
    try:
        new = parse_keys(new_key or generate_key())[:1]
        with storage_of(settings) as storage:
            current = storage.secrets.keys if storage.secrets else []
            both = new + [key for key in current if key not in new]
            if key_file is not None:
                # Both keys in the file first: a crash mid-way leaves a file that opens every secret.
                write_key_file(key_file, both)
            with storage.transaction(write=True) as tx:
                count = tx.reseal_secrets(SecretBox(both))
    except SecretKeyError as error:
        raise click.ClickException(str(error)) from error
    if key_file is not None:
        write_key_file(key_file, new)
    result = {"rotated": count, "key_file": None if key_file is None else str(key_file)}
    if as_json:
        print_json(result)
    elif key_file is not None:
        click.echo(f"re-encrypted {count} app secrets; the new key is in {key_file}")
    else:
        click.echo(f"re-encrypted {count} app secrets; start the server with the new --secret-key now")
