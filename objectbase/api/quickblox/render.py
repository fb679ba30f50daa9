"""Core objects -> QuickBlox JSON."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from objectbase.api.quickblox.permissions import render_permissions
from objectbase.core.fields.base import FieldType
from objectbase.core.identity_cache import IdentityCache
from objectbase.core.models import Record, Session, User
from objectbase.core.schema import ClassDef

__all__ = ["expiration_header", "iso_time", "render_permissions", "render_record", "render_records", "render_session", "render_user"]


def iso_time(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expiration_header(seconds: float) -> str:
    return _expiration_header(int(seconds))


@functools.lru_cache(maxsize=4096)
def _expiration_header(seconds: int) -> str:
    # Every response names its session's expiry; one session's requests share it (strftime per
    # response was 2.5% of a record read).
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


# A record's own keys on the wire and the `Record` attribute of each.
_SYSTEM_KEYS = {"_id": "id", "_parent_id": "parent_id", "created_at": "created_at",
                "updated_at": "updated_at", "user_id": "user_id"}
# (key, Record attribute or None for a field value, the field's JSON conversion or None).
_Plan = tuple[tuple[str, str | None, Callable[[Any], Any] | None], ...]


def _make_plan(cls: ClassDef) -> _Plan:
    entries: list[tuple[str, str | None, Callable[[Any], Any] | None]] = [
        (key, attribute, None) for key, attribute in _SYSTEM_KEYS.items()]
    for name, field in cls.fields.items():
        converts = type(field.type).to_json is not FieldType.to_json
        entries.append((name, None, field.type.to_json if converts else None))
    return tuple(sorted(entries, key=lambda entry: entry[0]))


# Per class definition (a new one on every schema change): worked out once, not on every response.
_plan = IdentityCache(_make_plan)


def render_records(cls: ClassDef, records: Sequence[Record], *, permissions: bool = True,
                   fields: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Records of one class: the key order and conversions are worked out once for all of them."""
    plan = _plan(cls)
    return [_render(plan, record, permissions, fields) for record in records]


def render_record(cls: ClassDef, record: Record, *, permissions: bool = True,
                  fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    return _render(_plan(cls), record, permissions, fields)


def _render(plan: _Plan, record: Record, permissions: bool, fields: tuple[str, ...] | None) -> dict[str, Any]:
    """Keys in alphabetical order with `permissions` last, as QuickBlox's examples show."""
    body: dict[str, Any] = {}
    values = record.values
    if record.visible_fields is not None:  # changed but not readable by the caller: no more than it sent
        fields = tuple(f for f in record.visible_fields if fields is None or f in fields)
        permissions = False
    for key, attribute, convert in plan:
        if fields is not None and key not in fields:
            continue
        if attribute is not None:
            body[key] = getattr(record, attribute)
        else:
            value = values.get(key)
            body[key] = convert(value) if convert is not None else value
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
