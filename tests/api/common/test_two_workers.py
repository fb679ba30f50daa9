"""`serve --workers 2` on one database gives the same answers as one worker: a session revoked
and a class changed through one process are seen by the other on the next request,
concurrent increments through both lose nothing, failed sign-ins count across both, and
/metrics gives the whole server's counts whichever worker answers.
Each request opens its own connection, so the
kernel spreads them over both workers (both are warmed up before each change, so each holds
whatever it caches of the old state)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx2 as httpx
import pytest

from objectbase.api.field_names import read_class_file
from tests.conftest import QB

ROUNDS = 12
# Failed sign-ins one login may make a minute, on the served instance.
FAILURES = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def two_workers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    # The suite's server key too: the apps the tests make in-process are sealed with it.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OBJECTBASE_") or "ARGON2" in k or k == "OBJECTBASE_SECRET_KEY"}
    # A small per-login limit for the shared-counter test; the others sign in without failing.
    env.update(OBJECTBASE_DATABASE_URL=database_url, OBJECTBASE_METRICS="true",
               OBJECTBASE_DATA_DIR=str(tmp_path_factory.mktemp("two-workers")),
               OBJECTBASE_LOGIN_RATE_PER_LOGIN=f"{FAILURES}/minute")
    log = tmp_path_factory.mktemp("two-workers-log") / "server.log"
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "objectbase", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "2"], env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        until = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < until, log.read_text(errors="replace")
            time.sleep(0.2)
        assert len(_workers(server.pid)) == 2, "serve --workers 2 should run two worker processes"
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _workers(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # The field after the state is the parent's pid; uvicorn's workers are spawned processes
        # (its other child is multiprocessing's resource tracker).
        if int(fields[1]) == pid and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
            children.append(int(stat.parent.name))
    return children


def _each(base: str, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> list[httpx.Response]:
    """The same request ROUNDS times, each on a fresh connection."""
    return [httpx.request(method, f"{base}{path}", headers=headers, timeout=10, **kwargs) for _ in range(ROUNDS)]


def test_a_revoked_session_is_refused_by_every_worker(two_workers: str, qb: QB) -> None:
    qb.apply_class()
    qb.make_user("alice")
    headers = qb.headers("alice")
    assert {r.status_code for r in _each(two_workers, "GET", "/data/ScoreTable.json", headers)} == {200}
    assert httpx.delete(f"{two_workers}/session.json", headers=headers, timeout=10).status_code == 200
    assert {r.status_code for r in _each(two_workers, "GET", "/data/ScoreTable.json", headers)} == {401}


def test_a_class_changed_through_one_worker_is_seen_by_the_other(two_workers: str, qb: QB) -> None:
    qb.apply_class()
    qb.make_user("bob")
    headers = qb.headers("bob")
    for response in _each(two_workers, "POST", "/data/ScoreTable.json", headers, json={"score_value": 1}):
        assert response.status_code == 201, response.text
        assert "level" not in response.json()
    # The change goes through the database only (the CLI's path); neither worker is told.
    qb.services.classes.add_fields(qb.admin, {"ScoreTable": read_class_file(
        {"name": "ScoreTable", "fields": {"level": "Integer"}})[0].fields})
    for response in _each(two_workers, "POST", "/data/ScoreTable.json", headers, json={"level": 7}):
        assert response.status_code == 201, response.text
        assert response.json()["level"] == 7


def test_concurrent_increments_through_both_workers_lose_nothing(two_workers: str, qb: QB) -> None:
    qb.apply_class()
    qb.make_user("carol")
    headers = qb.headers("carol")
    created = httpx.post(f"{two_workers}/data/ScoreTable.json", headers=headers, json={"score_value": 0}, timeout=10)
    record_id = created.json()["_id"]

    def increment(_: int) -> int:
        return httpx.put(f"{two_workers}/data/ScoreTable/{record_id}.json", headers=headers,
                         json={"inc": {"score_value": 1}}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(increment, range(40))) == {200}
    final = httpx.get(f"{two_workers}/data/ScoreTable/{record_id}.json", headers=headers, timeout=10)
    assert final.json()["items"][0]["score_value"] == 40



def test_failed_sign_ins_are_counted_across_both_workers(two_workers: str, qb: QB) -> None:
    """Failures spread over both workers add up in the database: each worker alone has seen fewer
    than the limit, yet every later attempt, whichever worker takes it, is refused."""
    qb.make_user("dave")

    def session(password: str) -> httpx.Response:
        body = qb.session_params({"login": "dave", "password": password})
        return httpx.post(f"{two_workers}/session.json", json=body, timeout=10)

    assert [session("wrong-pass").status_code for _ in range(FAILURES)] == [401] * FAILURES
    refused = [session("password1") for _ in range(ROUNDS)]
    assert {r.status_code for r in refused} == {429}, [r.text for r in refused]
    assert all(1 <= int(r.headers["retry-after"]) <= 60 for r in refused)


def _health_requests(text: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("objectbase_requests_total{") and 'dialect="health"' in line)


def test_metrics_count_the_requests_of_both_workers(two_workers: str) -> None:
    before = _health_requests(httpx.get(f"{two_workers}/metrics", timeout=10).text)
    assert {r.status_code for r in _each(two_workers, "GET", "/health", {})} == {200}
    scrapes = [httpx.get(f"{two_workers}/metrics", timeout=10) for _ in range(6)]
    assert {r.status_code for r in scrapes} == {200}
    # Each scrape, on a fresh connection, may land on either worker: each shows both workers' counts.
    assert {_health_requests(r.text) for r in scrapes} == {before + ROUNDS}


def test_a_dashboard_sign_out_through_one_worker_is_seen_by_the_other(two_workers: str, qb: QB) -> None:
    login = f"op-{qb.app_id}"
    qb.services.operators.create_operator(login, "two-workers-pw")
    with httpx.Client(base_url=two_workers) as browser:
        form = browser.get("/_/sign-in")
        csrf = form.cookies["ob_csrf"]
        signed = browser.post("/_/sign-in", data={"login": login, "password": "two-workers-pw", "csrf_token": csrf})
        assert signed.status_code == 303
        cookies = {"ob_session": signed.cookies["ob_session"], "ob_csrf": csrf}
    # Every worker knows the session (it is stored in the database, not in a worker).
    assert {r.status_code for r in _each(two_workers, "GET", "/_/apps", {}, cookies=cookies)} == {200}
    with httpx.Client(base_url=two_workers, cookies=cookies) as browser:
        assert browser.post("/_/sign-out", data={"csrf_token": csrf}).status_code == 303
    assert {r.status_code for r in _each(two_workers, "GET", "/_/apps", {}, cookies=cookies)} == {303}
