"""An app's users: /_/apps/{app_id}/users (search and pages), a new user, one user's form (profile,
tags, admin flag), a password reset and deletion. Every change is `UserService`'s as the page's
actor (the app's administrator), so its validation errors come back beside the fields."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import perform
from objectbase.api.common.lists import comma_list
from objectbase.api.common.state import services
from objectbase.core.errors import ValidationError
from objectbase.core.models import User
from objectbase.core.query import ast
from objectbase.core.users import NewUser, UserChanges
from objectbase.web.errors import error_status, field_messages
from objectbase.web.pages.apps import shown_time
from objectbase.web.render import redirect, render
from objectbase.web.session import signed_in, viewer

__all__ = ["routes"]

PER_PAGE = 20
# The profile attributes the form edits, with their labels (`blob_id`, the avatar, is the API's).
PROFILE_FIELDS = (("login", "Login"), ("email", "Email"), ("full_name", "Full name"), ("phone", "Phone"),
                  ("website", "Website"), ("external_user_id", "External user ID"), ("facebook_id", "Facebook ID"),
                  ("twitter_id", "Twitter ID"), ("custom_data", "Custom data"))
SEARCHED = ("login", "email", "full_name")


def search_filter(text: str) -> ast.Node:
    """Users whose login, email or full name contains `text` (ASCII letters in either case)."""
    text = text.strip()
    if not text:
        return ast.TRUE
    pattern = f"%{ast.like_escape(text)}%"
    return ast.Or(tuple(ast.Like(name, pattern) for name in SEARCHED))


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 10 else 1


def _profile(form: FormData) -> dict[str, str | int | None]:
    return {name: str(form.get(name, "")).strip() for name, _label in PROFILE_FIELDS}


def _tags(form: FormData) -> tuple[str, ...]:
    return comma_list(str(form.get("tags", ""))) or ()


def _form_values(user: User | None, form: FormData | None = None) -> dict[str, Any]:
    """What the user form shows: what was typed (after an error), else the user's values."""
    if form is not None:
        return {**_profile(form), "tags": str(form.get("tags", "")), "is_admin": form.get("is_admin") == "1"}
    if user is None:
        return {"is_admin": False, "tags": ""}
    return {**{name: getattr(user, name) for name, _label in PROFILE_FIELDS}, "tags": ", ".join(user.tags),
            "is_admin": user.is_admin}


def _user_form(request: Request, user: User | None, values: dict[str, Any], status: int = 200,
               errors: dict[str, list[str]] | None = None, password_errors: dict[str, list[str]] | None = None
               ) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    title = "New user" if user is None else f"User {user.login or user.email or user.id}"
    return render(request, "users/form.html", status, title=title, section="users", app=app, user=user,
                  values=values, fields=PROFILE_FIELDS, errors=errors or {}, password_errors=password_errors or {},
                  when=shown_time)


@signed_in
async def list_users(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    query = request.query_params.get("q", "")
    found = await perform(request, services(request).users.find_users, search_filter(query),
                          (ast.SortKey("id"),), _page_number(request.query_params.get("page", "")), PER_PAGE)
    pages = max(1, -(-found.total // PER_PAGE))
    return render(request, "users/list.html", title="Users", section="users", app=app, found=found, query=query,
                  pages=pages, when=shown_time)


@signed_in
async def new_user(request: Request) -> Response:
    return _user_form(request, None, _form_values(None))


@signed_in
async def create_user(request: Request) -> Response:
    app_id = request.path_params["app_id"]
    form = await request.form()
    new = NewUser(_profile(form), str(form.get("password", "")), _tags(form), is_admin=form.get("is_admin") == "1")
    try:
        user = await perform(request, services(request).users.create_user, new)
    except ValidationError as error:
        return _user_form(request, None, _form_values(None, form), error_status(error), field_messages(error))
    return redirect(f"/_/apps/{app_id}/users/{user.id}", f"User {user.login or user.email} created.")


async def _user(request: Request) -> User:
    user: User = await perform(request, services(request).users.get_user, request.path_params["user_id"])
    return user


@signed_in
async def show_user(request: Request) -> Response:
    user = await _user(request)
    return _user_form(request, user, _form_values(user))


@signed_in
async def update_user(request: Request) -> Response:
    user = await _user(request)
    form = await request.form()
    changes = UserChanges(profile=_profile(form), tags=_tags(form), is_admin=form.get("is_admin") == "1")
    try:
        await perform(request, services(request).users.update_user, user.id, changes)
    except ValidationError as error:
        return _user_form(request, user, _form_values(user, form), error_status(error), field_messages(error))
    return redirect(f"/_/apps/{user.app_id}/users/{user.id}", "User saved.")


@signed_in
async def reset_password(request: Request) -> Response:
    user = await _user(request)
    password = str((await request.form()).get("password", ""))
    try:
        if not password:
            # Empty would mean "no change" to the core; here it is a mistake.
            raise ValidationError.single("password", "blank", "can't be blank")
        await perform(request, services(request).users.update_user, user.id, UserChanges(password=password))
    except ValidationError as error:
        return _user_form(request, user, _form_values(user), error_status(error),
                          password_errors=field_messages(error))
    return redirect(f"/_/apps/{user.app_id}/users/{user.id}", "Password reset.")


@signed_in
async def delete_user(request: Request) -> Response:
    app_id = request.path_params["app_id"]
    user = await _user(request)
    await perform(request, services(request).users.delete_user, user.id)
    return redirect(f"/_/apps/{app_id}/users", f"User {user.login or user.email or user.id} deleted.")


_USER = "/apps/{app_id:int}/users/{user_id:int}"
routes: list[BaseRoute] = [
    Route("/apps/{app_id:int}/users", list_users, methods=["GET"]),
    Route("/apps/{app_id:int}/users", create_user, methods=["POST"]),
    Route("/apps/{app_id:int}/users/new", new_user, methods=["GET"]),
    Route(_USER, show_user, methods=["GET"]),
    Route(_USER, update_user, methods=["POST"]),
    Route(_USER + "/password", reset_password, methods=["POST"]),
    Route(_USER + "/delete", delete_user, methods=["POST"]),
]
