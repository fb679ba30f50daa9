"""Page registry: every module of this package that exports `routes` (a list of Starlette routes) is
mounted, module by module in name order; a module without `routes` holds what pages share. Adding a
page is adding a module: no list to edit. Routes of different modules must not overlap."""

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
