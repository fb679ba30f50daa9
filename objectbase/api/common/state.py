"""What every handler takes from the server: the core services and the settings (`Server.state`)."""

from __future__ import annotations

from starlette.requests import Request

from objectbase.core.actor import Actor
from objectbase.core.services import Services
from objectbase.settings import Settings

__all__ = ["actor", "services", "settings"]


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def actor(request: Request) -> Actor:
    """Who made the request, once `perform` has authenticated it."""
    found: Actor = request.state.actor
    return found
