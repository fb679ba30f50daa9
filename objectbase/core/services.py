"""The core's services, wired to one storage. Built by the app factory and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from objectbase.core.apps import AppService
from objectbase.core.classes import ClassService
from objectbase.core.keys import KeyService
from objectbase.core.records import RecordService
from objectbase.core.sessions import SessionService
from objectbase.core.unit_of_work import Storage
from objectbase.core.users import UserService

__all__ = ["Services"]


@dataclass(frozen=True)
class Services:
    storage: Storage
    apps: AppService
    users: UserService
    sessions: SessionService
    keys: KeyService
    classes: ClassService
    records: RecordService

    @classmethod
    def build(cls, storage: Storage, *, session_ttl: int = 7200) -> Services:
        users = UserService(storage)
        classes = ClassService(storage)
        return cls(
            storage=storage, apps=AppService(storage), users=users,
            sessions=SessionService(storage, users, session_ttl), keys=KeyService(storage),
            classes=classes, records=RecordService(storage, classes),
        )
