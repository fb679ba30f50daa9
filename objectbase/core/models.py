"""The plain objects core services return and storage reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from objectbase.core.permissions import RecordPermissions

__all__ = ["USER_PROFILE_FIELDS", "ApiKey", "App", "Blob", "DashboardSession", "Datum", "EmailCode", "Event", "Metadatum",
           "Operator", "Record", "RefreshToken", "Session", "Transition", "User"]


@dataclass(frozen=True)
class App:
    id: int
    name: str
    auth_key: str
    auth_secret: str
    account_key: str
    schema_version: int
    created_at: float


@dataclass(frozen=True)
class ApiKey:
    id: int
    app_id: int
    schema_version: int


@dataclass(frozen=True)
class User:
    id: int
    app_id: int
    login: str | None
    email: str | None
    password_hash: str = field(repr=False)
    full_name: str | None = None
    phone: str | None = None
    website: str | None = None
    external_user_id: str | None = None
    facebook_id: str | None = None
    twitter_id: str | None = None
    blob_id: int | None = None
    custom_data: str | None = None
    tags: tuple[str, ...] = ()
    is_admin: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0
    last_request_at: float | None = None


# The user attributes clients may set (sign-up, update); everything else is the server's.
USER_PROFILE_FIELDS = ("login", "email", "full_name", "phone", "website", "external_user_id",
                       "facebook_id", "twitter_id", "blob_id", "custom_data")


@dataclass(frozen=True)
class Session:
    id: int
    app_id: int
    user_id: int | None
    nonce: int
    timestamp: int
    created_at: float
    updated_at: float
    expires_at: float
    schema_version: int = 0
    # The session's user, as authentication needs it (read in the same query as the session).
    user_is_admin: bool = False
    user_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operator:
    """A server-level superuser of the dashboard: an administrator of every app."""

    id: int
    login: str
    password_hash: str = field(repr=False)
    created_at: float = 0.0


@dataclass(frozen=True)
class DashboardSession:
    """A dashboard sign-in: an operator's (`operator_id`), or an app admin user's (`app_id`, `user_id`)."""

    id: int
    login: str
    operator_id: int | None
    app_id: int | None
    user_id: int | None
    created_at: float
    expires_at: float


@dataclass
class Record:
    id: str
    class_id: int
    user_id: int
    parent_id: str | None
    created_at: int
    updated_at: int
    # Logical field name -> stored value (see core/fields for the stored forms).
    values: dict[str, Any]
    acl: RecordPermissions
    seq: int | None = None
    # Workflow (core/workflow.py): the record's state (None: its class has none), and when it was
    # archived / moved to the trash (None: it is not).
    state_id: int | None = None
    archived_at: int | None = None
    removed_at: int | None = None
    # Set on a record returned to an actor who may change it but not read it (docs/permissions.md):
    # the only keys a response may show (`_id` and the values the actor set). None: every key.
    visible_fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Transition:
    """A record left `old_state_id` at `at` (the state it entered is the next one's old state, or its current)."""

    id: int
    old_state_id: int
    at: float


@dataclass(frozen=True)
class Event:
    """One entry of the event history, written in the same transaction as the change it records."""

    app_id: int
    kind: str                      # "record.created", "user.created", "class.updated", …
    subject_id: str                # record `_id`, user id, class name, …
    actor_kind: str
    actor_user_id: int | None
    at: float
    class_id: int | None = None
    record_seq: int | None = None
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    # Drawn by the database on insert; None until then.
    id: int | None = None


@dataclass(frozen=True)
class RefreshToken:
    """A refresh token of JWT sign-in (its digest stays in storage)."""

    id: int
    app_id: int
    user_id: int
    created_at: float
    expires_at: float
    used_at: float | None = None
    revoked_at: float | None = None


@dataclass(frozen=True)
class EmailCode:
    """A sign-in code sent to an e-mail address (its digest stays in storage)."""

    id: str
    app_id: int
    email: str
    tries: int
    created_at: float
    expires_at: float
    confirmed_at: float | None = None
    used_at: float | None = None


@dataclass(frozen=True)
class Blob:
    """A Content file's metadata; its bytes live in the files backend."""

    id: int
    app_id: int
    uid: str
    user_id: int
    name: str
    content_type: str
    public: bool
    tags: tuple[str, ...]
    created_at: float
    updated_at: float
    # The completed content: what downloads serve.
    storage_key: str | None = None
    size: int | None = None
    status: str | None = None
    completed_at: float | None = None
    # Bytes uploaded but not yet completed (C2 done, C3 not yet).
    pending_key: str | None = None
    pending_size: int | None = None


@dataclass(frozen=True)
class Datum:
    """One value of one record's field: a scalar's value (position 0) or one array element. `id` is
    drawn by the database and addresses the same value until it is removed."""

    id: int
    field_id: int
    position: int
    value: Any = None
    record_seq: int = 0
    class_id: int = 0


@dataclass(frozen=True)
class Metadatum:
    """Per-record, per-representation data the core stores but does not interpret. A representation
    is only an integer id to the core."""

    id: int
    class_id: int
    record_seq: int
    representation: int
    decimal_value: float | None = None
    record_value: int | None = None
