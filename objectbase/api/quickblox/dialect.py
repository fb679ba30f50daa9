"""The QuickBlox dialect: its routes, `.json` suffixes, credentials, and errors in QuickBlox shape."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from objectbase.api.common.responses import json_response
from objectbase.api.common.routing import SegmentRouter
from objectbase.api.quickblox import content, custom_object_changes, custom_objects, record_files, session, users
from objectbase.api.quickblox.auth import read_credentials
from objectbase.api.quickblox.errors import error_body, status_and_body
from objectbase.core.credentials import Credentials
from objectbase.core.errors import ObjectbaseError

__all__ = ["QuickBlox", "ROUTES"]

ROUTES = [
    Route("/session", session.create_session, methods=["POST"]),
    Route("/session", session.get_session, methods=["GET"]),
    Route("/session", session.delete_session, methods=["DELETE"]),
    Route("/login", session.post_login, methods=["POST"]),
    Route("/login", session.delete_login, methods=["DELETE"]),
    Route("/users", users.create_user, methods=["POST"]),
    Route("/users", users.list_users, methods=["GET"]),
    Route("/users/by_login", users.user_by_login, methods=["GET"]),
    Route("/users/by_email", users.user_by_email, methods=["GET"]),
    Route("/users/by_full_name", users.user_by_full_name, methods=["GET"]),
    Route("/users/by_tags", users.users_by_tags, methods=["GET"]),
    Route("/users/external/{external_id}", users.get_user_by_external, methods=["GET"]),
    Route("/users/external/{external_id}", users.delete_user_by_external, methods=["DELETE"]),
    Route("/users/{user_id:int}", users.get_user, methods=["GET"]),
    Route("/users/{user_id:int}", users.update_user, methods=["PUT"]),
    Route("/users/{user_id:int}", users.delete_user, methods=["DELETE"]),
    Route("/data/{class_name}", custom_objects.create_record, methods=["POST"]),
    Route("/data/{class_name}", custom_objects.search_records, methods=["GET"]),
    Route("/data/{class_name}/multi", custom_objects.create_many, methods=["POST"]),
    Route("/data/{class_name}/multi", custom_object_changes.update_many, methods=["PUT"]),
    Route("/data/{class_name}/by_criteria", custom_object_changes.update_by_criteria, methods=["PUT"]),
    Route("/data/{class_name}/by_criteria", custom_object_changes.delete_by_criteria, methods=["DELETE"]),
    # D14–D16 before the generic /data/{class}/{ids} and parent/child routes: `file` is a reserved third segment.
    Route("/data/{class_name}/{record_id}/file", record_files.upload_file, methods=["POST"]),
    Route("/data/{class_name}/{record_id}/file", record_files.download_file, methods=["GET"]),
    Route("/data/{class_name}/{record_id}/file", record_files.delete_file, methods=["DELETE"]),
    Route("/data/{class_name}/{ids}", custom_objects.get_records, methods=["GET"]),
    Route("/data/{class_name}/{ids}", custom_object_changes.update_record, methods=["PUT"]),
    Route("/data/{class_name}/{ids}", custom_object_changes.delete_records, methods=["DELETE"]),
    Route("/data/{class_name}/{parent_id}/{child_class}", custom_objects.create_child, methods=["POST"]),
    Route("/data/{class_name}/{parent_id}/{child_class}", custom_objects.list_children, methods=["GET"]),
    # C1–C10: Content. Literal segments (tagged, upload, complete, download) before /blobs/{ref}.
    Route("/blobs", content.create_blob, methods=["POST"]),
    Route("/blobs", content.list_blobs, methods=["GET"]),
    Route("/blobs/tagged", content.list_tagged_blobs, methods=["GET"]),
    Route("/blobs/{blob_id:int}/upload", content.upload_blob, methods=["POST"]),
    Route("/blobs/{blob_id:int}/complete", content.complete_blob, methods=["PUT"]),
    Route("/blobs/{blob_id:int}/download", content.download_blob, methods=["GET"]),
    Route("/blobs/{blob_id:int}", content.update_blob, methods=["PUT"]),
    Route("/blobs/{blob_id:int}", content.delete_blob, methods=["DELETE"]),
    Route("/blobs/{ref}", content.get_blob_by_ref, methods=["GET"]),
]



class JsonSuffix:
    """Routes are written without `.json`: the SDK uses both forms (`/blobs/{uid}`, `/session.json`),
    and QuickBlox's upload URL ends in a slash."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.endswith(".json"):
            path = path[:-5]
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        child = dict(scope, path=path)
        try:
            await self.app(child, receive, send)
        finally:
            # The route the router matched, for the metrics' route label (api/common/metrics.py).
            if "route" in child:
                scope["route"] = child["route"]


_HTTP_MESSAGES = {404: "Not found", 405: "Method not allowed", 413: "Request entity too large"}


class QuickBlox:
    """QuickBlox has no prefix (its SDK expects none); `--quickblox-prefix` adds one more."""

    name = "quickblox"
    cors_headers = ("QB-Token", "QB-OS", "QB-SDK", "QB-Account-Key", "Content-Type", "Authorization",
                    "On-Behalf-Of")
    expose_headers = ("QB-Token-ExpirationDate",)

    def __init__(self, prefix: str = "") -> None:
        self.prefixes = ("", prefix) if prefix else ("",)
        self.app: ASGIApp = JsonSuffix(SegmentRouter(ROUTES))

    def credentials(self, request: Request) -> Credentials:
        return read_credentials(request)

    def error_response(self, request: Request, error: Exception) -> Response:
        if isinstance(error, ObjectbaseError):
            status, body = status_and_body(error)
            return json_response(body, status)
        if isinstance(error, HTTPException):
            return json_response(error_body([_HTTP_MESSAGES.get(error.status_code, error.detail)]),
                                 error.status_code, dict(error.headers or {}))
        # The pipeline logs the traceback; the client sees only the QuickBlox shape.
        return json_response(error_body(["Internal server error"]), 500)
