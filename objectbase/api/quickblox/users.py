"""U1–U10: users."""

from __future__ import annotations

from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.lists import comma_list
from objectbase.api.common.state import services
from objectbase.api.quickblox.context import params
from objectbase.api.quickblox.errors import wire_field_names
from objectbase.api.quickblox.render import render_user
from objectbase.api.quickblox.responses import empty, respond
from objectbase.core.errors import FieldError, ValidationError
from objectbase.core.fields.base import CastError
from objectbase.core.fields.date import parse_date
from objectbase.core.models import USER_PROFILE_FIELDS
from objectbase.core.query import ast
from objectbase.core.users import NewUser, ProfileValues, UserChanges, UserPage, is_valid_tag, password_too_short

__all__ = [
    "create_user", "delete_user", "delete_user_by_external", "get_user", "get_user_by_external",
    "list_users", "parse_tag_list", "parse_user_filters", "update_user", "user_by_email", "user_by_full_name",
    "user_by_login", "users_by_tags",
]

# Columns a `filter[]` or `order` may name, with how their values are read.
_FILTERABLE = {
    "id": "number", "login": "string", "email": "string", "full_name": "string", "phone": "string",
    "website": "string", "external_user_id": "string", "facebook_id": "string", "twitter_id": "string",
    "blob_id": "number", "created_at": "date", "updated_at": "date", "last_request_at": "date",
}
_OPS = {"gt": "gt", "lt": "lt", "ge": "gte", "le": "lte", "eq": "eq", "ne": "ne"}
# The core's field names -> this dialect's, in validation errors of sign-up and profile updates.
_WIRE_NAMES = {"tags": "tag_list", "current_password": "old_password"}


def _user_params(data: Mapping[str, Any]) -> Mapping[str, Any]:
    user = data.get("user")
    if not isinstance(user, Mapping):
        raise ValidationError.single("user", "blank", "user parameters are missing (user[login], user[password], …)")
    return user


def parse_tag_list(raw: Any) -> tuple[str, ...]:
    """Tags as a comma-separated string or a list (the SDK joins arrays with commas)."""
    tags = comma_list(raw)
    if tags is None:
        raise ValidationError.single("tag_list", "invalid", "must be a comma-separated list of tags")
    if not all(is_valid_tag(t) for t in tags):
        raise ValidationError.single("tag_list", "invalid", "has a tag that is too long or not text")
    return tags


def _profile(data: Mapping[str, Any]) -> ProfileValues:
    """The profile attributes sent, as text (`blob_id` as an integer); None clears one."""
    values: dict[str, str | int | None] = {}
    errors: dict[str, list[FieldError]] = {}
    for name in USER_PROFILE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if value is None or value == "":
            values[name] = None
        elif name == "blob_id":
            if str(value).isdigit():
                values[name] = int(value)
            else:
                errors[name] = [FieldError("invalid", "is not a number")]
        elif isinstance(value, (dict, list, bool)):
            errors[name] = [FieldError("invalid", "is invalid")]
        else:
            values[name] = str(value)
    if errors:
        raise ValidationError(errors)
    return values


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None if value is None else str(value)


def _password(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise password_too_short()  # a number or a structure is never a password


def _new_user(data: Mapping[str, Any]) -> NewUser:
    profile = _profile(data)
    return NewUser(profile, _password(data.get("password")), parse_tag_list(data.get("tag_list", data.get("tags"))))


def _user_changes(data: Mapping[str, Any]) -> UserChanges:
    profile = _profile(data)
    return UserChanges(profile, _password(data.get("password")), _text(data.get("old_password")),
                       parse_tag_list(data["tag_list"]) if "tag_list" in data else None)


def _cast(column: str, text: str) -> Any:
    # The SDK declares types unreliably (always `string` for order, `typeof value` for filters), so
    # values are read by the column's real type, whatever the filter says.
    kind = _FILTERABLE[column]
    try:
        if kind == "number":
            return int(text)
        if kind == "date":
            return float(parse_date(text))
    except (ValueError, CastError):
        raise ValidationError.single("filter", "invalid", f"{text!r} is not a valid {kind} for {column}") from None
    return text


def _one_filter(text: str) -> ast.Node:
    parts = text.split(" ", 3)
    if len(parts) != 4 or parts[1] not in _FILTERABLE or parts[2] not in (*_OPS, "between", "in"):
        raise ValidationError.single("filter", "invalid",
                                     "must be '<type> <field> <operator> <value>', e.g. 'string login eq bob'")
    _type, column, op, value = parts
    if op == "in":
        return ast.In(column, tuple(_cast(column, v.strip()) for v in value.split(",") if v.strip()))
    if op == "between":
        bounds = [v.strip() for v in value.split(",")]
        if len(bounds) != 2:
            raise ValidationError.single("filter", "invalid", "between takes two comma-separated values")
        return ast.And((ast.Compare(column, "gte", _cast(column, bounds[0])),
                        ast.Compare(column, "lte", _cast(column, bounds[1]))))
    return ast.Compare(column, _OPS[op], _cast(column, value))  # type: ignore[arg-type]


def parse_user_filters(data: Mapping[str, Any]) -> tuple[ast.Node, list[ast.SortKey]]:
    raw = data.get("filter", [])
    filters = raw if isinstance(raw, list) else [raw]
    where = ast.conjoin(*(_one_filter(str(f)) for f in filters if f))
    sort = []
    if order := data.get("order"):
        parts = str(order).split(" ")
        if len(parts) != 3 or parts[0] not in ("asc", "desc") or parts[2] not in _FILTERABLE:
            raise ValidationError.single("order", "invalid", "must be '<asc|desc> <type> <field>'")
        sort.append(ast.SortKey(parts[2], descending=parts[0] == "desc"))
    return where, sort


def _page_numbers(data: Mapping[str, Any]) -> tuple[int, int]:
    try:
        return int(data.get("page") or 1), int(data.get("per_page") or 10)
    except (TypeError, ValueError):
        raise ValidationError.single("page", "invalid", "page and per_page must be integers") from None


def _render_page(page: UserPage) -> dict[str, Any]:
    return {"current_page": page.page, "per_page": page.per_page, "total_entries": page.total,
            "items": [render_user(u) for u in page.users]}


async def create_user(request: Request) -> Response:
    new = _new_user(_user_params(await params(request)))
    with wire_field_names(_WIRE_NAMES):
        user = await perform(request, services(request).users.create_user, new)
    return respond(request, render_user(user), 201)


async def list_users(request: Request) -> Response:
    data = await params(request)
    where, sort = parse_user_filters(data)
    page, per_page = _page_numbers(data)
    found = await perform(request, services(request).users.find_users, where, sort, page, per_page)
    return respond(request, _render_page(found))


async def get_user(request: Request) -> Response:
    user = await perform(request, services(request).users.get_user, request.path_params["user_id"])
    return respond(request, render_user(user))


async def update_user(request: Request) -> Response:
    changes = _user_changes(_user_params(await params(request)))
    with wire_field_names(_WIRE_NAMES):
        user = await perform(request, services(request).users.update_user, request.path_params["user_id"], changes)
    return respond(request, render_user(user))


async def delete_user(request: Request) -> Response:
    await perform(request, services(request).users.delete_user, request.path_params["user_id"])
    return empty(request)


async def _by_attribute(request: Request, attribute: str) -> Response:
    data = await params(request)
    value = data.get(attribute)
    if not isinstance(value, str) or not value:
        raise ValidationError.single(attribute, "blank", "can't be blank")
    user = await perform(request, services(request).users.find_user_by, attribute, value)
    return respond(request, render_user(user))


async def user_by_login(request: Request) -> Response:
    return await _by_attribute(request, "login")


async def user_by_email(request: Request) -> Response:
    return await _by_attribute(request, "email")


async def get_user_by_external(request: Request) -> Response:
    user = await perform(request, services(request).users.find_user_by, "external_user_id",
                           request.path_params["external_id"])
    return respond(request, render_user(user))


async def delete_user_by_external(request: Request) -> Response:
    user = await perform(request, services(request).users.find_user_by, "external_user_id",
                           request.path_params["external_id"])
    await perform(request, services(request).users.delete_user, user.id)
    return empty(request)


async def _paged(request: Request, where_from: Any) -> Response:
    data = await params(request)
    page, per_page = _page_numbers(data)
    found = await perform(request, services(request).users.find_users, where_from(data), (), page, per_page)
    return respond(request, _render_page(found))


async def users_by_tags(request: Request) -> Response:
    def where(data: Mapping[str, Any]) -> ast.Node:
        tags = parse_tag_list(data.get("tags"))
        if not tags:
            raise ValidationError.single("tags", "blank", "can't be blank")
        return ast.ArrayHas("tags", tuple(tags), mode="any")
    return await _paged(request, where)


async def user_by_full_name(request: Request) -> Response:
    def where(data: Mapping[str, Any]) -> ast.Node:
        name = data.get("full_name")
        if not isinstance(name, str) or not name:
            raise ValidationError.single("full_name", "blank", "can't be blank")
        return ast.Contains("full_name", name)
    return await _paged(request, where)
