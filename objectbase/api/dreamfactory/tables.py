"""The service and table a DreamFactory path names (contract §2): every app has one database
service, `db`; any other name is a 404."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.core.errors import NotFoundError

__all__ = ["SERVICE", "require_service", "table_of"]

SERVICE = "db"


def require_service(request: Request) -> None:
    service = str(request.path_params["service"])
    if service != SERVICE:
        raise NotFoundError(f'Service "{service}" not found.', code="service_not_found")


def table_of(request: Request) -> str:
    require_service(request)
    return str(request.path_params["table"])
