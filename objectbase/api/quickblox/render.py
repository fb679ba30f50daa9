"""Core objects -> QuickBlox JSON."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from objectbase.api.quickblox.permissions import render_permissions
from objectbase.core.models import Record, Session, User
from objectbase.core.schema import ClassDef

__all__ = ["expiration_header", "iso_time", "render_permissions", "render_record", "render_session", "render_user"]


def iso_time(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expiration_header(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_record(cls: ClassDef, record: Record, *, permissions: bool = True,
                  fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Keys in alphabetical order with `permissions` last, as QuickBlox's examples show."""
    data: dict[str, Any] = {
        "_id": record.id, "_parent_id": record.parent_id, "created_at": record.created_at,
        "updated_at": record.updated_at, "user_id": record.user_id,
    }
    for name, field in cls.fields.items():
        data[name] = field.type.to_json(record.values.get(name))
    if fields is not None:
        data = {k: v for k, v in data.items() if k in fields}
    body = dict(sorted(data.items()))
    if permissions:
        body["permissions"] = render_permissions(record.acl)
    return body


def render_user(user: User) -> dict[str, Any]:
    return {"user": {
        "id": user.id, "full_name": user.full_name, "email": user.email, "login": user.login,
        "phone": user.phone, "website": user.website, "created_at": iso_time(user.created_at),
        "updated_at": iso_time(user.updated_at), "last_request_at": iso_time(user.last_request_at),
        "external_user_id": user.external_user_id, "facebook_id": user.facebook_id,
        "twitter_id": user.twitter_id, "blob_id": user.blob_id, "custom_data": user.custom_data,
        "user_tags": ",".join(user.tags) if user.tags else None,
    }}


def render_session(session: Session, token: str, user_id: int | None) -> dict[str, Any]:
    return {"session": {
        "_id": str(session.id), "application_id": session.app_id, "created_at": iso_time(session.created_at),
        "id": session.id, "nonce": session.nonce, "token": token, "ts": session.timestamp,
        "updated_at": iso_time(session.updated_at), "user_id": user_id or 0,
    }}
