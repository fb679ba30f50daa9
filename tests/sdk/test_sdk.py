"""End to end: the real QuickBlox JS SDK (npm `quickblox` 2.23.0, unmodified) against `objectbase serve`.

For each backend: a throw-away CA and server certificate (trustme), an app, a user and the ScoreTable
class made with the CLI, `objectbase serve` over HTTPS on a free port, then `node scenario.js` with
NODE_EXTRA_CA_CERTS so Node trusts the certificate. The scenario prints one JSON report; the server's
access log tells what the SDK put on the wire. Node and npm must be on PATH; `npm ci` runs once if
tests/sdk/node_modules is missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import trustme

from tests.conftest import SCORE_TABLE

pytestmark = pytest.mark.sdk

SDK_DIR = Path(__file__).resolve().parent
SCENARIO = SDK_DIR / "scenario.js"
LOGIN, PASSWORD, TAG = "sdk-alice", "sdk-pass-1", "sdk-players"
SUCCESS = {200, 201, 202}  # the only statuses the SDK treats as success (spec §1.4)

# What the scenario must put on the wire, in order (method, path without query). Keep in step
# with scenario.js; the 401s are the two expected failures.
EXPECTED_REQUESTS: list[tuple[str, str, int]] = [
    ("POST", "/session.json", 201),
    ("POST", "/login.json", 202),
    ("GET", "/session.json", 200),
    ("POST", "/data/ScoreTable.json", 201),
    ("POST", "/data/ScoreTable.json", 201),
    ("POST", "/data/ScoreTable.json", 201),
    ("GET", "/data/ScoreTable.json", 200),
    ("GET", "/data/ScoreTable.json", 200),
    ("GET", "/data/ScoreTable.json", 200),
    ("GET", "/data/ScoreTable.json", 200),
    ("GET", "/data/ScoreTable.json", 200),
    ("PUT", "/data/ScoreTable/{rid}.json", 200),
    ("PUT", "/data/ScoreTable/{rid}.json", 200),
    ("GET", "/data/ScoreTable.json", 200),
    ("PUT", "/data/ScoreTable/{rid}.json", 200),
    ("POST", "/data/ScoreTable.json", 201),
    ("POST", "/data/ScoreTable.json", 201),
    ("POST", "/data/ScoreTable.json", 201),
    ("POST", "/data/ScoreTable.json", 201),
    ("DELETE", "/data/ScoreTable/{rid}.json", 200),
    ("DELETE", "/data/ScoreTable/{rid}%2C{rid}.json", 200),  # the access log quotes the comma
    ("DELETE", "/data/ScoreTable/by_criteria.json", 200),
    ("GET", "/data/ScoreTable.json", 200),
    ("GET", "/users/{id}.json", 200),
    ("GET", "/users/by_login.json", 200),
    ("GET", "/users/by_tags.json", 200),
    ("GET", "/users/by_tags.json", 200),
    ("GET", "/users.json", 200),
    ("DELETE", "/login.json", 200),
    ("GET", "/session.json", 200),
    ("DELETE", "/session.json", 200),
    ("GET", "/session.json", 401),
    ("POST", "/session.json", 201),
    ("POST", "/login.json", 401),
    ("DELETE", "/session.json", 200),
]

ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query, as the access log shows it
    status: int

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass(frozen=True)
class ScenarioRun:
    returncode: int
    report: dict[str, Any]
    stderr: str
    server_log: str
    user_id: int

    @property
    def requests(self) -> list[Request]:
        """Requests the server logged, minus our own readiness polls."""
        found = [Request(m["method"], m["target"], int(m["status"]))
                 for m in map(ACCESS_LINE.search, self.server_log.splitlines()) if m]
        return [r for r in found if r.path != "/health"]

    def diagnostics(self) -> str:
        return (f"node exit {self.returncode}\n--- report\n{json.dumps(self.report, indent=1)[-6000:]}\n"
                f"--- node stderr\n{self.stderr[-3000:]}\n--- server log\n{self.server_log[-6000:]}")

    def step(self, name: str) -> Any:
        """The result of a scenario step; fails the test with diagnostics if it did not succeed."""
        for entry in self.report.get("steps", []):
            if entry["name"] == name:
                if not entry["ok"]:
                    pytest.fail(f"step {entry['n']} {name} failed: {json.dumps(entry.get('error'))}\n"
                                + self.diagnostics())
                return entry["result"]
        pytest.fail(f"step {name} did not run\n" + self.diagnostics())


def _run(command: list[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def _installed_quickblox() -> str | None:
    manifest = SDK_DIR / "node_modules" / "quickblox" / "package.json"
    return str(json.loads(manifest.read_text())["version"]) if manifest.exists() else None


@pytest.fixture(scope="session")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed for the SDK test (Node 20: see README)")
    pinned = json.loads((SDK_DIR / "package.json").read_text())["dependencies"]["quickblox"]
    # xdist workers share the folder: one `npm ci` at a time, the others then find it done.
    lock_path = Path(tempfile.gettempdir()) / f"objectbase-sdk-{hashlib.sha1(str(SDK_DIR).encode()).hexdigest()[:12]}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_quickblox() != pinned:
            _run([npm, "ci", "--no-audit", "--no-fund"], cwd=SDK_DIR, timeout=600)
    assert _installed_quickblox() == pinned
    return node


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    paths = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    paths["cert"].write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    server.private_key_pem.write_to_path(str(paths["key"]))
    return paths


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, ca: Path, server: subprocess.Popen[bytes], log: Callable[[], str],
                        deadline: float = 20.0) -> None:
    context = ssl.create_default_context(cafile=str(ca))
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        if server.poll() is not None:
            pytest.fail(f"objectbase serve exited {server.returncode}\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=1, context=context) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} not healthy after {deadline} s\n{log()}")


CLI = [sys.executable, "-m", "objectbase"]


def objectbase_env(database_url: str, work: Path) -> dict[str, str]:
    """The CLI's and server's environment: our database and data folder under `work`."""
    # Only our settings reach the CLI and server: a developer's OBJECTBASE_* must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBJECTBASE_")}
    env.update(OBJECTBASE_DATABASE_URL=database_url, OBJECTBASE_DATA_DIR=str(work / "data"))
    return env


def provision(env: dict[str, str], work: Path, *, app_name: str, login: str, password: str,
              tags: str | None = None) -> tuple[dict[str, Any], int]:
    """An app, a user and the ScoreTable class, made with the CLI. Returns the scenario config for
    them (all but `api`, which `serve_and_run` adds) and the user's id."""
    app = json.loads(_run([*CLI, "app", "create", "--name", app_name, "--json"], env=env, timeout=60).stdout)
    user = json.loads(_run([*CLI, "user", "create", "--app", str(app["application_id"]), "--login", login,
                            "--password", password, *(["--tags", tags] if tags else []), "--json"],
                           env=env, timeout=60).stdout)
    class_file = work / "score_table.json"
    class_file.write_text(json.dumps(SCORE_TABLE))
    _run([*CLI, "class", "apply", "--app", str(app["application_id"]), str(class_file)], env=env, timeout=60)
    config = {"appId": app["application_id"], "authKey": app["auth_key"], "authSecret": app["auth_secret"],
              "login": login, "password": password, "className": SCORE_TABLE["name"]}
    return config, int(user["id"])


def serve_and_run(scenario: Path, config: dict[str, Any], *, env: dict[str, str], work: Path, node: str,
                  certificates: dict[str, Path], user_id: int, timeout: float) -> ScenarioRun:
    """Serve over TLS on a free port, run the Node `scenario` once against it, stop the server."""
    port = _free_port()
    log_path = work / "server.log"
    with open(log_path, "wb") as log_file:
        # uvicorn writes its access log to stdout and everything else to stderr: one file, in order.
        server = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--access-log", "true",
             "--ssl-certfile", str(certificates["cert"]), "--ssl-keyfile", str(certificates["key"])],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(f"https://127.0.0.1:{port}/health", certificates["ca"], server,
                            lambda: log_path.read_text(errors="replace"))
        node_env = {k: v for k, v in os.environ.items() if k != "NODE_TLS_REJECT_UNAUTHORIZED"}
        node_env["NODE_EXTRA_CA_CERTS"] = str(certificates["ca"])
        result = subprocess.run([node, str(scenario), json.dumps({"api": f"127.0.0.1:{port}", **config})],
                                cwd=SDK_DIR, env=node_env, capture_output=True, text=True, timeout=timeout)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
    server_log = log_path.read_text(errors="replace")
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {"ok": False, "unparsable_stdout": result.stdout[-3000:]}
    return ScenarioRun(result.returncode, report, result.stderr, server_log, user_id)


@pytest.fixture(scope="module")
def run(backend: str, make_database_url: Callable[[str], str], node: str, certificates: dict[str, Path],
        tmp_path_factory: pytest.TempPathFactory) -> ScenarioRun:
    """Set up an app, user and class with the CLI, serve over TLS, run the scenario once."""
    work = tmp_path_factory.mktemp(f"sdk-{backend}")
    env = objectbase_env(make_database_url(backend), work)
    config, user_id = provision(env, work, app_name="sdk-e2e", login=LOGIN, password=PASSWORD,
                                tags=f"{TAG},sdk-testers")
    return serve_and_run(SCENARIO, {**config, "tag": TAG}, env=env, work=work, node=node,
                         certificates=certificates, user_id=user_id, timeout=120)


def test_scenario_completes(run: ScenarioRun) -> None:
    assert run.returncode == 0 and run.report["ok"] is True, run.diagnostics()
    assert run.report["sdk"] == "2.23.0 (build 1178)"


def test_sessions_login_and_logout(run: ScenarioRun) -> None:
    app_session = run.step("createSession")
    assert app_session["user_id"] == 0
    assert re.fullmatch(r"[0-9a-f]{40}", app_session["token"])
    assert run.step("login")["id"] == run.user_id
    assert run.step("getSession")["session"]["user_id"] == run.user_id
    assert run.step("getSession")["session"]["token"] == app_session["token"]
    assert run.step("logout") == ""
    assert run.step("getSessionAfterLogout")["session"]["user_id"] == 0
    assert run.step("destroySession") == ""
    refused = run.step("getSessionWithDestroyedToken")
    # The SDK's sessionExpired hook only fires on 401 + this phrase (spec §1.5).
    assert refused["code"] == 401 and "session does not exist" in json.dumps(refused["message"]).lower()


def test_user_session_signed_with_sha256(run: ScenarioRun) -> None:
    assert run.step("initSha256") == {"hash": "sha256"}
    session = run.step("createUserSessionSha256")
    assert session["user_id"] == run.user_id
    assert session["token"] != run.step("createSession")["token"]
    assert run.step("loginWrongPassword")["code"] == 401
    assert run.step("destroyUserSession") == ""


def test_created_record_is_cast_like_the_seed(run: ScenarioRun) -> None:
    record = run.step("createRecord")
    assert re.fullmatch(r"[0-9a-f]{24}", record["_id"])
    assert {k: record[k] for k in ("score_value", "progress", "expert_mode", "game_mode_name", "user_location",
                                   "date", "completed_levels", "user_avatar", "_parent_id", "user_id")} == {
        "score_value": 665, "progress": 0.12, "expert_mode": False, "game_mode_name": "deathmatch",
        "user_location": [11.13, 45.52], "date": "2019-09-21T21:21:00Z", "completed_levels": [1, 2, 3],
        "user_avatar": None, "_parent_id": None, "user_id": run.user_id,
    }
    assert isinstance(record["created_at"], int) and record["updated_at"] == record["created_at"]
    assert record["permissions"] == {"read": {"access": "open"}, "update": {"access": "owner"},
                                     "delete": {"access": "owner"}}
    high = run.step("createRecordHigh")  # sent as strings: "900", "true"
    assert (high["score_value"], high["expert_mode"], high["progress"]) == (900, True, None)


def test_list_filters_sorts_counts_and_projects(run: ScenarioRun) -> None:
    seeded, low, high = (run.step(n) for n in ("createRecord", "createRecordLow", "createRecordHigh"))
    listed = run.step("listFiltered")
    assert (listed["class_name"], listed["skip"], listed["limit"]) == ("ScoreTable", 0, 10)
    assert [r["_id"] for r in listed["items"]] == [high["_id"], seeded["_id"]]
    assert listed["items"][1] == {k: v for k, v in seeded.items() if k != "permissions"}
    assert run.step("countFiltered") == {"class_name": "ScoreTable", "items_count": 2}
    assert run.step("countAll") == {"class_name": "ScoreTable", "items_count": 3}
    projected = run.step("listProjected")["items"]
    assert projected == [{"_id": seeded["_id"], "score_value": 665, "game_mode_name": "deathmatch"}]
    assert [r["_id"] for r in run.step("listAll")["items"]] == [seeded["_id"], low["_id"], high["_id"]]


def test_updates_and_deletes(run: ScenarioRun) -> None:
    seeded = run.step("createRecord")
    updated = run.step("updateRecord")
    assert (updated["_id"], updated["game_mode_name"], updated["completed_levels"]) == (seeded["_id"], "ctf", [4, 5])
    assert updated["score_value"] == 665 and updated["permissions"] == seeded["permissions"]
    operated = run.step("updateWithOperators")
    assert (operated["score_value"], operated["completed_levels"]) == (675, [4, 5, 6])
    resent = run.step("updateResendingFetchedRecord")
    assert (resent["progress"], resent["score_value"], resent["created_at"]) == (0.5, 675, seeded["created_at"])
    doomed = run.step("createForDeletes")
    assert run.step("deleteOne") == {"deleted": [doomed[0]], "deletedCount": 1}
    assert run.step("deleteMany") == {"deleted": doomed[1:3], "deletedCount": 2}
    assert run.step("deleteByCriteria") == {"deleted": None, "deletedCount": 1}
    assert run.step("countAfterDeletes")["items_count"] == 3


def test_users(run: ScenarioRun) -> None:
    by_id = run.step("usersGetById")
    assert (by_id["id"], by_id["login"]) == (run.user_id, LOGIN)
    assert set(by_id["user_tags"].split(",")) == {TAG, "sdk-testers"}
    assert "password" not in json.dumps(by_id)
    assert run.step("usersGetByLogin")["id"] == run.user_id
    for name in ("usersGetByTags", "usersGetByTagsArray", "listUsers"):
        page = run.step(name)
        assert page["total_entries"] == 1 and page["current_page"] == 1, name
        assert [item["user"]["id"] for item in page["items"]] == [run.user_id], name


def test_wire_requests(run: ScenarioRun) -> None:
    """The SDK sent exactly these requests to our host, and each got the status the scenario expects."""
    seen = [(r.method, re.sub(r"[0-9a-f]{24}", "{rid}", r.path.replace(f"/{run.user_id}.json", "/{id}.json")),
             r.status) for r in run.requests]
    assert seen == EXPECTED_REQUESTS, run.diagnostics()
    queries = {r.query for r in run.requests if r.path == "/data/ScoreTable.json" and r.method == "GET"}
    # The SDK's bracket encoding (spec §7.2), sorted keys and `%2C` inside values.
    assert "limit=10&score_value[gt]=100&sort_desc=score_value" in queries
    assert "count=1&score_value[gt]=100" in queries
    assert any(q.endswith("&output[include]=score_value%2Cgame_mode_name") for q in queries)
    assert any(r.target == f"/users/by_tags.json?tags[]={TAG}%2Cno-such-tag" for r in run.requests)
