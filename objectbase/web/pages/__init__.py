"""Page registry: every page module of this package exports `routes` (a list of Starlette routes; a
module without is a helper of one, e.g. record_form.py), and the dashboard mounts them all, module
by module in name order. Adding a page is adding a module: no
list to edit. Routes of different modules must not overlap (each owns its own URLs)."""

from __future__ import annotations

import importlib
import pkgutil

from starlette.routing import BaseRoute

__all__ = ["all_routes"]


def all_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        routes.extend(getattr(module, "routes", ()))
    return routes
