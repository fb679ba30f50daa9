"""One record: create (…/records/new), show and edit (…/records/{record_id}), delete, change its
state, edit its permissions, and its File fields (upload in the form, download, image preview).

Every read and write is a core operation run as the signed-in actor (`perform`); the core casts,
validates and checks permissions, and its errors are shown beside the fields they name."""

from __future__ import annotations

from typing import Any, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.core_calls import perform
from objectbase.api.common.downloads import RangeNotSatisfiable, file_response
from objectbase.api.common.state import services, settings
from objectbase.core.errors import NotFoundError, ObjectbaseError, UnauthenticatedError, ValidationError
from objectbase.core.models import App, Record
from objectbase.core.permissions import RECORD_ACTIONS
from objectbase.core.query import ast
from objectbase.core.record_files import RecordUpload
from objectbase.core.records import NewRecord, RecordChange
from objectbase.core.schema import ClassDef
from objectbase.core.updates import FieldChange
from objectbase.web.errors import error_status, field_messages
from objectbase.web.records.form import ACCESS_CHOICES, Pickers, acl_inputs, form_fields, read_acl
from objectbase.web.formats import user_label, utc_time
from objectbase.web.records.values import Raw, core_values, form_raw, input_kind, record_raw
from objectbase.web.render import redirect, render
from objectbase.web.session import signed_in, viewer

__all__ = ["PICKER_MAX", "records_url", "routes"]

# Users or records a picker lists; with more, the input takes an id.
PICKER_MAX = 100
_CHUNK = 64 * 1024
Errors = dict[str, list[str]]


def records_url(app_id: int, class_name: str) -> str:
    return f"/_/apps/{app_id}/classes/{class_name}/records"


def _record_url(cls: ClassDef, record_id: str) -> str:
    return f"{records_url(cls.app_id, cls.name)}/{record_id}"


async def _app_and_class(request: Request) -> tuple[App, ClassDef]:
    app = viewer(request).app(request.path_params["app_id"])
    cls = await perform(request, services(request).classes.get_class, request.path_params["name"])
    return app, cls


async def _record(request: Request) -> tuple[App, ClassDef, Record]:
    app = viewer(request).app(request.path_params["app_id"])
    cls, record = await perform(request, services(request).records.get_record, request.path_params["name"],
                                request.path_params["record_id"])
    return app, cls, record


def _messages(error: ObjectbaseError) -> Errors:
    """A refused write's messages by field, for the form; a missing record or a lost session is
    not the form's business (the dialect answers those: 404 page, sign-in)."""
    if isinstance(error, (NotFoundError, UnauthenticatedError)):
        raise error
    return field_messages(error)


def _record_label(cls: ClassDef, record: Record) -> str:
    """How a record reads in a picker: its title field, else its first String with a value, else its id."""
    named = [f for f in cls.fields.values() if f.title] + [f for f in cls.fields.values() if f.type.name == "String"]
    text = next((str(record.values[f.name]) for f in named if record.values.get(f.name)), record.id)
    return f"#{record.seq} {text}"


async def _pickers(request: Request, cls: ClassDef) -> Pickers:
    """The choices of the class's User and Record inputs (as few core calls as the form needs)."""
    core = services(request)
    kinds = {f.name: input_kind(f) for f in cls.fields.values()}
    users: tuple[tuple[str, str], ...] | None = ()
    user_total = 0
    if "user" in kinds.values():
        page = await perform(request, core.users.find_users, ast.TRUE, (), 1, PICKER_MAX)
        user_total = page.total
        users = tuple((str(u.id), f"{user_label(u)} (#{u.id})") for u in page.users) \
            if page.total <= PICKER_MAX else None
    targets: dict[str, str] = {}
    records: dict[str, tuple[tuple[str, str], ...] | None] = {}
    for name, kind in kinds.items():
        target_id = cls.fields[name].target_class_id
        if kind != "record" or target_id is None:
            continue
        target = await perform(request, core.classes.get_class_by_id, target_id)
        found = await perform(request, core.records.find_records, target.name, ast.Query(limit=PICKER_MAX),
                              count_total=True)
        targets[name] = target.name
        records[name] = tuple((str(r.seq), _record_label(target, r)) for r in found.records) \
            if found.total <= PICKER_MAX else None
    return Pickers(users, user_total, targets, records)


def _split(cls: ClassDef, errors: Errors) -> tuple[Errors, list[str]]:
    """Errors beside the form's inputs, and the others (above the form)."""
    inputs = {n for n in errors if n in cls.fields or n.startswith("permissions.")}
    return {n: m for n, m in errors.items() if n in inputs}, [m for n, ms in errors.items() if n not in inputs
                                                                for m in ms]


# -- create --------------------------------------------------------------------------------------
async def _new_page(request: Request, app: App, cls: ClassDef, raw: Mapping[str, Raw], errors: Errors,
                    status: int = 200) -> Response:
    beside, above = _split(cls, errors)
    return render(request, "records/new.html", status, title=f"New {cls.name} record", section="classes", app=app,
                  cls=cls, fields=form_fields(cls, raw, await _pickers(request, cls)), errors=beside, alerts=above,
                  records_url=records_url(app.id, cls.name), max_bytes=settings(request).max_upload_bytes)


@signed_in
async def new_record(request: Request) -> Response:
    app, cls = await _app_and_class(request)
    return await _new_page(request, app, cls, {}, {})


def _uploads(cls: ClassDef, form: FormData) -> dict[str, UploadFile]:
    """The files chosen in the form, by File field (an input left empty sends a nameless part)."""
    chosen: dict[str, UploadFile] = {}
    for name, field_def in cls.fields.items():
        part = form.get(name)
        if input_kind(field_def) == "file" and isinstance(part, UploadFile) and (part.filename or part.size):
            chosen[name] = part
    return chosen


def _too_large(request: Request, uploads: Mapping[str, UploadFile]) -> Errors:
    most = settings(request).max_upload_bytes
    return {name: [f"The file is larger than {most} bytes."] for name, part in uploads.items()
            if (part.size or 0) > most}


def _copy(part: UploadFile, upload: RecordUpload) -> None:
    part.file.seek(0)
    while chunk := part.file.read(_CHUNK):
        upload.write(chunk)


async def _store_files(request: Request, cls: ClassDef, record_id: str, uploads: Mapping[str, UploadFile]) -> Errors:
    """Each chosen file through the core's record file service: opened (permission checked), its
    bytes streamed from the form's spooled copy, then attached (the field points at it)."""
    files = services(request).record_files
    errors: Errors = {}
    for name, part in uploads.items():
        file_name = part.filename or "file"
        try:
            upload = await perform(request, files.open_upload, cls.name, record_id, name, part.content_type,
                                   file_name)
            try:
                await run_in_threadpool(_copy, part, upload)
            except BaseException:
                upload.abort()
                raise
            await perform(request, files.attach_file, upload, name, file_name)
        except ObjectbaseError as error:
            errors[name] = [error.message]
    return errors


@signed_in
async def create_record(request: Request) -> Response:
    app, cls = await _app_and_class(request)
    async with request.form() as form:  # closes the form's spooled files at the end
        return await _create(request, app, cls, form)


async def _create(request: Request, app: App, cls: ClassDef, form: FormData) -> Response:
    raw, uploads = form_raw(cls, form), _uploads(cls, form)
    errors, status = _too_large(request, uploads), 413
    if not errors:
        try:
            created = await perform(request, services(request).records.create_records, cls.name,
                                    [NewRecord(core_values(cls, raw))])
        except ObjectbaseError as error:
            errors, status = _messages(error), error_status(error)
    if errors:
        return await _new_page(request, app, cls, raw, errors, status)
    record = created.records[0]
    file_errors = await _store_files(request, cls, record.id, uploads)
    if file_errors:
        _cls, record = await perform(request, services(request).records.get_record, cls.name, record.id)
        return await _record_page(request, app, cls, record, 422, errors=file_errors,
                                  notice="The record was created, but a file could not be saved.")
    return redirect(_record_url(cls, record.id), "Record created.")


# -- show and edit ---------------------------------------------------------------------------------
def _moves(cls: ClassDef, record: Record) -> list[tuple[int, str]]:
    """The states the record may move to, as the core allows them (core/workflow.py): the current
    state's transitions, or any other state when it lists none."""
    current = cls.state(record.state_id) if record.state_id is not None else None
    allowed = current.transitions if current is not None and current.transitions else \
        tuple(s.id for s in cls.states if s.id != record.state_id)
    return [(s.id, s.name) for s in cls.states if s.id in allowed]


async def _record_page(request: Request, app: App, cls: ClassDef, record: Record, status: int = 200, *,
                       raw: Mapping[str, Raw] | None = None, errors: Errors | None = None,
                       acl_form: FormData | None = None, acl_errors: Errors | None = None,
                       state_errors: list[str] | None = None, notice: str | None = None) -> Response:
    beside, above = _split(cls, errors or {})
    state = cls.state(record.state_id) if record.state_id is not None else None
    context: dict[str, Any] = {} if notice is None else {"notice": notice}
    return render(
        request, "records/show.html", status, title=f"{cls.name} record {record.id}", section="classes", app=app,
        cls=cls, record=record, url=_record_url(cls, record.id), records_url=records_url(app.id, cls.name),
        fields=form_fields(cls, raw if raw is not None else record_raw(cls, record.values),
                           await _pickers(request, cls), record.values),
        errors=beside, alerts=above, state=state, moves=_moves(cls, record), state_errors=state_errors or [],
        acl=acl_inputs(cls, record.acl, acl_form), acl_errors=acl_errors or {}, access_choices=ACCESS_CHOICES,
        class_acl=[(a.value, p.access.value, ", ".join(p.members)) for a, p in cls.permissions.acl.items()],
        class_decides=[a.value for a in RECORD_ACTIONS if not cls.permissions.applies_to_records(a)],
        created=utc_time(record.created_at), updated=utc_time(record.updated_at),
        max_bytes=settings(request).max_upload_bytes, **context)


@signed_in
async def show_record(request: Request) -> Response:
    app, cls, record = await _record(request)
    return await _record_page(request, app, cls, record)


@signed_in
async def update_record(request: Request) -> Response:
    app, cls, record = await _record(request)
    async with request.form() as form:  # closes the form's spooled files at the end
        return await _save(request, app, cls, record, form)


async def _save(request: Request, app: App, cls: ClassDef, record: Record, form: FormData) -> Response:
    raw, uploads = form_raw(cls, form), _uploads(cls, form)
    removed = [n for n, f in cls.fields.items() if input_kind(f) == "file" and form.get(f"remove.{n}") == "1"
               and n not in uploads and record.values.get(n)]
    errors, status = _too_large(request, uploads), 413
    if not errors:
        changes = [FieldChange(name, "set", value) for name, value in core_values(cls, raw).items()]
        try:
            await _update(request, cls, RecordChange(record.id, changes))
            for name in removed:
                await perform(request, services(request).record_files.delete_file, cls.name, record.id, name)
        except ObjectbaseError as error:
            errors, status = _messages(error), error_status(error)
    if not errors:
        errors, status = await _store_files(request, cls, record.id, uploads), 422
    if errors:
        _cls, record = await perform(request, services(request).records.get_record, cls.name, record.id)
        return await _record_page(request, app, cls, record, status, raw=raw, errors=errors)
    return redirect(_record_url(cls, record.id), "Record saved.")


async def _update(request: Request, cls: ClassDef, change: RecordChange) -> None:
    result = await perform(request, services(request).records.update_records, cls.name, [change])
    if result.not_found or result.denied:
        raise NotFoundError("Record not found", code="record_not_found")


# -- delete, state, permissions, files --------------------------------------------------------------
@signed_in
async def delete_record(request: Request) -> Response:
    app = viewer(request).app(request.path_params["app_id"])
    name, record_id = request.path_params["name"], request.path_params["record_id"]
    result = await perform(request, services(request).records.delete_records, name, [record_id])
    if not result.deleted:
        raise NotFoundError("Record not found", code="record_not_found")
    children = f" Its {result.cascaded} child records were deleted too." if result.cascaded else ""
    return redirect(records_url(app.id, name), f"Record {record_id} deleted.{children}")


@signed_in
async def change_state(request: Request) -> Response:
    app, cls, record = await _record(request)
    raw = str((await request.form()).get("state_id", ""))
    try:
        if not raw.isdigit():
            raise ValidationError.single("state", "invalid", "choose a state to move to")
        moved = await perform(request, services(request).records.change_state, cls.name, record.id, int(raw))
    except ObjectbaseError as error:
        messages = [m for ms in _messages(error).values() for m in ms]
        return await _record_page(request, app, cls, record, error_status(error), state_errors=messages)
    state = cls.state(moved.state_id) if moved.state_id is not None else None
    return redirect(_record_url(cls, record.id), f"Moved to {state.name if state else 'the new state'}.")


@signed_in
async def update_permissions(request: Request) -> Response:
    app, cls, record = await _record(request)
    form = await request.form()
    try:
        await _update(request, cls, RecordChange(record.id, permissions=read_acl(cls, form)))
    except ObjectbaseError as error:
        return await _record_page(request, app, cls, record, error_status(error), acl_form=form,
                                  acl_errors=_messages(error))
    return redirect(_record_url(cls, record.id), "Permissions saved.")


@signed_in
async def download_file(request: Request) -> Response:
    """A File field's bytes: saved by the download link (`?download=1`), shown inline as an image preview."""
    path = request.path_params
    viewer(request).app(path["app_id"])
    download = await perform(request, services(request).record_files.open_file, path["name"], path["record_id"],
                             path["field"])
    try:
        return await file_response(request, download, public=False,
                                   attachment=request.query_params.get("download") == "1")
    except RangeNotSatisfiable as error:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{error.size}"})



_RECORD = "/apps/{app_id:int}/classes/{name}/records/{record_id}"

routes: list[BaseRoute] = [
    # Before the record's own URL: "new" is not a record id.
    Route("/apps/{app_id:int}/classes/{name}/records/new", new_record, methods=["GET"]),
    Route("/apps/{app_id:int}/classes/{name}/records/new", create_record, methods=["POST"]),
    Route(_RECORD, show_record, methods=["GET"]),
    Route(_RECORD, update_record, methods=["POST"]),
    Route(_RECORD + "/delete", delete_record, methods=["POST"]),
    Route(_RECORD + "/state", change_state, methods=["POST"]),
    Route(_RECORD + "/permissions", update_permissions, methods=["POST"]),
    Route(_RECORD + "/files/{field}", download_file, methods=["GET", "HEAD"]),
]
