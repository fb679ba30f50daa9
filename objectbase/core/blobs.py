"""Blobs (files not attached to a record): metadata in SQL, bytes in the files backend.

Life of a blob: `create_blob` (row, no bytes, an upload grant) -> `open_upload`/`finish_upload`
(bytes stream to a fresh key; the row records them as *pending*) -> `complete_blob` (checks the
bytes really arrived, then makes them the blob's content) -> downloads. Bytes that a row stops
pointing at are deleted only after that row's transaction commits.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import (
    ConflictError,
    FieldError,
    NeedUserError,
    NotFoundError,
    NotOwnerError,
    PermissionDeniedError,
    SessionMissingError,
    ValidationError,
)
from objectbase.core.events import make_event
from objectbase.core.models import Blob
from objectbase.core.storable import check_int64, check_storable
from objectbase.core.unit_of_work import AppRows, BlobRows, Committing, EventRows, Storage, writes
from objectbase.core.uploads import (
    FileDownload, Upload, app_files_prefix, delete_after_commit, text_ok, valid_content_type,
)
from objectbase.files.base import FileStore
from objectbase.security.signed_links import format_expiry, sign_link, verify_link

__all__ = ["BlobChanges", "BlobPage", "BlobService", "BlobUpload", "LinkGrant", "NewBlob"]

STATUS_COMPLETE = "complete"
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class NewBlob:
    name: str
    content_type: str
    public: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlobChanges:
    """Only what is given (not None) changes; `renew` also grants a fresh upload."""

    name: str | None = None
    content_type: str | None = None
    public: bool | None = None
    tags: tuple[str, ...] | None = None
    renew: bool = False


@dataclass(frozen=True)
class LinkGrant:
    """What a signed link carries: the blob, its expiry (as text, as signed) and the HMAC."""

    blob_id: int
    uid: str
    expires_at: float
    expires: str
    signature: str


@dataclass(frozen=True)
class BlobPage:
    blobs: list[Blob]
    total: int
    page: int
    per_page: int


class BlobUpload(Upload):
    def __init__(self, files: FileStore, key: str, blob: Blob, max_bytes: int) -> None:
        super().__init__(files, key, blob.content_type, max_bytes)
        self.blob_id = blob.id


def _name_errors(value: str) -> list[FieldError]:
    if not value.strip():
        return [FieldError("blank", "can't be blank"), FieldError("too_short", "is too short (minimum is 1 character)")]
    if not text_ok(value):
        return [FieldError("invalid", "is invalid")]
    if len(value) > 100:
        return [FieldError("too_long", "is too long (maximum is 100 characters)")]
    return []


def _content_type_errors(value: str) -> list[FieldError]:
    errors = []
    if not valid_content_type(value):
        errors.append(FieldError("invalid", "is invalid"))
    if len(value) < 5:
        errors.append(FieldError("too_short", "is too short (minimum is 5 characters)"))
    if len(value) > 100:
        errors.append(FieldError("too_long", "is too long (maximum is 100 characters)"))
    return errors


def _is_valid_tag(tag: str) -> bool:
    return len(tag) <= 255 and text_ok(tag)


def _checked_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    if not all(_is_valid_tag(t) for t in tags):
        raise ValidationError.single("tags", "invalid", "is invalid")
    return tuple(dict.fromkeys(tags))


def _text_errors(name: str | None, content_type: str | None) -> dict[str, list[FieldError]]:
    found = (("name", _name_errors(name) if name is not None else []),
             ("content_type", _content_type_errors(content_type) if content_type is not None else []))
    return {field: errors for field, errors in found if errors}


def _snapshot(blob: Blob) -> dict[str, Any]:
    return {"uid": blob.uid, "name": blob.name, "content_type": blob.content_type, "public": blob.public,
            "tags": list(blob.tags), "size": blob.size, "status": blob.status, "user_id": blob.user_id}


def _new_uid() -> str:
    # 32 hex + "00" like QuickBlox's; never all digits, so `/blobs/{x}` can tell a uid from an id.
    while True:
        uid = secrets.token_hex(16) + "00"
        if not uid.isdigit():
            return uid



class BlobTransaction(Committing, BlobRows, AppRows, EventRows, Protocol):
    """What the blob service reads and writes (the app's secret signs its links)."""


class BlobService:
    def __init__(self, storage: Storage[BlobTransaction], files: FileStore, *, max_upload_bytes: int, link_ttl: int) -> None:
        self.storage = storage
        self.files = files
        self.max_upload_bytes = max_upload_bytes
        self.link_ttl = link_ttl

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _require_writer(actor: Actor) -> None:
        if actor.kind is ActorKind.APP:
            raise NeedUserError()

    @staticmethod
    def _visible(actor: Actor, blob: Blob | None) -> Blob:
        # Another app's blob does not exist for this actor.
        if blob is None or blob.app_id != actor.app_id:
            raise NotFoundError("Blob not found", code="blob_not_found")
        return blob

    @classmethod
    def _owned(cls, actor: Actor, blob: Blob | None) -> Blob:
        blob = cls._visible(actor, blob)
        if not actor.bypasses_acl and not (actor.acts_as_user and actor.user_id == blob.user_id):
            raise NotOwnerError()
        return blob

    def _secret(self, tx: AppRows, app_id: int) -> str:
        app = tx.select_app(app_id)
        if app is None:
            raise NotFoundError("Blob not found", code="blob_not_found")
        return app.auth_secret

    def _blob_and_secret(self, ref: int | str) -> tuple[Blob, str]:
        """The blob by id (int) or uid (str), and the secret its signed links are checked with; read
        together so that a blob is never paired with another app's secret."""
        with self.storage.transaction(write=False) as tx:
            blob = tx.select_blob(check_int64("id", ref)) if isinstance(ref, int) else tx.select_blob_by_uid(
                check_storable("uid", ref))
            if blob is None:
                raise NotFoundError("Blob not found", code="blob_not_found")
            return blob, self._secret(tx, blob.app_id)

    def _grant(self, tx: AppRows, blob: Blob, purpose: str, now: float) -> LinkGrant:
        expires_at = now + self.link_ttl
        expires = format_expiry(expires_at)
        signature = sign_link(self._secret(tx, blob.app_id), purpose, (str(blob.id), blob.uid), expires)
        return LinkGrant(blob.id, blob.uid, expires_at, expires, signature)

    # -- C1, C4, C5/C6, C7, C8 --------------------------------------------------------------
    @writes
    def create_blob(self, actor: Actor, new: NewBlob) -> tuple[Blob, LinkGrant]:
        self._require_writer(actor)
        if errors := _text_errors(new.name, new.content_type):
            raise ValidationError(errors)
        tags = _checked_tags(new.tags)
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            blob = tx.insert_blob(actor.app_id, {
                "uid": _new_uid(), "user_id": actor.owner_id, "name": new.name,
                "content_type": new.content_type, "public": new.public,
            }, tags, now)
            grant = self._grant(tx, blob, "upload", now)
            tx.insert_events([make_event(actor, "blob.created", blob.uid, new=_snapshot(blob), at=now)])
        return blob, grant

    def get_blob(self, actor: Actor, blob_id: int) -> Blob:
        """Any session of the blob's app may read its metadata (private blobs are shared by uid in chats)."""
        check_int64("id", blob_id)
        with self.storage.transaction(write=False) as tx:
            return self._visible(actor, tx.select_blob(blob_id))

    def find_blobs(self, actor: Actor, page: int = 1, per_page: int = 10, *, tagged: bool = False) -> BlobPage:
        """The actor's own blobs; `tagged`: blobs carrying any of the actor's user tags."""
        self._require_writer(actor)
        page = max(page, 1)
        per_page = min(max(per_page, 1), MAX_PER_PAGE)
        owner = None if actor.bypasses_acl else actor.user_id
        offset = check_int64("page", (page - 1) * per_page)
        with self.storage.transaction(write=False) as tx:
            if tagged:
                tags = None if actor.bypasses_acl else tuple(sorted(actor.user_tags))
                if tags == ():
                    return BlobPage([], 0, page, per_page)
                blobs, total = tx.select_blobs(actor.app_id, owner_id=None, any_tags=tags, tagged_only=True,
                                               offset=offset, limit=per_page)
            else:
                blobs, total = tx.select_blobs(actor.app_id, owner_id=owner, any_tags=None, tagged_only=False,
                                               offset=offset, limit=per_page)
        return BlobPage(blobs, total, page, per_page)

    @writes
    def update_blob(self, actor: Actor, blob_id: int, changes: BlobChanges) -> tuple[Blob, LinkGrant | None]:
        """Rename, retype, publish or retag; `renew` also grants a fresh upload (the content is replaced
        only when that upload completes)."""
        check_int64("id", blob_id)
        self._require_writer(actor)
        if errors := _text_errors(changes.name, changes.content_type):
            raise ValidationError(errors)
        values: dict[str, Any] = {name: value for name, value in (
            ("name", changes.name), ("content_type", changes.content_type), ("public", changes.public),
        ) if value is not None}
        tags = _checked_tags(changes.tags) if changes.tags is not None else None
        renew = changes.renew
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            old = self._owned(actor, tx.select_blob(blob_id, for_update=True))
            blob = tx.update_blob(blob_id, values, tags, now) if values or tags is not None else old
            grant = self._grant(tx, blob, "upload", now) if renew else None
            tx.insert_events([make_event(actor, "blob.updated", blob.uid, old=_snapshot(old), new=_snapshot(blob),
                                         at=now)])
        return blob, grant

    @writes
    def delete_blob(self, actor: Actor, blob_id: int) -> None:
        check_int64("id", blob_id)
        self._require_writer(actor)
        with self.storage.transaction(write=True) as tx:
            blob = self._owned(actor, tx.select_blob(blob_id, for_update=True))
            tx.delete_blob(blob.id)
            tx.insert_events([make_event(actor, "blob.deleted", blob.uid, old=_snapshot(blob))])
            delete_after_commit(tx, self.files, (blob.storage_key, blob.pending_key))

    # -- C2: the signed upload --------------------------------------------------------------
    def open_upload(self, blob_id: int, signed: Mapping[str, Any], now: float | None = None) -> BlobUpload:
        """Check the upload grant (the fields C1 put in `params`) and open a writer under a fresh key.

        No session is needed: the grant is the authority, as with an S3 POST policy.
        """
        check_int64("id", blob_id)
        now = time.time() if now is None else now
        blob, secret = self._blob_and_secret(blob_id)
        key_field, expires, policy = (signed.get(name) for name in ("key", "expires", "policy"))
        if not (isinstance(expires, str) and isinstance(policy, str) and verify_link(
                secret, "upload", (str(blob.id), blob.uid), expires, policy, now)):
            raise PermissionDeniedError("Upload URL is invalid or has expired", code="bad_signed_link")
        if not (isinstance(key_field, str) and hmac.compare_digest(key_field.encode(), blob.uid.encode())):
            raise ValidationError.single("key", "invalid", "does not match the blob")
        key = f"{app_files_prefix(blob.app_id)}blobs/{secrets.token_hex(16)}"
        return BlobUpload(self.files, key, blob, self.max_upload_bytes)

    def finish_upload(self, upload: BlobUpload) -> Blob:
        """Commit the bytes, then record them as the blob's pending content; undo the bytes if that fails."""
        size = upload.commit()
        now = time.time()
        try:
            with self.storage.transaction(write=True) as tx:
                old = tx.select_blob(upload.blob_id, for_update=True)
                if old is None:  # deleted while the bytes were arriving
                    raise NotFoundError("Blob not found", code="blob_not_found")
                blob = tx.update_blob(old.id, {"pending_key": upload.key, "pending_size": size}, None, now)
                owner = Actor(ActorKind.USER, blob.app_id, blob.user_id) if blob.user_id else Actor.admin(blob.app_id)
                tx.insert_events([make_event(owner, "blob.uploaded", blob.uid, new={"size": size}, at=now)])
                delete_after_commit(tx, self.files, (old.pending_key,))
        except BaseException:
            upload.discard()
            raise
        return blob

    # -- C3 ---------------------------------------------------------------------------------
    @writes
    def complete_blob(self, actor: Actor, blob_id: int, size: int | None = None) -> Blob:
        """Make the uploaded bytes the blob's content, after checking they really arrived (clients may
        call this even when their upload failed) and, if given, that `size` matches them."""
        check_int64("id", blob_id)
        self._require_writer(actor)
        declared = size
        with self.storage.transaction(write=False) as tx:
            blob = self._owned(actor, tx.select_blob(blob_id))
        if blob.pending_key is None:
            if blob.status == STATUS_COMPLETE and declared in (None, blob.size):
                return blob  # completing twice is harmless
            raise ValidationError.single("base", "not_uploaded", "The file has not been uploaded")
        # Asked of the backend, outside the transaction: the bytes must really be there.
        actual = self.files.size(blob.pending_key)
        if actual is None or actual != blob.pending_size:
            raise ValidationError.single("base", "not_uploaded", "The file has not been uploaded")
        if declared is not None and declared != actual:
            raise ValidationError.single("size", "mismatch", f"does not match the uploaded file ({actual} bytes)")
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            current = self._owned(actor, tx.select_blob(blob_id, for_update=True))
            if current.pending_key != blob.pending_key:
                raise ConflictError("The file was uploaded again meanwhile; complete it again", code="upload_changed")
            done = tx.update_blob(blob_id, {
                "storage_key": current.pending_key, "size": actual, "status": STATUS_COMPLETE,
                "completed_at": now, "pending_key": None, "pending_size": None,
            }, None, now)
            tx.insert_events([make_event(actor, "blob.completed", current.uid, old=_snapshot(current),
                                         new=_snapshot(done), at=now)])
            delete_after_commit(tx, self.files, (current.storage_key,))
        return done

    # -- C9, C10: downloads ----------------------------------------------------------------
    def download_link(self, actor: Actor, blob_id: int) -> tuple[str, LinkGrant | None]:
        """The uid, and for a private blob a short-lived signed link's grant (public: the plain link will do)."""
        check_int64("id", blob_id)
        with self.storage.transaction(write=False) as tx:
            blob = self._visible(actor, tx.select_blob(blob_id))
            if blob.storage_key is None:
                raise NotFoundError("File has not been uploaded", code="file_not_found")
            return blob.uid, None if blob.public else self._grant(tx, blob, "download", time.time())

    def get_blob_by_uid(self, uid: str, actor: Actor | None) -> Blob:
        """Metadata by uid: a public blob's for anyone, a private one's for a session of its app."""
        check_storable("uid", uid)
        with self.storage.transaction(write=False) as tx:
            blob = tx.select_blob_by_uid(uid)
        if blob is None:
            raise NotFoundError("Blob not found", code="blob_not_found")
        if blob.public:
            return blob
        if actor is None:
            raise SessionMissingError()
        return self._visible(actor, blob)

    def open_download(self, uid: str, actor: Actor | None, link: Mapping[str, Any] | None = None,
                      now: float | None = None) -> FileDownload:
        """Public blobs: anyone. Private: a session of the blob's app, or a valid signed link."""
        now = time.time() if now is None else now
        blob, secret = self._blob_and_secret(uid)
        if not blob.public:
            if link is not None:
                expires, signature = link.get("expires"), link.get("signature")
                if not (isinstance(expires, str) and isinstance(signature, str) and verify_link(
                        secret, "download", (str(blob.id), blob.uid), expires, signature, now)):
                    raise PermissionDeniedError("Signed link is invalid or has expired", code="bad_signed_link")
            elif actor is None:
                raise SessionMissingError()
            else:
                self._visible(actor, blob)
        if blob.storage_key is None or blob.size is None:
            raise NotFoundError("File has not been uploaded", code="file_not_found")
        return FileDownload(blob.name, blob.content_type, blob.size, blob.storage_key, self.files, blob.public)
