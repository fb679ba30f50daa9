"""Page registry: every page module exports `routes`; the dashboard mounts them in this order.

To add a page: write `objectbase/web/pages/<name>.py` with `routes: list[BaseRoute]`, then add one line below.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from objectbase.web.pages import apps, files, history, home, sign_in

__all__ = ["all_routes"]

PAGE_MODULES = [home, sign_in, apps, files, history]


def all_routes() -> list[BaseRoute]:
    return [route for module in PAGE_MODULES for route in module.routes]
