"""The core's services, wired to one storage. Built by the app factory and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Concatenate, ParamSpec, TypeVar

from objectbase.core.access_tokens import AccessTokenService
from objectbase.core.actor import Actor
from objectbase.core.apps import AppService
from objectbase.core.blobs import BlobService
from objectbase.core.classes import ClassService
from objectbase.core.credentials import Credentials
from objectbase.core.datum_service import DatumService
from objectbase.core.event_service import EventService
from objectbase.core.email_codes import EmailCodeService
from objectbase.core.keys import KeyService
from objectbase.core.operators import OperatorService
from objectbase.core.options import OptionService
from objectbase.core.metadatum_service import MetadatumService
from objectbase.core.record_files import RecordFileService
from objectbase.core.record_edits import RecordEditService
from objectbase.core.record_views import RecordViewService
from objectbase.core.records import RecordService
from objectbase.core.sessions import SessionService
from objectbase.core.sign_in_limits import SignInLimits
from objectbase.core.unit_of_work import Storage, Transaction, is_write
from objectbase.core.uploads import MissingFileStore, app_files_prefix, delete_prefix_after_commit
from objectbase.core.users import UserService
from objectbase.files.base import FileStore
from objectbase.security.passwords import Passwords

__all__ = ["Services"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    storage: Storage[Transaction]
    apps: AppService
    users: UserService
    sessions: SessionService
    access_tokens: AccessTokenService
    email_codes: EmailCodeService
    keys: KeyService
    classes: ClassService
    # Option fields' options one by one (the class file only adds them).
    options: OptionService
    records: RecordService
    # None when built without a files backend (CLI commands that never touch bytes): then the
    # services below answer every byte operation with UnavailableError, never a silent default.
    files: FileStore | None
    blobs: BlobService
    record_files: RecordFileService
    datum_values: DatumService
    metadata: MetadatumService
    events: EventService
    # Records by integer `_seq`, viewed whole, and the writes that change several parts at once.
    record_views: RecordViewService
    record_edits: RecordEditService
    # The dashboard's operators and sessions.
    operators: OperatorService

    def runs_inline(self, operation: Callable[..., object]) -> bool:
        """Whether `run(..., operation)` only computes and reads local files, never waiting on a
        network or another process, so an event loop may call it directly (no thread hop)."""
        return (self.storage.answers_in_process(write=is_write(operation))
                and (self.files is None or self.files.local))

    def authenticate(self, credentials: Credentials) -> Actor:
        if credentials.dashboard_token:
            return self.operators.actor_for(credentials.dashboard_token, credentials.app_id or 0)
        if credentials.access_token:
            return self.access_tokens.authenticate(credentials.access_token)
        if credentials.api_key:
            return self.keys.authenticate_key(credentials.api_key, credentials.on_behalf_of)
        if credentials.app_key and not credentials.session_token:
            return self.keys.authenticate_app_key(credentials.app_key)
        actor, _session = self.sessions.authenticate_token(credentials.session_token)
        return actor

    def run(self, credentials: Credentials, operation: Callable[Concatenate[Actor, P], T],
            *args: P.args, **kwargs: P.kwargs) -> tuple[Actor, T]:
        """A request's one call into the core: authenticate and run the operation in one transaction,
        a write transaction only when the operation is marked `@writes`. Returns the actor too."""
        with self.storage.transaction(write=is_write(operation)):
            actor = self.authenticate(credentials)
            return actor, operation(actor, *args, **kwargs)

    @classmethod
    def build(cls, storage: Storage[Transaction], *, session_ttl: int = 7200, files: FileStore | None = None,
              max_upload_bytes: int = 104_857_600, signed_link_ttl: int = 3600,
              passwords: Passwords | None = None, sign_in_limits: SignInLimits | None = None) -> Services:
        users = UserService(storage, passwords, sign_in_limits)
        classes = ClassService(storage)
        store: FileStore = files if files is not None else MissingFileStore()
        records = RecordService(storage, classes)
        record_files = RecordFileService(storage, classes, store, max_upload_bytes=max_upload_bytes)
        if files is not None:
            # Deleting records (and their cascaded children) deletes their files' bytes after commit.
            records.on_delete.append(record_files.on_records_deleted)
            classes.on_delete.append(record_files.on_class_deleted)
        datum_values = DatumService(storage, records)
        metadata = MetadatumService(storage, records)
        events = EventService(storage, classes)
        record_views = RecordViewService(storage, records, events)
        apps = AppService(storage)
        if files is not None:
            # Deleting an app deletes its files (blobs and File fields alike) after commit.
            apps.on_delete.append(lambda tx, app_id: delete_prefix_after_commit(tx, files, app_files_prefix(app_id)))
        return cls(
            storage=storage, apps=apps, users=users,
            sessions=SessionService(storage, users, session_ttl), access_tokens=AccessTokenService(storage, users),
            email_codes=EmailCodeService(storage, limits=sign_in_limits),
            keys=KeyService(storage),
            classes=classes, options=OptionService(storage, classes), records=records,
            files=files,
            blobs=BlobService(storage, store, max_upload_bytes=max_upload_bytes, link_ttl=signed_link_ttl),
            record_files=record_files,
            datum_values=datum_values, metadata=metadata, events=events, record_views=record_views,
            record_edits=RecordEditService(storage, records, record_views, datum_values, metadata),
            operators=OperatorService(storage, users, apps, session_ttl),
        )
