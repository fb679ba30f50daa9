"""The command line (DESIGN.md "Command line"): a stable interface outside scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx2 as httpx
import pytest
import sqlalchemy
from click.testing import CliRunner

from objectbase.cli import main
from objectbase.security.signatures import sign_params
from tests.serving import free_port, wait_until_healthy


def run(database_url: str, *args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--database-url", database_url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in args else result.output


def test_app_user_and_class_commands(database_url: str, tmp_path: Path) -> None:
    app = run(database_url, "app", "create", "--name", "cli-app", "--json")
    assert set(app) == {"application_id", "auth_key", "auth_secret", "account_key", "api_key"}
    app_id = str(app["application_id"])
    user = run(database_url, "user", "create", "--app", app_id, "--login", "ann", "--password", "password1",
               "--email", "ann@example.com", "--tags", "a,b", "--admin", "--json")
    assert user["login"] == "ann" and user["tags"] == ["a", "b"] and user["admin"] is True
    assert isinstance(user["id"], int)
    class_file = tmp_path / "classes.json"
    class_file.write_text(json.dumps([
        {"name": "ScoreTable", "fields": {"score_value": "Integer", "tags": "String[]"}, "indexes": ["score_value"],
         "permissions": {"read": {"access": "owner"}}, "use_class_permissions": {"read": True}},
        {"name": "Board", "fields": {"title": "String"}, "required": ["title"],
         "states": [{"name": "New", "transitions": ["Done"]}, {"name": "Done"}]},
    ]))
    run(database_url, "class", "apply", "--app", app_id, str(class_file))
    listed = run(database_url, "class", "list", "--app", app_id, "--json")
    assert [c["name"] for c in listed] == ["ScoreTable", "Board"]
    assert listed[0]["fields"] == {"score_value": "Integer", "tags": "String[]"}
    assert listed[0]["indexes"] == ["score_value"] and listed[1]["required"] == ["title"]
    assert listed[0]["permissions"]["read"]["access"] == "owner"
    assert listed[0]["use_class_permissions"]["read"] is True
    assert listed[1]["states"][0] == {"name": "New", "transitions": ["Done"]}


@pytest.mark.parametrize("content, message", [
    ('{"name": "1bad", "fields": {}}', "name"),
    ('{"name": "T", "fields": {"x": "Decimal"}}', "unknown type"),
    ('{"name": "T", "fields": {"limit": "Integer"}}', "reserved"),
    ('{"name": "T", "fields": {"a b": "Integer"}}', "letters"),
    ('{"name": "T", "fields": {"x": "Integer"}, "indexes": ["y"]}', "does not have"),
    ("not json", "not valid JSON"),
], ids=["bad-class-name", "unknown-type", "reserved-field", "bad-field-name", "unknown-index", "not-json"])
def test_class_apply_rejects_bad_files(database_url: str, tmp_path: Path, content: str, message: str) -> None:
    app_id = str(run(database_url, "app", "create", "--name", "x", "--json")["application_id"])
    path = tmp_path / "c.json"
    path.write_text(content)
    result = CliRunner().invoke(main, ["class", "apply", "--app", app_id, str(path), "--database-url", database_url])
    assert result.exit_code != 0
    assert message in result.output
    assert run(database_url, "class", "list", "--app", app_id, "--json") == []


def test_changing_a_field_type_is_refused(database_url: str, tmp_path: Path) -> None:
    app_id = str(run(database_url, "app", "create", "--name", "x", "--json")["application_id"])
    path = tmp_path / "c.json"
    path.write_text('{"name": "T", "fields": {"x": "Integer"}}')
    run(database_url, "class", "apply", "--app", app_id, str(path))
    path.write_text('{"name": "T", "fields": {"x": "String"}}')
    result = CliRunner().invoke(main, ["class", "apply", "--app", app_id, str(path), "--database-url", database_url])
    assert result.exit_code != 0 and "changing a field's type" in result.output


def test_environment_variables_configure_every_command(tmp_path: Path) -> None:
    data_dir = tmp_path / "from-env"
    result = CliRunner().invoke(main, ["app", "create", "--name", "env", "--json"],
                                env={"OBJECTBASE_DATA_DIR": str(data_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (data_dir / "objectbase.db").exists()


def test_help_lists_every_setting_with_its_variable() -> None:
    from objectbase.settings import SETTINGS
    output = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200).output
    for setting in SETTINGS:
        assert setting.flag in output and setting.env in output


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[str, str]]:
    """A real `objectbase serve` process on the test database (the CLI entry point, as users run it)."""
    port = free_port()
    # JSON logs with the access log, to <tmp_path>/server.log (test_json_logs_of_a_served_instance…).
    env = {**os.environ, "OBJECTBASE_DATABASE_URL": database_url, "OBJECTBASE_DATA_DIR": str(tmp_path / "data"),
           "OBJECTBASE_LOG_FORMAT": "json", "OBJECTBASE_ACCESS_LOG": "true"}
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "objectbase", "serve", "--port", str(port)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, tmp_path / "server.log", timeout=20)
        yield base, database_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_json_logs_of_a_served_instance_carry_each_requests_id(served: tuple[str, str], tmp_path: Path) -> None:
    base, _ = served
    response = httpx.get(f"{base}/data/NoSuchClass.json", headers={"X-Request-Id": "trace-me-42"})
    assert response.status_code == 401 and response.headers["x-request-id"] == "trace-me-42"
    time.sleep(0.3)  # the access line is written after the response
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    assert {"time", "level", "logger", "message", "request_id"} <= set(lines[0])
    assert [line["request_id"] for line in lines if "/data/NoSuchClass.json" in line["message"]] == ["trace-me-42"]


def test_cli_works_while_the_server_runs_and_a_new_field_adds_a_column(served: tuple[str, str],
                                                                       tmp_path: Path) -> None:
    base, database_url = served
    assert httpx.get(f"{base}/health").json()["status"] == "ok"
    app = run(database_url, "app", "create", "--name", "live", "--json")
    run(database_url, "user", "create", "--app", str(app["application_id"]), "--login", "live",
        "--password", "password1", "--json")
    path = tmp_path / "c.json"
    path.write_text('{"name": "Live", "fields": {"a": "Integer"}}')
    run(database_url, "class", "apply", "--app", str(app["application_id"]), str(path))

    def session_token() -> str:
        params: dict[str, Any] = {"application_id": app["application_id"], "auth_key": app["auth_key"],
                                  "nonce": time.time_ns() % 10**9, "timestamp": int(time.time()),
                                  "user": {"login": "live", "password": "password1"}}
        params["signature"] = sign_params(params, app["auth_secret"])
        response = httpx.post(f"{base}/session.json", json=params)
        assert response.status_code == 201, response.text
        return str(response.json()["session"]["token"])

    headers = {"QB-Token": session_token()}
    first = httpx.post(f"{base}/data/Live.json", json={"a": 1}, headers=headers).json()
    # Re-applying with a new field while the server runs: the server notices the new schema version.
    path.write_text('{"name": "Live", "fields": {"a": "Integer", "b": "String"}}')
    run(database_url, "class", "apply", "--app", str(app["application_id"]), str(path))
    second = httpx.post(f"{base}/data/Live.json", json={"a": 2, "b": "new"}, headers=headers)
    assert second.status_code == 201 and second.json()["b"] == "new"
    old = httpx.get(f"{base}/data/Live/{first['_id']}.json", headers=headers).json()["items"][0]
    assert old["a"] == 1 and old["b"] is None
    # The column was added in place: the original row kept its internal sequence number.
    engine = sqlalchemy.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        tables = sqlalchemy.inspect(conn).get_table_names()
        live = [t for t in tables if t.startswith("obj_")]
        seqs = [conn.execute(sqlalchemy.text(f"SELECT _seq FROM {t} WHERE _id = :id"), {"id": first["_id"]}).scalar()
                for t in live]
    engine.dispose()
    assert [s for s in seqs if s is not None] != []
