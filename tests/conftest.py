"""Fixtures: every API test runs against real SQLite and real PostgreSQL.

One database per backend per test run (a temporary SQLite file; a fresh PostgreSQL schema), and
one fresh application per test, so tests never see each other's data.
"""

from __future__ import annotations

import os
import random
import shlex
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest
import sqlalchemy
from starlette.testclient import TestClient

from objectbase.api.common.lists import comma_list
from objectbase.api.field_names import read_class_file
from objectbase.app import build_app
from objectbase.core.actor import Actor
from objectbase.core.apps import AppCredentials
from objectbase.core.services import Services
from objectbase.core.users import NewUser
from objectbase.security.signatures import sign_params
from objectbase.security.secret_box import SecretBox
from objectbase.settings import Settings
from objectbase.storage import SqlStorage, open_storage

# Argon2id at its cheapest for the suite (every test signs users in; the production cost, 64 MiB and
# three passes, was a third of the suite's CPU). Set in the environment so that servers the tests
# start (`objectbase serve`, the CLI) hash alike. test_users.py checks the production defaults.
TEST_ARGON2: dict[str, Any] = {"argon2_memory_kib": 1024, "argon2_time_cost": 1, "argon2_parallelism": 1}
for _name, _value in TEST_ARGON2.items():
    os.environ.setdefault(f"OBJECTBASE_{_name.upper()}", str(_value))
# One server key for the suite, also in the environment: a served instance and the CLI then open
# the secrets the in-process storage sealed (tests/storage/test_secrets_at_rest.py checks the rest).
TEST_SECRET_KEY = "4h1Xr882hUs5YGJhi5ekEMSz439eJ22DRxokczt3uHw="
os.environ.setdefault("OBJECTBASE_SECRET_KEY", TEST_SECRET_KEY)
TEST_SECRETS = SecretBox([TEST_SECRET_KEY])

PG_BASE_URL = os.environ.get("OBJECTBASE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("OBJECTBASE_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]

SCORE_TABLE = {
    "name": "ScoreTable",
    "fields": {"score_value": "Integer", "progress": "Float", "expert_mode": "Boolean",
               "game_mode_name": "String", "user_location": "Location", "date": "Date",
               "completed_levels": "Integer[]", "user_avatar": "File"},
    "indexes": ["score_value"],
}


def pytest_report_header() -> list[str]:
    import sqlite3
    lines = [f"SQLite {sqlite3.sqlite_version}", f"backends: {', '.join(BACKENDS)}"]
    if "postgresql" in BACKENDS:
        try:
            engine = sqlalchemy.create_engine(PG_BASE_URL.replace("postgresql://", "postgresql+psycopg://"))
            with engine.connect() as conn:
                lines.append(str(conn.exec_driver_sql("SHOW server_version").scalar()).join(["PostgreSQL ", ""]))
            engine.dispose()
        except sqlalchemy.exc.OperationalError as error:
            lines.append(f"PostgreSQL unreachable at {PG_BASE_URL}: {error}")
    return lines


def _pg_admin_engine() -> sqlalchemy.Engine:
    return sqlalchemy.create_engine(PG_BASE_URL.replace("postgresql://", "postgresql+psycopg://"),
                                    isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def make_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Creates fresh, empty databases of a backend; PostgreSQL schemas are dropped at the end."""
    schemas: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'objectbase.db'}"
        schema = f"obtest_{uuid.uuid4().hex[:12]}"
        engine = _pg_admin_engine()
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        engine.dispose()
        schemas.append(schema)
        separator = "&" if "?" in PG_BASE_URL else "?"
        return f"{PG_BASE_URL}{separator}options=-csearch_path%3D{schema}"

    yield make
    if schemas:
        # In a process of its own that the run does not wait for: dropping a worker's thousands of
        # class tables took ten seconds at the end of every worker.
        # The shell starts it in the background and returns at once (nothing is left to reap).
        command = " ".join(map(shlex.quote, [sys.executable, "-m", "tests.conftest", *schemas]))
        subprocess.run(["sh", "-c", f"{command} >/dev/null 2>&1 &"], check=True)


def drop_schemas(schemas: list[str]) -> None:
    engine = _pg_admin_engine()
    with engine.connect() as conn:
        for schema in schemas:
            _drop_schema(conn, schema)
    engine.dispose()


def _drop_schema(conn: sqlalchemy.Connection, schema: str, tables_at_once: int = 50) -> None:
    """A schema's tables a few at a time (each DROP its own transaction), then the schema. One
    DROP SCHEMA … CASCADE of a session's thousands of class tables takes a lock per table and index
    in one transaction, which can fill PostgreSQL's shared lock table while other workers still run
    ("out of shared memory")."""
    names = conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = %(schema)s", {"schema": schema}).scalars().all()
    for start in range(0, len(names), tables_at_once):
        listed = ", ".join(f'"{schema}"."{name}"' for name in names[start:start + tables_at_once])
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {listed} CASCADE")
    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, make_database_url: Any) -> str:
    return str(make_database_url(backend))


@pytest.fixture(scope="session")
def storage(database_url: str) -> Iterator[SqlStorage]:
    # As `serve` runs it with one worker, the default.
    opened = open_storage(database_url, sole_writer=True, secrets=TEST_SECRETS)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def services(storage: SqlStorage, settings: Settings) -> Services:
    return Services.build(storage, passwords=settings.passwords)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    return Settings(data_dir=str(tmp_path_factory.mktemp("data")), database_url=database_url,
                    quickblox_prefix="/qb", secret_key=TEST_SECRET_KEY, **TEST_ARGON2)


@pytest.fixture(scope="session")
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(build_app(settings, services), base_url="https://testserver") as test_client:
        yield test_client


@dataclass
class QB:
    """A fresh application and helpers to act in it through the QuickBlox API."""

    client: TestClient
    services: Services
    credentials: AppCredentials
    _nonce: int = field(default_factory=lambda: random.randint(1, 10**9))

    @property
    def app_id(self) -> int:
        return self.credentials.app_id

    @property
    def admin(self) -> Actor:
        return Actor.admin(self.app_id)

    def apply_class(self, spec: dict[str, Any] | list[dict[str, Any]] = SCORE_TABLE) -> None:
        self.services.classes.apply_classes(self.admin, read_class_file(spec))

    def make_user(self, login: str, password: str = "password1", tags: str | None = None,
                  **extra: Any) -> int:
        new = NewUser({"login": login, **extra}, password, comma_list(tags) or ())
        user = self.services.users.create_user(self.admin, new)
        return user.id

    def session_params(self, user: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
        self._nonce += 1
        params: dict[str, Any] = {"application_id": self.app_id, "auth_key": self.credentials.auth_key,
                                  "nonce": self._nonce, "timestamp": int(time.time())}
        if user:
            params["user"] = user
        params.update(overrides)
        params["signature"] = sign_params(params, self.credentials.auth_secret)
        return params

    def token(self, login: str | None = None, password: str = "password1") -> str:
        user = {"login": login, "password": password} if login else None
        response = self.client.post("/session.json", json=self.session_params(user))
        assert response.status_code == 201, response.text
        return str(response.json()["session"]["token"])

    def headers(self, login: str | None = None, password: str = "password1") -> dict[str, str]:
        return {"QB-Token": self.token(login, password)}

    @property
    def api_key_headers(self) -> dict[str, str]:
        return {"Authorization": f"ApiKey {self.credentials.api_key}"}

    def events(self, subject_id: str | None = None) -> list[Any]:
        with self.services.storage.transaction(write=False) as tx:
            return tx.select_events(self.app_id, subject_id)

    def count(self, class_name: str = "ScoreTable") -> int:
        from objectbase.core.query import ast
        return self.services.records.count_records(self.admin, class_name, ast.TRUE)


@pytest.fixture
def qb(client: TestClient, services: Services) -> QB:
    return QB(client, services, services.apps.create_app(f"test-{uuid.uuid4().hex[:8]}"))


# =============================================================================================
# Files (issue 5): blob bytes on a local folder and on S3-compatible storage. The S3 backend is
# moto's server mode in its own process, one per test session, started only if an S3 test runs.
# OBJECTBASE_TEST_FILES=local,s3 chooses the backends (both by default).
# =============================================================================================
import dataclasses as _dataclasses  # noqa: E402

from objectbase.files.base import FileStore  # noqa: E402
from objectbase.files.local import LocalFileStore  # noqa: E402

FILES_BACKENDS = [b for b in os.environ.get("OBJECTBASE_TEST_FILES", "local,s3").split(",") if b]
# Small limits, so "over the limit" and "bigger than the memory buffer" tests stay cheap.
FILES_MAX_UPLOAD_BYTES = 6 * 1024 * 1024
FILES_BUFFER_BYTES = 64 * 1024
FILES_S3_PART_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Any]:
    from tests.files.s3server import MotoServer

    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def make_file_store(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    """Fresh, empty stores of a backend: a new folder, or a new bucket on the session's moto server."""
    def make(kind: str) -> FileStore:
        if kind == "local":
            return LocalFileStore(tmp_path_factory.mktemp("files"))
        if kind == "s3":
            store: FileStore = request.getfixturevalue("moto_server").new_store(FILES_S3_PART_BYTES)
            return store
        raise ValueError(kind)
    return make


@pytest.fixture(scope="session", params=FILES_BACKENDS)
def files_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def file_store(files_backend: str, database_url: str, make_file_store: Any) -> FileStore:
    # One store per database too: app ids (and so key prefixes) repeat across databases.
    store: FileStore = make_file_store(files_backend)
    return store


@pytest.fixture(scope="session")
def files_settings(settings: Settings) -> Settings:
    return _dataclasses.replace(settings, max_upload_bytes=FILES_MAX_UPLOAD_BYTES,
                                upload_buffer_bytes=FILES_BUFFER_BYTES, s3_part_bytes=FILES_S3_PART_BYTES)


@pytest.fixture(scope="session")
def files_services(storage: SqlStorage, file_store: FileStore, files_settings: Settings) -> Services:
    return Services.build(storage, files=file_store, max_upload_bytes=files_settings.max_upload_bytes,
                          signed_link_ttl=files_settings.signed_link_ttl)


@pytest.fixture(scope="session")
def files_client(files_settings: Settings, files_services: Services) -> Iterator[TestClient]:
    with TestClient(build_app(files_settings, files_services), base_url="https://testserver") as test_client:
        yield test_client


@dataclass
class QBFiles(QB):
    """`QB` on an app whose server has a files backend, plus what a test needs to see the bytes."""

    store: FileStore = field(kw_only=True)

    def stored(self) -> list[str]:
        """Committed keys of this app (every key the core makes starts with `apps/<id>/`)."""
        return self.store.keys(f"apps/{self.app_id}")

    def temporaries(self) -> list[str]:
        """Writes in progress anywhere in the store (tests run one at a time per store)."""
        found: list[str] = self.store.temporaries()  # type: ignore[attr-defined]
        return found

    def blob_count(self) -> int:
        from sqlalchemy import func, select

        from objectbase.storage.system_tables import blobs
        with self.services.storage.transaction(write=False) as tx:
            count: int = tx.conn.execute(  # type: ignore[attr-defined]
                select(func.count()).select_from(blobs).where(blobs.c.app_id == self.app_id)).scalar_one()
        return count

    def state(self) -> tuple[list[str], list[str], int, int]:
        """Everything a rejected request must leave as it was: bytes, half-writes, blob rows, events."""
        return self.stored(), self.temporaries(), self.blob_count(), len(self.events())


@pytest.fixture
def qbf(files_client: TestClient, files_services: Services, file_store: FileStore) -> QBFiles:
    return QBFiles(files_client, files_services, files_services.apps.create_app(f"test-{uuid.uuid4().hex[:8]}"),
                   store=file_store)


if __name__ == "__main__":
    drop_schemas(sys.argv[1:])  # the end of a test session (make_database_url)
