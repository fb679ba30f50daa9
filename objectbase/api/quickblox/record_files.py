"""D14–D16: the File fields of Custom Objects records (upload or replace, download, delete)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectbase.api.common.core_calls import perform
from objectbase.api.common.state import services, settings
from objectbase.api.common.uploads import FilePart, Sink, receive_multipart
from objectbase.api.quickblox.content import send_file
from objectbase.api.quickblox.context import params
from objectbase.api.quickblox.responses import empty, respond
from objectbase.core.errors import ValidationError
from objectbase.core.record_files import RecordUpload

__all__ = ["delete_file", "download_file", "upload_file"]


async def upload_file(request: Request) -> Response:
    """D14: multipart `field_name` + `file`. Permission is checked before any byte is read, and again
    in the transaction that points the record at the new bytes."""
    core, config = services(request), settings(request)
    class_name, record_id = request.path_params["class_name"], request.path_params["record_id"]
    await perform(request, core.record_files.check_upload, class_name, record_id)
    query_field = request.query_params.get("field_name")

    async def open_sink(fields: dict[str, str], part: FilePart) -> Sink:
        return await perform(request, core.record_files.open_upload, class_name, record_id,
                               fields.get("field_name") or query_field, part.content_type, part.filename)

    form = await receive_multipart(request, open_sink, max_file_bytes=config.max_upload_bytes,
                                   buffer_bytes=config.upload_buffer_bytes)
    if form.sink is None or form.file is None:
        raise ValidationError.single("file", "blank", "can't be blank")
    assert isinstance(form.sink, RecordUpload)  # what open_sink made
    model = await perform(request, core.record_files.attach_file, form.sink,
                            form.fields.get("field_name") or query_field, form.file.filename)
    return respond(request, model)


async def download_file(request: Request) -> Response:
    """D15: the SDK builds `…/file.json?field_name=<f>&token=<token>` for direct download."""
    download = await perform(request, services(request).record_files.open_file, request.path_params["class_name"],
                               request.path_params["record_id"], request.query_params.get("field_name"))
    return await send_file(request, download)


async def delete_file(request: Request) -> Response:
    """D16: `field_name` in the (form) body, as the SDK sends it, or in the query."""
    data = await params(request)
    await perform(request, services(request).record_files.delete_file, request.path_params["class_name"],
                    request.path_params["record_id"], data.get("field_name"))
    return empty(request)
