"""`objectbase admin create|list|delete`: the dashboard's superusers, a stable command-line interface."""

from __future__ import annotations

import json
import uuid

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from objectbase.cli import main
from tests.conftest import TEST_SECRET_KEY


def invoke(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--database-url", database_url],
                                env={"OBJECTBASE_SECRET_KEY": TEST_SECRET_KEY})
    return result.exit_code, result.output


def test_create_list_and_delete_a_superuser(database_url: str) -> None:
    login = f"root-{uuid.uuid4().hex[:8]}"
    code, output = invoke(database_url, "admin", "create", "--login", login, "--password", "long-enough-1", "--json")
    assert code == 0, output
    created = json.loads(output)
    assert created["login"] == login and isinstance(created["id"], int)
    assert created["created_at"].endswith("Z")
    code, output = invoke(database_url, "admin", "list", "--json")
    assert code == 0
    assert login in [operator["login"] for operator in json.loads(output)]
    code, output = invoke(database_url, "admin", "list")
    assert login in output.splitlines()
    # Stored as an Argon2id hash, never the password.
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM operators WHERE login = :l"), {"l": login}).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and "long-enough-1" not in stored
    code, output = invoke(database_url, "admin", "delete", "--login", login, "--json")
    assert code == 0 and json.loads(output) == {"deleted": login}
    code, output = invoke(database_url, "admin", "list", "--json")
    assert login not in [operator["login"] for operator in json.loads(output)]


def test_bad_admin_commands_say_what_is_wrong(database_url: str) -> None:
    login = f"root-{uuid.uuid4().hex[:8]}"
    assert invoke(database_url, "admin", "create", "--login", login, "--password", "long-enough-1")[0] == 0
    code, output = invoke(database_url, "admin", "create", "--login", login, "--password", "long-enough-1")
    assert code == 1 and f"An operator with login '{login}' already exists" in output
    code, output = invoke(database_url, "admin", "create", "--login", "short-pw", "--password", "short")
    assert code == 1 and "password" in output.lower()
    code, output = invoke(database_url, "admin", "create", "--login", "  ", "--password", "long-enough-1")
    assert code == 1 and "login" in output.lower()
    code, output = invoke(database_url, "admin", "delete", "--login", "nobody-at-all")
    assert code == 1 and "No operator has login 'nobody-at-all'" in output
