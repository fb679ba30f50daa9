"""Secrets at rest (issue 12, item 5): app secrets are sealed with the server key; a dump of the
database reveals none; HMAC sign-in works after a restart and after `secret-key rotate`; a wrong key
stops start-up with a clear error."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text
from starlette.testclient import TestClient

from objectbase.app import build_app
from objectbase.cli import main
from objectbase.core.apps import AppCredentials
from objectbase.core.services import Services
from objectbase.security.secret_box import SecretBox, SecretKeyError, generate_key
from objectbase.security.signatures import sign_params
from objectbase.settings import Settings
from objectbase.storage import SqlStorage, open_storage
from objectbase.storage.migrations import migrate
from tests.conftest import TEST_ARGON2, TEST_SECRET_KEY, TEST_SECRETS

MakeUrl = Callable[[str], str]


def _dump(storage: SqlStorage) -> str:
    """Every cell of every table, as text: what a stolen database file or pg_dump shows."""
    cells: list[str] = []
    with storage.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                cells.extend(str(value) for value in row)
    return "\n".join(cells)


def _signs_in(storage: SqlStorage, credentials: AppCredentials, tmp_path: Path, key: str, nonce: int) -> int:
    """Status of an HMAC-signed QuickBlox session request to a server built on `storage`."""
    settings = Settings(data_dir=str(tmp_path), database_url="sqlite://", secret_key=key, **TEST_ARGON2)
    params: dict[str, Any] = {"application_id": credentials.app_id, "auth_key": credentials.auth_key,
                              "nonce": nonce, "timestamp": int(time.time())}
    params["signature"] = sign_params(params, credentials.auth_secret)
    with TestClient(build_app(settings, Services.build(storage)), base_url="https://testserver") as client:
        return client.post("/session.json", json=params).status_code


def _fresh(make_database_url: MakeUrl, backend: str, key: str = TEST_SECRET_KEY) -> tuple[str, SqlStorage]:
    url = make_database_url(backend)
    return url, open_storage(url, secrets=SecretBox([key]))


def test_a_dump_of_the_database_reveals_no_app_secret(backend: str, make_database_url: MakeUrl) -> None:
    _, storage = _fresh(make_database_url, backend)
    try:
        credentials = Services.build(storage).apps.create_app("dumped")
        dump = _dump(storage)
        assert credentials.auth_key in dump  # the dump did read the apps table
        assert credentials.auth_secret not in dump
        with storage.transaction(write=False) as tx:
            assert tx.select_app(credentials.app_id).auth_secret == credentials.auth_secret  # type: ignore[union-attr]
    finally:
        storage.close()


def test_hmac_sign_in_works_after_a_restart_and_after_rotation(
        backend: str, make_database_url: MakeUrl, tmp_path: Path) -> None:
    url, storage = _fresh(make_database_url, backend)
    credentials = Services.build(storage).apps.create_app("rotated")
    storage.close()
    restarted = open_storage(url, secrets=TEST_SECRETS)
    assert _signs_in(restarted, credentials, tmp_path, TEST_SECRET_KEY, 1) == 201
    restarted.close()

    new_key = generate_key()
    result = CliRunner().invoke(main, ["secret-key", "rotate", "--new-key", new_key, "--json",
                                       "--database-url", url, "--data-dir", str(tmp_path)],
                                env={"OBJECTBASE_SECRET_KEY": TEST_SECRET_KEY})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"rotated": 1, "key_file": None}

    with pytest.raises(SecretKeyError, match="does not open the secrets"):
        open_storage(url, secrets=TEST_SECRETS)
    rotated = open_storage(url, secrets=SecretBox([new_key]))
    try:
        assert _signs_in(rotated, credentials, tmp_path, new_key, 2) == 201
        assert credentials.auth_secret not in _dump(rotated)
    finally:
        rotated.close()


def test_a_wrong_key_stops_the_command_at_start_up_with_a_clear_error(
        backend: str, make_database_url: MakeUrl, tmp_path: Path) -> None:
    url, storage = _fresh(make_database_url, backend)
    Services.build(storage).apps.create_app("locked")
    storage.close()
    result = CliRunner().invoke(main, ["app", "create", "--name", "x", "--database-url", url,
                                       "--secret-key", generate_key()])
    assert result.exit_code == 1
    assert "the secret key does not open the secrets stored in this database" in result.output
    assert "Traceback" not in result.output
    malformed = CliRunner().invoke(main, ["app", "create", "--name", "x", "--database-url", url,
                                          "--secret-key", "not-a-key"])
    assert malformed.exit_code == 1 and "32 url-safe base64-encoded bytes" in malformed.output


def test_the_key_file_is_generated_on_first_run_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path / "data"))
    first = settings.secret_box().keys
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.secret_box().keys == first  # the next start reads it back


def test_rotation_with_the_key_file_replaces_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = CliRunner().invoke(main, ["app", "create", "--name", "f", "--json", "--data-dir", str(data)],
                             env={"OBJECTBASE_SECRET_KEY": ""})
    assert app.exit_code == 0, app.output
    before = (data / "secret.key").read_text()
    result = CliRunner().invoke(main, ["secret-key", "rotate", "--json", "--data-dir", str(data)],
                                env={"OBJECTBASE_SECRET_KEY": ""})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rotated"] == 1
    after = (data / "secret.key").read_text()
    assert after != before and len(after.split()) == 1
    assert stat.S_IMODE((data / "secret.key").stat().st_mode) == 0o600
    created = json.loads(app.output)
    storage = open_storage(f"sqlite:///{data / 'objectbase.db'}", secrets=SecretBox(after.split()))
    try:
        with storage.transaction(write=False) as tx:
            opened = tx.select_app(created["application_id"])
            assert opened is not None and opened.auth_secret == created["auth_secret"]
    finally:
        storage.close()


def test_migration_0012_seals_the_secrets_of_an_older_database(backend: str, make_database_url: MakeUrl) -> None:
    url = make_database_url(backend)
    storage = open_storage(url, run_migrations=False, secrets=TEST_SECRETS)
    try:
        migrate(storage.engine, upto=10)
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret, account_key, schema_version, "
                              "created_at) VALUES ('old', 'oldkey', 'plain-old-secret', 'acct', 1, 0)"))
        assert migrate(storage.engine, secrets=TEST_SECRETS)[0] == 12
        assert "plain-old-secret" not in _dump(storage)
        with storage.transaction(write=False) as tx:
            assert tx.select_app_by_auth_key("oldkey").auth_secret == "plain-old-secret"  # type: ignore[union-attr]
    finally:
        storage.close()


def test_while_rotating_the_old_and_the_new_key_both_open_and_the_first_seals() -> None:
    old, new = generate_key(), generate_key()
    sealed_old = SecretBox([old]).seal("s3cret")
    both = Settings(secret_key=f"{new},{old}").secret_box()
    assert both.open(sealed_old) == "s3cret"
    assert SecretBox([new]).open(both.seal("s3cret")) == "s3cret"  # new values under the new key
    assert SecretBox([new]).open(both.reseal(sealed_old)) == "s3cret"
