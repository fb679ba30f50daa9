"""GET /_/health: the backends' status (the checks of GET /health), the version, the settings in effect."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

import objectbase
from objectbase.api.common.health import check_backends
from objectbase.api.common.state import services, settings
from objectbase.settings import Settings, shown_settings, url_without_password
from objectbase.web.render import render
from objectbase.web.session import signed_in

__all__ = ["routes"]


def _database(current: Settings) -> tuple[str, str]:
    url = current.resolved_database_url
    kind = "PostgreSQL" if urlsplit(url).scheme.startswith("postgres") else "SQLite"
    return kind, url_without_password(url)


def _files(current: Settings) -> tuple[str, str]:
    url = current.files_url.strip()
    if url.startswith("s3://"):
        return "S3", url
    return "Local folder", url.removeprefix("file://") or str(current.files_dir)


@signed_in
async def health(request: Request) -> Response:
    current = settings(request)
    status = await check_backends(services(request))
    has_files = services(request).files is not None
    return render(request, "health.html", title="Health", section="health",
                  status=status, has_files=has_files, database=_database(current), files=_files(current),
                  version=objectbase.__version__, settings=shown_settings(current))


routes: list[BaseRoute] = [Route("/health", health, methods=["GET"])]
