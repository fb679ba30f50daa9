"""A class's records: the table (…/classes/{name}/records: filter, sort, pages); one record's pages
are `record.py`'s. With htmx, filtering, sorting and paging swap only the table;
without it the same links and form load the whole page, at the same URLs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import perform
from objectbase.api.common.state import services
from objectbase.core.errors import MalformedInputError, UnsupportedQueryError, ValidationError
from objectbase.core.models import Record
from objectbase.core.records import RecordSet
from objectbase.core.schema import ClassDef
from objectbase.web.errors import field_messages
from objectbase.web.pages import record
from objectbase.web.records.table import PAGE_SIZES, TableView, columns, table_query
from objectbase.web.records.values import date_text, display
from objectbase.web.render import render
from objectbase.web.session import signed_in, viewer

__all__ = ["routes"]


def cell(cls: ClassDef, found: Record, column: str) -> str:
    """One cell of the table, as text."""
    if column == "_id":
        return found.id
    if column == "_state":
        state = cls.state(found.state_id) if found.state_id is not None else None
        return state.name if state else ""
    if column == "user_id":
        return f"#{found.user_id}" if found.user_id else "the app"
    if column == "updated_at":
        return date_text(found.updated_at).replace("T", " ")
    return display(cls.fields[column], found.values.get(column))


def _table_only(request: Request) -> bool:
    """An htmx request for the table (a history restore wants the whole page)."""
    headers = request.headers
    return (headers.get("hx-request") == "true" and headers.get("hx-target") == "records"
            and "hx-history-restore-request" not in headers)


@signed_in
async def list_records(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    cls = await perform(request, services(request).classes.get_class, request.path_params["name"])
    view = TableView.of(request.query_params)
    errors: list[str] = []
    found: RecordSet | None = None
    try:
        found = await perform(request, services(request).records.find_records, cls.name, table_query(view),
                              count_total=True)
    except (ValidationError, MalformedInputError, UnsupportedQueryError) as error:
        # Whatever the filter or paging got wrong, it is told beside the filter box.
        errors = [message for messages in field_messages(error).values() for message in messages]
    shown = columns(cls)
    rows = [(r.id, [cell(cls, r, c.name) for c in shown]) for r in (found.records if found else [])]
    skip = int(view.skip) if view.skip.isdigit() else 0
    context = dict(
        cls=cls, view=view, columns=shown, rows=rows, errors=errors, total=found.total if found else 0,
        first=skip + 1, last=skip + len(rows), previous=view.page(-1) if skip > 0 else None,
        next=view.page(1) if found and skip + len(rows) < found.total else None,
        page_sizes=[(str(n), str(n)) for n in PAGE_SIZES], base=record.records_url(app.id, cls.name),
    )
    template = "records/table.html" if _table_only(request) else "records/list.html"
    response = render(request, template, 422 if errors else 200, title=f"{cls.name} records", section="classes",
                      app=app, **context)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


routes: list[BaseRoute] = [Route("/apps/{app_id:int}/classes/{name}/records", list_records, methods=["GET"])]
