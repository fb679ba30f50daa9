"""C1–C10: Content (blobs). Metadata through the core; bytes streamed in and out.

Routes: POST /blobs (C1), POST /blobs/{id}/upload (C2, signed, no session), PUT /blobs/{id}/complete
(C3), GET /blobs/{id} (C4), GET /blobs (C5), GET /blobs/tagged (C6), PUT /blobs/{id} (C7),
DELETE /blobs/{id} (C8), GET /blobs/{uid} (C9), GET /blobs/{id}/download (C10).
"""

from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from objectbase.api.common.core_calls import call_core, perform
from objectbase.api.common.downloads import RangeNotSatisfiable, file_response
from objectbase.api.common.lists import comma_list
from objectbase.api.common.responses import json_response
from objectbase.api.common.state import services, settings
from objectbase.api.common.uploads import FilePart, Sink, receive_multipart
from objectbase.api.quickblox.auth import read_credentials, request_token
from objectbase.api.quickblox.context import params
from objectbase.api.quickblox.errors import error_body, wire_field_names
from objectbase.api.quickblox.render import iso_time
from objectbase.api.quickblox.responses import empty, respond
from objectbase.core.actor import Actor
from objectbase.core.blobs import BlobChanges, BlobPage, LinkGrant, NewBlob
from objectbase.core.errors import UnauthenticatedError, ValidationError
from objectbase.core.models import Blob
from objectbase.core.uploads import FileDownload

__all__ = [
    "complete_blob", "create_blob", "delete_blob", "download_blob", "get_blob_by_ref", "list_blobs",
    "list_tagged_blobs", "public_base_url", "send_file", "update_blob", "upload_blob",
]

_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


# -- links the server hands out --------------------------------------------------------------
def public_base_url(request: Request) -> str:
    """Where clients reach us: --public-url, else X-Forwarded-* from a trusted proxy, else the request."""
    config = settings(request)
    if config.public_url:
        return config.public_url.rstrip("/")
    scheme, host = request.url.scheme, request.headers.get("host", "")
    trusted = {p.strip() for p in config.trusted_proxies.split(",") if p.strip()}
    if request.client is not None and request.client.host in trusted:
        forwarded_proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        forwarded_host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
        scheme = forwarded_proto if forwarded_proto in ("http", "https") else scheme
        host = forwarded_host or host
    if not _HOST.match(host):
        host = request.url.netloc
    return f"{scheme}://{host}{request.scope.get('root_path', '')}"


def _query(pairs: Mapping[str, str]) -> str:
    # `%20` for spaces, never `+`: the SDK decodes upload fields with decodeURIComponent.
    return urlencode(sorted(pairs.items()), quote_via=quote, safe="")


def _upload_url(request: Request, blob: Blob, grant: LinkGrant) -> str:
    fields = {
        "acl": "public-read" if blob.public else "authenticated-read", "content_type": blob.content_type,
        "expires": grant.expires, "key": blob.uid, "policy": grant.signature, "success_action_status": "201",
    }
    return f"{public_base_url(request)}/blobs/{blob.id}/upload/?{_query(fields)}"


def _download_url(request: Request, uid: str, grant: LinkGrant | None) -> str:
    url = f"{public_base_url(request)}/blobs/{uid}"
    if grant is not None:
        url += "?" + _query({"expires": grant.expires, "signature": grant.signature})
    return url


# -- rendering --------------------------------------------------------------------------------
def render_blob(blob: Blob, request: Request | None = None, grant: LinkGrant | None = None) -> dict[str, Any]:
    """The blob model of §5.1; with a grant, also the upload access C1 (and C7 `new=1`) return."""
    body: dict[str, Any] = {
        "id": blob.id, "uid": blob.uid, "content_type": blob.content_type, "name": blob.name,
        "size": blob.size, "created_at": iso_time(blob.created_at), "updated_at": iso_time(blob.updated_at),
        "blob_status": blob.status, "set_completed_at": iso_time(blob.completed_at), "public": blob.public,
    }
    if grant is not None and request is not None:
        # One account per application in Objectbase: the app id stands for the account id.
        body.update(account_id=blob.app_id, app_id=blob.app_id, blob_object_access={
            "id": blob.id, "blob_id": blob.id, "expires": iso_time(grant.expires_at),
            "object_access_type": "Write", "params": _upload_url(request, blob, grant),
        })
    return {"blob": body}


def _render_page(page: BlobPage) -> dict[str, Any]:
    return {"current_page": page.page, "per_page": page.per_page, "total_entries": page.total,
            "items": [render_blob(b) for b in page.blobs]}


def _blob_params(data: Mapping[str, Any]) -> Mapping[str, Any]:
    blob = data.get("blob")
    return blob if isinstance(blob, Mapping) else {}


# The core's field names -> this dialect's, in validation errors.
_WIRE_NAMES = {"tags": "tag_list"}


def _flag(value: Any, name: str) -> bool:
    if value in (True, 1, "true", "1", "True"):
        return True
    if value in (None, False, 0, "", "false", "0", "False"):
        return False
    raise ValidationError.single(name, "invalid", "is invalid")


def _text(value: Any, name: str) -> str:
    """Text as sent; absent or null is the empty text, which the core refuses where it is required."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError.single(name, "invalid", "is invalid")
    return value


def _tags(value: Any) -> tuple[str, ...]:
    tags = comma_list(value)
    if tags is None:
        raise ValidationError.single("tag_list", "invalid", "is invalid")
    return tags


def _optional_size(value: Any) -> int | None:
    # The SDK sends the literal `size=undefined` when the app gave no size; treat it as absent.
    if value in (None, "", "undefined", "null"):
        return None
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit():
        raise ValidationError.single("size", "invalid", "is invalid")
    return int(text)


def _new_blob(data: Mapping[str, Any]) -> NewBlob:
    return NewBlob(name=_text(data.get("name"), "name"), content_type=_text(data.get("content_type"), "content_type"),
                   public=_flag(data.get("public"), "public"), tags=_tags(data.get("tag_list")))


def _blob_changes(data: Mapping[str, Any]) -> BlobChanges:
    def given(name: str) -> str | None:
        return _text(data[name], name) if name in data else None
    return BlobChanges(name=given("name"), content_type=given("content_type"),
                       public=_flag(data["public"], "public") if "public" in data else None,
                       tags=_tags(data["tag_list"]) if "tag_list" in data else None,
                       renew=_flag(data.get("new"), "new"))


def _page_numbers(data: Mapping[str, Any]) -> tuple[int, int]:
    try:
        return int(data.get("page") or 1), int(data.get("per_page") or 10)
    except (TypeError, ValueError):
        raise ValidationError.single("page", "invalid", "page and per_page must be integers") from None


def _has_json_suffix(request: Request) -> bool:
    # The dialect app strips `.json` before routing; the raw path still tells which form was asked for.
    raw = request.scope.get("raw_path") or request.url.path.encode()
    return bytes(raw).split(b"?", 1)[0].rstrip(b"/").endswith(b".json")


def _has_credentials(request: Request) -> bool:
    return bool(request_token(request) or request.headers.get("authorization"))


async def _optional_actor(request: Request) -> Actor | None:
    """The session if one is given and valid; a public blob is served whatever the token says."""
    if not _has_credentials(request):
        return None
    try:
        return await call_core(services(request).authenticate, read_credentials(request))
    except UnauthenticatedError:
        return None


async def send_file(request: Request, download: FileDownload) -> Response:
    """The bytes, or 416 in QuickBlox's error shape for a range the file cannot satisfy."""
    try:
        return await file_response(request, download, public=download.public)
    except RangeNotSatisfiable as error:
        return json_response(error_body(["Requested range not satisfiable"]), 416,
                             {"Content-Range": f"bytes */{error.size}"})


# -- handlers ---------------------------------------------------------------------------------
async def create_blob(request: Request) -> Response:
    new = _new_blob(_blob_params(await params(request)))
    with wire_field_names(_WIRE_NAMES):
        blob, grant = await perform(request, services(request).blobs.create_blob, new)
    return respond(request, render_blob(blob, request, grant), 201)


async def upload_blob(request: Request) -> Response:
    """C2: the SDK posts every field of `params`, then `file`, then `name`. The grant (key, expires,
    policy) must come before the file, or in the query string, as with an S3 POST policy."""
    core, config = services(request), settings(request)
    blob_id: int = request.path_params["blob_id"]
    query = dict(request.query_params)

    async def open_sink(fields: dict[str, str], part: FilePart) -> Sink:
        return await call_core(core.blobs.open_upload, blob_id, {**query, **fields})

    form = await receive_multipart(request, open_sink, max_file_bytes=config.max_upload_bytes,
                                   buffer_bytes=config.upload_buffer_bytes)
    if form.sink is None:
        raise ValidationError.single("file", "blank", "can't be blank")
    await call_core(core.blobs.finish_upload, form.sink)
    return Response(b"", 201, media_type="text/plain")


async def complete_blob(request: Request) -> Response:
    data = await params(request)
    blob = _blob_params(data)
    # The reference says blob[size]; the JS SDK sends a top-level `size` (or `size=undefined`).
    size = _optional_size(blob.get("size") if "size" in blob else data.get("size"))
    await perform(request, services(request).blobs.complete_blob, request.path_params["blob_id"], size)
    return empty(request)


async def get_blob_by_ref(request: Request) -> Response:
    """`/blobs/{digits}`: metadata (C4); `/blobs/{uid}.json`: metadata by uid, as JSON, because the
    SDK's content.getFile parses it (a redirect breaks it); `/blobs/{uid}`: the bytes (C9)."""
    ref: str = request.path_params["ref"]
    core = services(request)
    if ref.isdigit():
        # Also answers the SDK's content.update, which sends GET …?blob[name]=…: a read, changes nothing.
        return respond(request, render_blob(await perform(request, core.blobs.get_blob, int(ref))))
    actor = await _optional_actor(request)
    if _has_json_suffix(request):
        return respond(request, render_blob(await call_core(core.blobs.get_blob_by_uid, ref, actor)))
    link = None
    if "signature" in request.query_params or "expires" in request.query_params:
        link = {"expires": request.query_params.get("expires"), "signature": request.query_params.get("signature")}
    download = await call_core(core.blobs.open_download, ref, actor, link)
    return await send_file(request, download)


async def download_blob(request: Request) -> Response:
    """C10: a redirect to the bytes; for a private blob, to a short-lived signed link."""
    uid, grant = await perform(request, services(request).blobs.download_link, request.path_params["blob_id"])
    return RedirectResponse(_download_url(request, uid, grant), 302)


async def list_blobs(request: Request) -> Response:
    page, per_page = _page_numbers(await params(request))
    return respond(request, _render_page(await perform(request, services(request).blobs.find_blobs, page, per_page)))


async def list_tagged_blobs(request: Request) -> Response:
    page, per_page = _page_numbers(await params(request))
    found = await perform(request, services(request).blobs.find_blobs, page, per_page, tagged=True)
    return respond(request, _render_page(found))


async def update_blob(request: Request) -> Response:
    changes = _blob_changes(_blob_params(await params(request)))
    with wire_field_names(_WIRE_NAMES):
        blob, grant = await perform(request, services(request).blobs.update_blob, request.path_params["blob_id"],
                                      changes)
    return respond(request, render_blob(blob, request, grant))


async def delete_blob(request: Request) -> Response:
    await perform(request, services(request).blobs.delete_blob, request.path_params["blob_id"])
    return empty(request)
