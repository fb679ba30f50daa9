"""An app's files (Content blobs, core/blobs.py): /_/apps/{app_id}/files and one file's page.

An upload takes the path the QuickBlox Content API takes (create the blob, stream the bytes under its
upload grant, complete it), in one form post: the multipart body is streamed (api/common/uploads.py),
never held whole, and an upload that fails part-way leaves neither bytes nor a blob behind."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import call_core, perform
from objectbase.api.common.downloads import RangeNotSatisfiable, file_response
from objectbase.api.common.state import actor, services, settings
from objectbase.api.common.uploads import FilePart, Sink, receive_multipart
from objectbase.core.blobs import BlobChanges, BlobPage, NewBlob
from objectbase.core.errors import ObjectbaseError, ValidationError
from objectbase.core.event_query import EventQuery
from objectbase.core.models import App, Blob
from objectbase.core.query import ast
from objectbase.core.uploads import clean_file_name, valid_content_type
from objectbase.web.csrf import CSRF_FIELD, check_csrf_sent
from objectbase.web.errors import error_status, field_messages
from objectbase.web.event_display import EVENT_KINDS, entries
from objectbase.web.formats import byte_size, user_label, utc_time
from objectbase.web.render import redirect, render
from objectbase.web.session import signed_in, signed_in_upload, viewer

__all__ = ["routes"]

PER_PAGE = 20
# The latest events a file's page shows (a file rarely has more: created, uploaded, completed, edits).
HISTORY_SHOWN = 20
BLOB_KINDS = tuple(kind for kind, _label in EVENT_KINDS if kind.startswith("blob."))
FALLBACK_TYPE = "application/octet-stream"


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _base(app: App) -> str:
    return f"/_/apps/{app.id}/files"


async def _owners(request: Request, blobs: list[Blob]) -> dict[int, str]:
    """Who uploaded each blob, by user id (0: the app's administrator, e.g. through the dashboard)."""
    ids = tuple(sorted({b.user_id for b in blobs if b.user_id}))
    if not ids:
        return {}
    found = await perform(request, services(request).users.find_users, ast.In("id", ids), per_page=len(ids))
    return {user.id: user_label(user) for user in found.users}


async def _list_page(request: Request, app: App, status: int = 200, errors: dict[str, list[str]] | None = None,
                     form: dict[str, str] | None = None) -> Response:
    found: BlobPage = await perform(request, services(request).blobs.find_blobs, _page_number(request), PER_PAGE)
    last_page = max(1, -(-found.total // found.per_page))
    return render(request, "files/list.html", status, title="Files", section="files", app=app, found=found,
                  last_page=last_page, owners=await _owners(request, found.blobs), errors=errors or {},
                  form=form or {}, max_bytes=settings(request).max_upload_bytes, byte_size=byte_size,
                  utc_time=utc_time, base=_base(app))


@signed_in
async def list_files(request: Request) -> Response:
    return await _list_page(request, viewer(request).app(request.path_params["app_id"]))


def _content_type(part: FilePart) -> str:
    # The browser's type for the file, else one guessed from its name; never one the core refuses.
    declared = (part.content_type or "").strip()
    if valid_content_type(declared) and 5 <= len(declared) <= 100:
        return declared
    guessed = mimetypes.guess_type(part.filename, strict=False)[0]
    return guessed if guessed and valid_content_type(guessed) else FALLBACK_TYPE


@signed_in_upload
async def upload_file(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    core, config = services(request), settings(request)
    created: list[int] = []
    fields: dict[str, str] = {}

    async def open_sink(sent: dict[str, str], part: FilePart) -> Sink:
        # The form sends its CSRF token and its text fields before the file: checked before any byte.
        fields.update(sent)
        check_csrf_sent(request, sent.get(CSRF_FIELD))
        if not part.filename:
            raise ValidationError.single("file", "blank", "Choose a file to upload.")
        new = NewBlob(name=sent.get("name", "").strip() or clean_file_name(part.filename),
                      content_type=_content_type(part), public=sent.get("public") == "1")
        blob, grant = await perform(request, core.blobs.create_blob, new)
        created.append(blob.id)
        return await call_core(core.blobs.open_upload, blob.id,
                               {"key": blob.uid, "expires": grant.expires, "policy": grant.signature})

    try:
        form = await receive_multipart(request, open_sink, max_file_bytes=config.max_upload_bytes,
                                       buffer_bytes=config.upload_buffer_bytes)
        fields.update(form.fields)
        if form.sink is None:
            check_csrf_sent(request, fields.get(CSRF_FIELD))
            raise ValidationError.single("file", "blank", "Choose a file to upload.")
        await call_core(core.blobs.finish_upload, form.sink)
        blob = await perform(request, core.blobs.complete_blob, created[0], None)
    except Exception as error:
        # Half-written bytes are aborted by receive_multipart; deleting the blob removes any it recorded.
        if created:
            await perform(request, core.blobs.delete_blob, created[0])
        if not isinstance(error, ObjectbaseError):
            raise
        form_values = {"name": fields.get("name", ""), "public": fields.get("public", "")}
        return await _list_page(request, app, error_status(error), _upload_errors(error), form_values)
    return redirect(f"{_base(app)}/{blob.id}", f"Uploaded {blob.name}.")


def _upload_errors(error: ObjectbaseError) -> dict[str, list[str]]:
    """The core's messages by the form's fields: its name is the form's, anything else is the file's."""
    messages = field_messages(error)
    return {("name" if name == "name" else "file"): [m if name in ("", "file", "name") else f"{name} {m}"
                                                     for m in found]
            for name, found in messages.items()}


async def _blob(request: Request) -> tuple[App, Blob]:
    app = viewer(request).app(request.path_params["app_id"])
    blob = await perform(request, services(request).blobs.get_blob, request.path_params["blob_id"])
    return app, blob


@signed_in
async def show_file(request: Request) -> Response:
    app, blob = await _blob(request)
    owners = await _owners(request, [blob])
    # The file's own history (its events are about its uid), newest first: who uploaded, published, renamed it.
    history = await perform(request, services(request).record_views.event_page, EventQuery(
        subject_id=blob.uid, kinds=BLOB_KINDS, newest_first=True, limit=HISTORY_SHOWN))
    return render(request, "files/show.html", title=blob.name, section="files", app=app, blob=blob,
                  owner=owners.get(blob.user_id, ""), byte_size=byte_size, utc_time=utc_time, base=_base(app),
                  entries=entries(history.events, history.users, history.classes, app.id), total=history.total,
                  feed_url=f"/_/apps/{app.id}/history")


@signed_in
async def download_file(request: Request) -> Response:
    """The bytes, saved by the browser (`?view=1`: shown, for an image's preview)."""
    _app, blob = await _blob(request)
    download = await call_core(services(request).blobs.open_download, blob.uid, actor(request))
    try:
        return await file_response(request, download, public=False,
                                   attachment=request.query_params.get("view") != "1")
    except RangeNotSatisfiable as error:
        return PlainTextResponse("Requested range not satisfiable", 416,
                                 headers={"Content-Range": f"bytes */{error.size}"})


def _publisher(public: bool) -> Callable[[Request], Awaitable[Response]]:
    @signed_in
    async def set_visibility(request: Request) -> Response:
        app, blob = await _blob(request)
        await perform(request, services(request).blobs.update_blob, blob.id, BlobChanges(public=public))
        return redirect(f"{_base(app)}/{blob.id}", f"{blob.name} is {'public' if public else 'private'} now.")
    return set_visibility


@signed_in
async def delete_file(request: Request) -> Response:
    app, blob = await _blob(request)
    await perform(request, services(request).blobs.delete_blob, blob.id)
    return redirect(_base(app), f"Deleted {blob.name}.")


_FILE = "/apps/{app_id:int}/files/{blob_id:int}"

routes: list[BaseRoute] = [
    Route("/apps/{app_id:int}/files", list_files, methods=["GET"]),
    Route("/apps/{app_id:int}/files", upload_file, methods=["POST"]),
    Route(_FILE, show_file, methods=["GET"]),
    Route(_FILE + "/download", download_file, methods=["GET"]),
    Route(_FILE + "/public", _publisher(True), methods=["POST"]),
    Route(_FILE + "/private", _publisher(False), methods=["POST"]),
    Route(_FILE + "/delete", delete_file, methods=["POST"]),
]
