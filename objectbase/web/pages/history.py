"""The event history: /_/apps/{app_id}/history (the app's feed, filtered by class, user, type and time,
newest first) and one record's timeline at /_/apps/{app_id}/classes/{name}/records/{record_id}/history.

Both read through the core's event query as the signed-in actor (core/event_service.py): events of
records that actor may not read never reach a page. Times in the filters are UTC, as shown."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import perform
from objectbase.api.common.state import services
from objectbase.core.errors import NotFoundError, ObjectbaseError
from objectbase.core.event_query import EventQuery
from objectbase.core.models import App
from objectbase.core.record_views import EventHistoryPage
from objectbase.web.errors import error_status, field_messages
from objectbase.web.event_display import EVENT_KINDS, entries
from objectbase.web.render import render
from objectbase.web.session import signed_in, viewer

__all__ = ["routes"]

PER_PAGE = 25
# The core's names of the query's parts -> the feed form's fields.
_BAD_TIME = "Give a date (2026-12-03) or a date and time (2026-12-03T10:30), in UTC."
_FORM_FIELDS = {"since": "from", "until": "to", "class_name": "class", "actor_user_id": "user", "offset": "page"}


@dataclass(frozen=True)
class Filters:
    """The feed's filters as typed (shown again in the form) and the page."""

    class_name: str = ""
    user: str = ""
    kind: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def url(self, base: str, page: int) -> str:
        pairs = [(k, v) for k, v in (("class", self.class_name), ("user", self.user), ("type", self.kind),
                                     ("from", self.since), ("to", self.until)) if v]
        pairs += [("page", str(page))] if page > 1 else []
        return base + ("?" + urlencode(pairs) if pairs else "")


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _instant(text: str, *, end: bool) -> float:
    """A UTC date (`2026-12-03`) or date and time (`…T10:30`, `…T10:30:15`); as an end, the whole
    day, minute or second it names is included."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if end:
        moment += timedelta(days=1) if "T" not in text and " " not in text else timedelta(
            seconds=60 if text.count(":") == 1 else 1)
    return moment.timestamp()


async def _query(request: Request, filters: Filters) -> tuple[EventQuery, dict[str, list[str]]]:
    """The core's query for the filters, and the messages of those that are not valid."""
    errors: dict[str, list[str]] = {}
    query = EventQuery(newest_first=True, offset=(filters.page - 1) * PER_PAGE, limit=PER_PAGE,
                       class_name=filters.class_name or None, kinds=(filters.kind,) if filters.kind else ())
    if filters.kind and filters.kind not in dict(EVENT_KINDS):
        errors["type"] = ["Choose one of the listed types."]
    try:
        query = replace(query, since=_instant(filters.since, end=False) if filters.since else None)
    except ValueError:
        errors["from"] = [_BAD_TIME]
    try:
        query = replace(query, until=_instant(filters.until, end=True) if filters.until else None)
    except ValueError:
        errors["to"] = [_BAD_TIME]
    if filters.user:
        user = filters.user.strip()
        if user.isascii() and user.isdigit() and len(user) < 19:
            query = replace(query, actor_user_id=int(user))
        else:
            try:
                found = await perform(request, services(request).users.find_user_by, "login", user)
                query = replace(query, actor_user_id=found.id)
            except NotFoundError:
                errors["user"] = ["No user has this login."]
    return query, errors


def _form_errors(error: ObjectbaseError) -> dict[str, list[str]]:
    if isinstance(error, NotFoundError) and error.code == "class_not_found":
        return {"class": ["No class has this name."]}
    return {_FORM_FIELDS.get(name, name): messages for name, messages in field_messages(error).items()}


@signed_in
async def feed(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    params = request.query_params
    filters = Filters(params.get("class", ""), params.get("user", ""), params.get("type", ""), params.get("from", ""),
                      params.get("to", ""), _page_number(request))
    query, errors = await _query(request, filters)
    history = None
    if not errors:
        try:
            history = await perform(request, services(request).record_views.event_page, query)
        except ObjectbaseError as error:
            errors = _form_errors(error)
    if history is None:  # only the classes, for the form
        history = await perform(request, services(request).record_views.event_page, EventQuery(limit=1))
        history = EventHistoryPage([], {}, history.classes, 0)
    base = f"/_/apps/{app.id}/history"
    status = 422 if errors else 200
    return render(request, "history/feed.html", status, title="History", section="history", app=app,
                  filters=filters, errors=errors, base=base, total=history.total, page=filters.page,
                  last_page=max(1, -(-history.total // PER_PAGE)),
                  entries=entries(history.events, history.users, history.classes, app.id), feed_url=base,
                  filtered=filters != Filters(page=filters.page),
                  class_options=[("", "Any class")] + [(c.name, c.name) for c in history.classes],
                  kind_options=[("", "Any type"), *EVENT_KINDS])


@signed_in
async def record_timeline(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    class_name, record_id = request.path_params["name"], request.path_params["record_id"]
    page = _page_number(request)
    history = await perform(request, services(request).record_views.event_page, EventQuery(
        record_id=record_id, class_name=class_name, newest_first=True, offset=(page - 1) * PER_PAGE, limit=PER_PAGE))
    if history.total == 0:
        raise NotFoundError("This record has no history you may see", code="record_not_found")
    base = f"/_/apps/{app.id}/classes/{quote(class_name, safe='')}/records/{quote(record_id, safe='')}"
    shown = entries(history.events, history.users, history.classes, app.id)
    return render(request, "history/record.html", title=f"History of {class_name} {record_id}", section="classes",
                  app=app, class_name=class_name, record_id=record_id, record_url=base,
                  class_url=f"/_/apps/{app.id}/classes/{quote(class_name, safe='')}",
                  base=base + "/history", entries=shown, total=history.total, page=page,
                  last_page=max(1, -(-history.total // PER_PAGE)),
                  deleted=page == 1 and history.events[0].kind == "record.deleted",
                  filters=Filters(), feed_url=f"/_/apps/{app.id}/history")


routes: list[BaseRoute] = [
    Route("/apps/{app_id:int}/history", feed, methods=["GET"]),
    Route("/apps/{app_id:int}/classes/{name}/records/{record_id}/history", record_timeline, methods=["GET"]),
]
