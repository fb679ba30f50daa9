"""Tables the system keeps for itself: apps, keys, users, sessions, classes and fields, events.

What the migrations must build, not how: a change here needs a new migration (storage/migrations/),
and tests/storage/test_migrations.py fails until the two agree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, Sequence, String, Table, Text,
    UniqueConstraint,
)

from objectbase.storage.column_types import JSON_TYPE

__all__ = ["metadata", "record_seq"]

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", Float, nullable=False),
)

# Records' `_seq` on PostgreSQL (migration 0003): drawn without a lock that lasts until commit.
record_seq = Sequence("record_seq", data_type=BigInteger, metadata=metadata)

# Named counters updated inside the writing transaction: records' `_seq` on SQLite, whose one
# writer serialises write transactions anyway. Unused on PostgreSQL since 0003.
sequences = Table(
    "sequences", metadata,
    Column("name", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

apps = Table(
    "apps", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("auth_key", String(64), nullable=False, unique=True),
    # Sealed with the server key (0012, security/secret_box.py): verifying an HMAC needs the secret
    # itself, so it is encrypted, not hashed; a dump of the database alone does not reveal it.
    Column("auth_secret_sealed", Text, nullable=False),
    Column("account_key", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False, default=1),
    Column("created_at", Float, nullable=False),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("login", String(255)),
    Column("email", String(255)),
    Column("password_hash", Text, nullable=False),
    Column("full_name", String(255)),
    Column("phone", String(64)),
    Column("website", String(255)),
    Column("external_user_id", String(255)),
    Column("facebook_id", String(255)),
    Column("twitter_id", String(255)),
    Column("blob_id", BigInteger),
    Column("custom_data", Text),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("last_request_at", Float),
    UniqueConstraint("app_id", "login", name="uq_users_app_login"),
    UniqueConstraint("app_id", "email", name="uq_users_app_email"),
    UniqueConstraint("app_id", "external_user_id", name="uq_users_app_external"),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

user_tags = Table(
    "user_tags", metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(255), primary_key=True),
    Index("ix_user_tags_tag", "tag"),
)

nonces = Table(
    "nonces", metadata,
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), primary_key=True),
    Column("nonce", BigInteger, primary_key=True, autoincrement=False),
    Column("timestamp", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", Float, nullable=False, index=True),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("nonce", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

classes = Table(
    "classes", metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("permissions", JSON_TYPE, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # The catalogue (0009): 0-based order among the app's classes, folder path (NULL = top level),
    # and whether the class is disabled (kept, but no new records).
    Column("position", Integer, nullable=False, default=0),
    Column("path", String(255)),
    Column("disabled", Boolean, nullable=False, default=False),
    UniqueConstraint("app_id", "name", name="uq_classes_app_name"),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

fields = Table(
    "fields", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("indexed", Boolean, nullable=False, default=False),
    Column("required", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False),
    # Record fields: the class their records belong to (0006; by id, so a rename keeps it).
    Column("target_class_id", Integer),
    # 0009: the field whose value is a record's title (at most one per class), and display
    # parameters (a JSON document as text, e.g. {"scale": 2}).
    Column("title", Boolean, nullable=False, default=False),
    Column("parameters", Text),
    UniqueConstraint("class_id", "name", name="uq_fields_class_name"),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

# Workflow states of a class (migration 0005), in `position` order; a record's `_state_id` names one.
states = Table(
    "states", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    # Packed ARGB (0xAARRGGBB) does not fit a signed 32-bit integer.
    Column("color", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("class_id", "name", name="uq_states_class_name"),
    # Never reuse ids on SQLite: an old record or transition must not name a newer state.
    sqlite_autoincrement=True,
)

# The moves a state allows; a state without rows here allows a move to any other state.
state_transitions = Table(
    "state_transitions", metadata,
    Column("state_id", Integer, ForeignKey("states.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", Integer, ForeignKey("states.id", ondelete="CASCADE"), primary_key=True),
)

# The state history: one row each time a record leaves a state. Kept when the record is deleted
# (like events), so it names the record by class and `_seq`, without a foreign key.
transitions = Table(
    "transitions", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("old_state_id", Integer, nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_transitions_class_record", "class_id", "record_seq"),
    sqlite_autoincrement=True,
)

# The options of Option fields (0006); records store the id, so it is never reused.
options = Table(
    "options", metadata,
    Column("id", Integer, primary_key=True),
    Column("field_id", Integer, ForeignKey("fields.id", ondelete="CASCADE"), nullable=False),
    Column("text", String(255), nullable=False),
    # Packed ARGB, a non-negative 32-bit value (BigInteger: it does not fit a signed INTEGER).
    Column("color", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("field_id", "text", name="uq_options_field_text"),
    sqlite_autoincrement=True,
)

events = Table(
    "events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("class_id", Integer),
    Column("record_seq", BigInteger),
    Column("actor_kind", String(20), nullable=False),
    Column("actor_user_id", Integer),
    Column("old", JSON_TYPE),
    Column("new", JSON_TYPE),
    Column("at", Float, nullable=False),
    Index("ix_events_app_subject", "app_id", "subject_id"),
    # The history read API (0007): by record, by class, by time; `id` is the order it pages in.
    Index("ix_events_app_record", "app_id", "record_seq", "id"),
    Index("ix_events_app_class", "app_id", "class_id", "id"),
    Index("ix_events_app_at", "app_id", "at"),
    # Never reuse ids on SQLite: a new user must not inherit a deleted user's records.
    sqlite_autoincrement=True,
)

# One row per value of a record's field (0007): a scalar's value at position 0, each element of an
# array at its index. `id` is the value's stable integer id (Tracy's datum), drawn by the database.
datums = Table(
    "datums", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    # No foreign keys (0014): one row per value of every write, and each key cost a check per row.
    # Deleting a field, class or app deletes its rows (storage/classes.py, storage/apps.py).
    Column("app_id", Integer, nullable=False),
    Column("class_id", Integer, nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("field_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_datums_record", "class_id", "record_seq", "field_id", "position"),
    # Never reuse ids on SQLite: an old datum id must not reach a newer value.
    sqlite_autoincrement=True,
)

# Per-record, per-representation data the core keeps but does not interpret (0007): a number
# (e.g. a kanban order) or a link to another record (by its `_seq`).
metadatums = Table(
    "metadatums", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("class_id", Integer, ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("record_seq", BigInteger, nullable=False),
    Column("representation", Integer, nullable=False),
    Column("decimal_value", Float),
    Column("record_value", BigInteger),
    Index("ix_metadatums_record", "class_id", "record_seq"),
    Index("ix_metadatums_representation", "app_id", "representation"),
    sqlite_autoincrement=True,
)

# Content (QuickBlox blobs); created by migration 0002, not 0001. Bytes live in the files backend
# under `storage_key` (completed content) and `pending_key` (uploaded, not yet completed).
blobs = Table(
    "blobs", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("uid", String(64), nullable=False, unique=True),
    Column("user_id", BigInteger, nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("public", Boolean, nullable=False, default=False),
    Column("storage_key", String(512)),
    Column("size", BigInteger),
    Column("status", String(20)),
    Column("completed_at", Float),
    Column("pending_key", String(512)),
    Column("pending_size", BigInteger),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_blobs_app_user", "app_id", "user_id"),
    # Never reuse ids on SQLite: an old upload URL or link must not reach a newer blob.
    sqlite_autoincrement=True,
)

blob_tags = Table(
    "blob_tags", metadata,
    Column("blob_id", BigInteger().with_variant(Integer, "sqlite"), ForeignKey("blobs.id", ondelete="CASCADE"),
           primary_key=True),
    Column("tag", String(255), primary_key=True),
    Index("ix_blob_tags_tag", "tag"),
)

# Refresh tokens of the Tracy dialect's JWT sign-in (digests only). A row is single-use (`used_at`)
# and revocable (`revoked_at`); access tokens name the row they were issued with, so revoking it
# also ends them.
refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("used_at", Float),
    Column("revoked_at", Float),
    sqlite_autoincrement=True,
)

# E-mail sign-in codes of the Tracy dialect (A1–A3): the code only as a digest; void after 5 wrong
# tries (`tries`), spent once exchanged for tokens (`used_at`).
email_codes = Table(
    "email_codes", metadata,
    Column("id", String(36), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(255), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("tries", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("confirmed_at", Float),
    Column("used_at", Float),
)

# Failed sign-in attempts per address or login and fixed window (0010), when several workers share
# the counts (storage/rate_limits.py); a row lives until `expires_at`, then counts from 0 again.
rate_limit_counters = Table(
    "rate_limit_counters", metadata,
    Column("key", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

# Dashboard operators (server-level superusers, `objectbase admin create`), Argon2id hashes only (0013).
operators = Table(
    "operators", metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

# Dashboard sign-ins (digests only, like API sessions), shared by every worker: an operator's
# (`operator_id`) or an app admin user's (`app_id` and `user_id`), exactly one of the two.
dashboard_sessions = Table(
    "dashboard_sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("operator_id", Integer, ForeignKey("operators.id", ondelete="CASCADE")),
    Column("app_id", Integer, ForeignKey("apps.id", ondelete="CASCADE")),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    sqlite_autoincrement=True,
)
