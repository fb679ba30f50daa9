from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import click
import uvicorn

from objectbase.api.common.json_logs import JsonFormatter, log_config
from objectbase.api.common.metrics import MULTIPROCESS_ENV
from objectbase.backup.schedule import FolderTarget, open_target
from objectbase.cli.options import setting_options, settings_from, storage_of
from objectbase.settings import SETTINGS, Settings

__all__ = ["serve"]


@click.command()
@setting_options(*(s.name for s in SETTINGS))
def serve(**options: Any) -> None:
    """Serve the API (SQLite in --data-dir unless --database-url says otherwise)."""
    settings = settings_from(options)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        raise click.UsageError("--ssl-certfile and --ssl-keyfile go together")
    _check_backup_options(settings)
    # Opening the storage once here migrates it and checks the server key, so workers start on an
    # up-to-date database and a wrong key stops `serve` before any worker does.
    with storage_of(settings):
        pass
    # Workers are separate processes: they read the same settings from OBJECTBASE_* variables.
    os.environ.update(settings.to_env())
    if settings.metrics and settings.workers > 1:
        # The workers' counts meet in one folder (prometheus-client's multiprocess mode), emptied at
        # each start: a scrape of any worker then gives the whole server's counts.
        folder = Path(settings.data_dir).resolve() / "metrics"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        os.environ[MULTIPROCESS_ENV] = str(folder)
    scheme = "https" if settings.ssl_certfile else "http"
    banner = (f"Objectbase serving on {scheme}://{settings.host}:{settings.port} "
              f"({'PostgreSQL' if settings.database_url.startswith('postgres') else 'SQLite'})")
    if settings.log_format == "json":  # every line of a JSON log is JSON, this one too
        banner = JsonFormatter().format(logging.makeLogRecord(
            {"name": "objectbase.serve", "levelname": "INFO", "levelno": logging.INFO, "msg": banner}))
    click.echo(banner, err=True)
    uvicorn.run(
        "objectbase.app:create_app_from_env", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, ssl_certfile=settings.ssl_certfile or None,
        ssl_keyfile=settings.ssl_keyfile or None, log_level="info", access_log=settings.access_log,
        log_config=log_config(settings.log_format) or uvicorn.config.LOGGING_CONFIG,
        proxy_headers=False,
        server_header=False,
    )


def _check_backup_options(settings: Settings) -> None:
    """A scheduled backup's target that cannot work stops `serve` now, not a round hours later."""
    if not settings.backup_every:
        if settings.backup_to:
            raise click.UsageError("--backup-to needs --backup-every (how often to back up, e.g. 6h)")
        return
    try:
        target = open_target(settings)
        if isinstance(target, FolderTarget):
            target.folder.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as error:
        raise click.UsageError(f"--backup-to: {error}") from error
