"""U1: the app's users, read-only (contract §4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services
from objectbase.api.tracy.params import int_param, path_id
from objectbase.api.tracy.render import render_user
from objectbase.core.users import MAX_PER_PAGE

__all__ = ["get_user", "list_users"]


async def list_users(request: Request) -> Response:
    # Pages of the core's size; `offset` must then be a multiple of `limit` (default 50, max 100).
    limit = min(max(int_param(request, "limit") or 50, 1), MAX_PER_PAGE)
    offset = max(int_param(request, "offset") or 0, 0)
    page = await perform(request, services(request).users.find_users, page=offset // limit + 1, per_page=limit)
    return json_response([render_user(user) for user in page.users], headers={"X-Total-Count": str(page.total)})


async def get_user(request: Request) -> Response:
    user = await perform(request, services(request).users.get_user, path_id(request))
    return json_response(render_user(user))
