"""File fields of Custom Objects records (D14 upload/replace, D15 download, D16 delete).

A File field stores the file model `{file_id, name, size, content_type}`; its bytes live in the
files backend under a key derived from the class and the file id (never from the file name).
Replacing or clearing a field, or deleting its record, deletes the old bytes only after the
transaction that stopped referring to them commits.
"""

from __future__ import annotations

import mimetypes
import time
from dataclasses import replace
from typing import Any, Sequence

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.classes import ClassService
from objectbase.core.errors import NeedUserError, NotFoundError, PermissionDeniedError, ValidationError
from objectbase.core.datum_rows import plan_updated, write_datum_plan
from objectbase.core.events import make_event
from objectbase.core.fields.file import FileType
from objectbase.core.ids import is_object_id, new_object_id
from objectbase.core.models import Record
from objectbase.core.permissions import Action, is_allowed
from objectbase.core.query import ast
from objectbase.core.records import RecordTransaction, record_snapshot
from objectbase.core.schema import ClassDef, FieldDef
from objectbase.core.unit_of_work import Committing, Storage, writes
from objectbase.core.uploads import (
    FileDownload, Upload, app_files_prefix, clean_file_name, delete_after_commit, delete_prefix_after_commit,
    valid_content_type,
)
from objectbase.core.workflow import by_id_filter, refuse_frozen
from objectbase.files.base import FileStore


__all__ = ["RecordFileService", "RecordUpload", "class_files_prefix", "delete_file_bytes_after_commit", "file_key_of",
           "record_file_key"]


def class_files_prefix(cls: ClassDef) -> str:
    """Where every file of the class's records is kept (class ids are never reused)."""
    return f"{app_files_prefix(cls.app_id)}classes/{cls.id}/"


def record_file_key(cls: ClassDef, file_id: str) -> str:
    if not is_object_id(file_id):
        raise ValueError(f"not a file id: {file_id!r}")
    return class_files_prefix(cls) + file_id


def file_key_of(cls: ClassDef, value: Any) -> str | None:
    """The key of a stored file model, or None when the field holds no (valid) file."""
    if isinstance(value, dict) and isinstance(value.get("file_id"), str) and is_object_id(value["file_id"]):
        return record_file_key(cls, value["file_id"])
    return None


def _file_fields(cls: ClassDef) -> list[FieldDef]:
    return [f for f in cls.fields.values() if isinstance(f.type, FileType)]


def delete_file_bytes_after_commit(tx: Committing, files: FileStore | None, cls: ClassDef,
                                   records: Sequence[Record]) -> None:
    """Call inside the transaction that deletes `records`: their File fields' bytes go once it commits
    (and not at all if it rolls back)."""
    if files is not None:
        delete_after_commit(tx, files, (file_key_of(cls, record.values.get(field.name))
                                        for record in records for field in _file_fields(cls)))


def guess_content_type(declared: str | None, name: str) -> str:
    """The part's own type unless it is missing or generic (SDKs send buffers as octet-stream)."""
    if declared and declared.lower() != "application/octet-stream" and valid_content_type(declared):
        return declared
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


class RecordUpload(Upload):
    def __init__(self, files: FileStore, cls: ClassDef, record_id: str, content_type: str, max_bytes: int) -> None:
        self.file_id = new_object_id()
        super().__init__(files, record_file_key(cls, self.file_id), content_type, max_bytes)
        self.class_name = cls.name
        self.record_id = record_id
        self.content_type = content_type


class RecordFileService:
    def __init__(self, storage: Storage[RecordTransaction], classes: ClassService, files: FileStore, *, max_upload_bytes: int) -> None:
        self.storage = storage
        self.classes = classes
        self.files = files
        self.max_upload_bytes = max_upload_bytes

    @staticmethod
    def _file_field(cls: ClassDef, field_name: Any) -> FieldDef:
        if field_name in (None, ""):
            raise ValidationError.single("field_name", "blank", "can't be blank")
        field = cls.fields.get(field_name) if isinstance(field_name, str) else None
        if field is None or not isinstance(field.type, FileType):
            raise ValidationError.single("field_name", "invalid", f"is not a File field of {cls.name}")
        return field

    @staticmethod
    def _record(actor: Actor, tx: RecordTransaction, cls: ClassDef, record_id: str) -> Record:
        where = ast.conjoin(ast.In("_id", (record_id,)), by_id_filter(actor))
        found = tx.select_records(cls, ast.Query(where=where)) if is_object_id(record_id) else []
        if not found:
            raise NotFoundError("Record not found", code="record_not_found")
        return found[0]

    def _writable(self, actor: Actor, tx: RecordTransaction, class_name: str, record_id: str) -> tuple[ClassDef, Record]:
        if actor.kind is ActorKind.APP:
            raise NeedUserError()
        cls = self.classes.get_class(actor, class_name, tx)
        record = self._record(actor, tx, cls, record_id)
        if not is_allowed(actor, Action.UPDATE, cls.permissions, record.user_id, record.acl):
            raise PermissionDeniedError("The actor may not access this record's files", code="file_access_denied")
        refuse_frozen(record)
        return cls, record

    def on_records_deleted(self, tx: RecordTransaction, cls: ClassDef, records: Sequence[Record]) -> None:
        """RecordService's delete hook: the deleted records' file bytes go once the delete commits."""
        delete_file_bytes_after_commit(tx, self.files, cls, records)

    def on_class_deleted(self, tx: Committing, cls: ClassDef) -> None:
        """ClassService's delete hook: every file of the dropped class goes once the drop commits."""
        delete_prefix_after_commit(tx, self.files, class_files_prefix(cls))

    # -- D14 --------------------------------------------------------------------------------
    def check_upload(self, actor: Actor, class_name: str, record_id: str) -> None:
        """Before the body is read: the record exists and the actor may update it."""
        with self.storage.transaction(write=False) as tx:
            self._writable(actor, tx, class_name, record_id)

    def open_upload(self, actor: Actor, class_name: str, record_id: str, field_name: str | None,
                    declared_type: str | None, file_name: str) -> RecordUpload:
        """Checked before any byte is read: the record exists and the actor may update it (and, when
        the form named it before the file, that the field is a File field)."""
        with self.storage.transaction(write=False) as tx:
            cls, _record = self._writable(actor, tx, class_name, record_id)
        if field_name is not None:
            self._file_field(cls, field_name)
        content_type = guess_content_type(declared_type, file_name)
        return RecordUpload(self.files, cls, record_id, content_type, self.max_upload_bytes)

    @writes
    def attach_file(self, actor: Actor, upload: RecordUpload, field_name: Any, file_name: str) -> dict[str, Any]:
        """Commit the bytes and point the record's field at them; the previous file's bytes go after commit."""
        try:
            size = upload.commit()
            now = int(time.time())
            with self.storage.transaction(write=True) as tx:
                # Lock the row first: two uploads racing for one field must not both keep their bytes.
                tx.lock_record(self.classes.get_class(actor, upload.class_name, tx), upload.record_id)
                cls, old = self._writable(actor, tx, upload.class_name, upload.record_id)
                field = self._file_field(cls, field_name)
                model = {"file_id": upload.file_id, "name": clean_file_name(file_name) or "file",
                         "size": size, "content_type": upload.content_type}
                self._set(actor, tx, cls, old, field, model, now)
        except BaseException:
            upload.discard()
            raise
        return model

    # -- D15 --------------------------------------------------------------------------------
    def open_file(self, actor: Actor, class_name: str, record_id: str, field_name: Any) -> FileDownload:
        with self.storage.transaction(write=False) as tx:
            cls = self.classes.get_class(actor, class_name, tx)
            field = self._file_field(cls, field_name)
            record = self._record(actor, tx, cls, record_id)
            if not is_allowed(actor, Action.READ, cls.permissions, record.user_id, record.acl):
                raise PermissionDeniedError("The actor may not access this record's files", code="file_access_denied")
        value = record.values.get(field.name)
        key = file_key_of(cls, value)
        if key is None or not isinstance(value, dict):
            raise NotFoundError("File not found", code="file_not_found")
        return FileDownload(str(value.get("name") or "file"),
                            str(value.get("content_type") or "application/octet-stream"),
                            int(value.get("size") or 0), key, self.files)

    # -- D16 --------------------------------------------------------------------------------
    @writes
    def delete_file(self, actor: Actor, class_name: str, record_id: str, field_name: Any) -> None:
        now = int(time.time())
        with self.storage.transaction(write=True) as tx:
            tx.lock_record(self.classes.get_class(actor, class_name, tx), record_id)
            cls, old = self._writable(actor, tx, class_name, record_id)
            field = self._file_field(cls, field_name)
            if file_key_of(cls, old.values.get(field.name)) is None:
                raise NotFoundError("File not found", code="file_not_found")
            self._set(actor, tx, cls, old, field, None, now)

    def _set(self, actor: Actor, tx: RecordTransaction, cls: ClassDef, old: Record, field: FieldDef,
             value: dict[str, Any] | None, now: int) -> None:
        tx.update_record_file(cls, old.id, field.name, value, now)
        new = replace(old, updated_at=now, values={**old.values, field.name: value})
        write_datum_plan(tx, actor.app_id, cls.id, plan_updated(cls, [(old, new)]))
        tx.insert_events([make_event(actor, "record.updated", old.id, class_id=cls.id, record_seq=old.seq,
                                     old=record_snapshot(cls, old), new=record_snapshot(cls, new), at=now)])
        delete_after_commit(tx, self.files, (file_key_of(cls, old.values.get(field.name)),))
