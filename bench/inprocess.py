"""Per-request Python cost of Objectbase's own code, without the network: W1–W5 driven straight through
the ASGI app in this process (no uvicorn, no wrk), for quick before/after comparisons while profiling.

    python bench/inprocess.py [--backend sqlite|postgresql] [--records N] [--requests N] [--profile W2] [--explain]

Prints microseconds of wall time and of this process's CPU time per request for each workload (one
request at a time; CPU time is the steadier figure on a busy machine, and on SQLite it is all of it). `--profile W` writes cProfile's top functions for that
workload; `--explain` prints the query plan (EXPLAIN ANALYZE, rolled back) of every statement one
request of each workload runs. This is a development tool; the comparable figures against peers come from run.sh."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from objectbase.api.field_names import read_class_file
from objectbase.app import build_app, settle_garbage_collector
from objectbase.core.actor import Actor, ActorKind
from objectbase.core.records import NewRecord
from objectbase.core.users import NewUser
from objectbase.security.signatures import sign_params
from objectbase.settings import Settings

CLASS = {"name": "ScoreTable", "fields": {"score_value": "Integer", "game_mode_name": "String"},
         "indexes": ["score_value"]}


class Driver:
    """Sends one HTTP request at a time through the ASGI app and returns (status, body)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._lifespan())

    async def _lifespan(self) -> None:
        messages = [{"type": "lifespan.startup"}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.sleep(3600)
            return {}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        self.loop.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
        while not sent:
            await asyncio.sleep(0)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = headers or {}
        raw_path, _, query = path.partition("?")
        all_headers = {"host": "bench", "content-length": str(len(body)), **headers}
        if body:
            all_headers.setdefault("content-type", "application/json")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(),
                 "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
                 "headers": [(k.lower().encode(), v.encode()) for k, v in all_headers.items()]}
        chunks = [{"type": "http.request", "body": body, "more_body": False}]
        status = 0
        out: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return chunks.pop() if chunks else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(out)


def _capture_statements(engine: Any) -> list[tuple[str, Any]]:
    """Records (SQL, parameters) of every statement: SQLAlchemy's own and the prepared ones on the cursor."""
    import sqlalchemy

    from objectbase.storage import prepared

    seen: list[tuple[str, Any]] = []
    run = prepared.Prepared._run

    def recording_run(self: Any, conn: Any, values: Any, fetch: bool) -> Any:
        seen.append((self.sql, self._parameters(values)))
        return run(self, conn, values, fetch)

    run_many = prepared.Prepared.execute_many

    def recording_many(self: Any, conn: Any, rows: Any) -> Any:
        seen.append((self.sql, self._parameters(rows[0])))
        return run_many(self, conn, rows)

    prepared.Prepared._run = recording_run  # type: ignore[method-assign]
    prepared.Prepared.execute_many = recording_many  # type: ignore[method-assign]
    sqlalchemy.event.listen(
        engine, "before_cursor_execute",
        lambda conn, cursor, sql, parameters, context, many: seen.append((sql, parameters[0] if many else parameters)))
    return seen


def _explain(engine: Any, workload: str, statements: list[tuple[str, Any]]) -> None:
    """EXPLAIN ANALYZE each captured statement in a transaction that is rolled back."""
    for sql, parameters in list(statements):
        if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            continue
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        if sql.lstrip().upper().startswith("INSERT"):
            prefix = "EXPLAIN "  # run again, the row would exist already
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            try:
                cursor.execute(prefix + sql, parameters)
                plan = "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())
            except Exception as error:  # a statement that cannot run twice: say so and go on
                plan = f"    (not explained: {error})"
            finally:
                cursor.close()
                conn.connection.driver_connection.rollback()
        print(f"--- {workload}: {' '.join(sql.split())[:300]}\n{plan}", flush=True)
    statements.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    parser.add_argument("--profile", default="", help="workload to cProfile")
    parser.add_argument("--explain", action="store_true", help="print each workload's query plans")
    parser.add_argument("--metrics", action="store_true", help="count requests for GET /metrics (--metrics)")
    parser.add_argument("--default-gc", action="store_true",
                        help="keep CPython's garbage collector as it starts (a served worker settles it)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ob-inprocess-"))
    url = None
    if args.backend == "postgresql":
        import sqlalchemy
        schema = f"bench_{random.randrange(1 << 30)}"
        engine = sqlalchemy.create_engine(args.pg_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    settings = Settings(data_dir=str(home), metrics=args.metrics, **({"database_url": url} if url else {}))
    app = build_app(settings)
    services = app.state["services"]
    created = services.apps.create_app("bench")
    app_id = created.app_id
    admin = Actor.admin(app_id)
    services.classes.apply_classes(admin, read_class_file(CLASS))
    user = services.users.create_user(admin, NewUser(profile={"login": "bench"}, password="bench-password-1"))
    actor = Actor(ActorKind.USER, app_id, user_id=user.id)
    rng = random.Random(1)
    ids: list[str] = []
    for start in range(0, args.records, 100):
        batch = [NewRecord({"score_value": rng.randrange(1_000_000), "game_mode_name": "classic"})
                 for _ in range(min(100, args.records - start))]
        ids.extend(r.id for r in services.records.create_records(actor, "ScoreTable", batch).records)

    if args.backend == "postgresql":
        # As bench/run.py does after loading: plans need the table's statistics.
        with services.storage.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    if not args.default_gc:
        settle_garbage_collector()  # as a served worker does once built (objectbase/app.py)
    driver = Driver(app)
    params: dict[str, Any] = {"application_id": app_id, "auth_key": created.auth_key,
                              "nonce": rng.randrange(1, 2**31), "timestamp": int(time.time()),
                              "user": {"login": "bench", "password": "bench-password-1"}}
    params["signature"] = sign_params(params, created.auth_secret)
    status, body = driver.run(driver.request("POST", "/session.json", json.dumps(params).encode()))
    assert status == 201, body
    headers = {"QB-Token": json.loads(body)["session"]["token"]}

    async def w1(i: int) -> tuple[int, bytes]:
        return await driver.request("POST", "/data/ScoreTable.json", b'{"score_value": %d, "game_mode_name": "classic"}' % i, headers)

    async def w2(i: int) -> tuple[int, bytes]:
        return await driver.request("GET", f"/data/ScoreTable/{ids[i % 1000]}.json", headers=headers)

    async def w3(i: int) -> tuple[int, bytes]:
        return await driver.request("GET", f"/data/ScoreTable.json?score_value%5Bgt%5D={(i * 7919) % 1_000_000}"
                                     "&sort_desc=score_value&limit=100", headers=headers)

    async def w4(i: int) -> tuple[int, bytes]:
        return await driver.request("GET", f"/data/ScoreTable.json?score_value%5Bgt%5D={(i * 7919) % 1_000_000}&count=1",
                              headers=headers)

    async def w5(i: int) -> tuple[int, bytes]:
        return await driver.request("PUT", f"/data/ScoreTable/{ids[i % 1000]}.json", b'{"score_value": %d}' % i, headers)

    statements = _capture_statements(services.storage.engine) if args.explain else None

    cells = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5}
    for name in args.workloads.split(","):
        send = cells[name]
        status, body = driver.run(send(0))
        assert status in (200, 201), (name, status, body[:300])
        profiler = cProfile.Profile() if name == args.profile else None

        async def measure() -> tuple[float, float]:
            for i in range(50):
                await send(i)
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            for i in range(args.requests):
                await send(i)
            if profiler:
                profiler.disable()
            return time.perf_counter() - started, time.process_time() - cpu

        elapsed, cpu_seconds = driver.run(measure())
        print(f"{args.backend} {name}: {elapsed / args.requests * 1e6:7.1f} us/request wall, "
              f"{cpu_seconds / args.requests * 1e6:7.1f} us CPU", flush=True)
        if statements is not None:
            statements.clear()
            driver.run(send(args.requests + 1))
            _explain(services.storage.engine, name, statements)
        if profiler:
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(35)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(45)
            # Who builds statements per request (SQLAlchemy compiling or caching them costs most).
            pstats.Stats(profiler, stream=sys.stdout).print_callers("_execute_clauseelement|_new_transaction")
    return 0


if __name__ == "__main__":
    sys.exit(main())
