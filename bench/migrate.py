"""`objectbase migrate` SQLite + local files -> PostgreSQL + S3 (moto), interrupted once and resumed (issue 13).

Not a test: run by hand, e.g. `.venv/bin/python bench/migrate.py --records 100000 --files 1000`. It makes a
SQLite instance with N records (imported through the core) of which --files carry a small file each (uploaded
through the core), takes an `objectbase backup` of it (records/s and archive size), starts `objectbase migrate`
as a subprocess, sends it SIGINT after --interrupt-after seconds (0: no interruption), reruns it to the end, and
prints the figures: rows/s of the tables step and files/s of the files step of the last run, overall rows/s,
the archive and source sizes, and the verification migrate did (counts and file checksums).
`--source DIR` keeps the source instance there and reuses it on the next run (the import takes a while), so
runs before and after a change copy the same instance.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.export_import import CLASS, _cli, _records  # noqa: E402
from objectbase.core.actor import Actor  # noqa: E402
from objectbase.core.records import NewRecord  # noqa: E402
from objectbase.core.services import Services  # noqa: E402
from objectbase.files.local import LocalFileStore  # noqa: E402
from objectbase.settings import Settings  # noqa: E402
from objectbase.storage import open_storage  # noqa: E402
from tests.files.s3server import MotoServer  # noqa: E402

FILES_CLASS = {**CLASS, "fields": {**CLASS["fields"], "attachment": "File"}}  # type: ignore[dict-item]
_STEP = re.compile(r"^migrate: (\w+): (\d+) of (\d+) (\w+) in ([0-9.]+)s")


def _build_source(folder: Path, records: int, files: int, file_bytes: int) -> None:
    """N - F records imported from JSON lines, F created with a file each through the core."""
    url = f"sqlite:///{folder}/objectbase.db"
    app_id = str(json.loads(_cli(url, "app", "create", "--name", f"bench-{uuid.uuid4().hex[:6]}", "--json"))
                 ["application_id"])
    (folder / "class.json").write_text(json.dumps(FILES_CLASS))
    _cli(url, "class", "apply", "--app", app_id, str(folder / "class.json"))
    _records(records - files, folder / "in.jsonl")
    _cli(url, "import", "--app", app_id, "--class", "ScoreTable", str(folder / "in.jsonl"), "--json")
    storage = open_storage(url, secrets=Settings(data_dir=str(folder)).secret_box())
    services = Services.build(storage, files=LocalFileStore(folder / "files"))
    admin = Actor.admin(int(app_id))
    try:
        for start in range(0, files, 100):
            batch = [NewRecord({"score_value": i}) for i in range(start, min(start + 100, files))]
            for record in services.records.create_records(admin, "ScoreTable", batch).records:
                upload = services.record_files.open_upload(admin, "ScoreTable", record.id, "attachment",
                                                           "application/octet-stream", "data.bin")
                upload.write(os.urandom(file_bytes))
                services.record_files.attach_file(admin, upload, "attachment", "data.bin")
    finally:
        storage.close()
    (folder / "built.json").write_text(json.dumps({"records": records, "files": files}))


def _steps(stderr: str) -> dict[str, tuple[int, float]]:
    """The plain progress lines of a run: step -> (units done, seconds)."""
    found = {}
    for line in stderr.splitlines():
        match = _STEP.match(line)
        if match:
            found[match.group(1)] = (int(match.group(2)), float(match.group(5)))
    return found


def _run(folder: Path, args: argparse.Namespace, server: MotoServer, schema: str) -> None:
    url = f"sqlite:///{folder}/objectbase.db"
    built = json.loads((folder / "built.json").read_text())
    print(f"source: {built['records']} records, {built['files']} with a file; database "
          f"{(folder / 'objectbase.db').stat().st_size:,} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "source.tar"
        started = time.perf_counter()
        summary = json.loads(_cli(url, "backup", "--data-dir", str(folder), "--out", str(archive), "--json"))
        seconds = time.perf_counter() - started
        rows = sum(summary["tables"].values())
        print(f"backup: {rows} rows and {summary['files']} files in {seconds:.1f}s = {rows / seconds:,.0f} rows/s; "
              f"archive {archive.stat().st_size:,} bytes")
    bucket = f"ob-{uuid.uuid4().hex[:12]}"
    server.client().create_bucket(Bucket=bucket)
    command = [sys.executable, "-m", "objectbase", "migrate", "--data-dir", str(folder), "--database-url", url,
               "--to-database-url", f"{args.pg_url}?options=-csearch_path%3D{schema}",
               "--to-files-url", f"s3://{bucket}/objectbase", "--s3-endpoint-url", server.endpoint_url,
               "--s3-region", server.REGION, "--s3-access-key-id", server.KEY, "--s3-secret-access-key", server.KEY]
    started = time.perf_counter()
    if args.interrupt_after:
        # SIGINT back to its default in the child: a shell's background job ignores it, and Python
        # keeps an inherited "ignore" (so Ctrl-C would never reach migrate).
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(args.interrupt_after)
        first.send_signal(signal.SIGINT)
        out, err = first.communicate()
        print(f"first run interrupted after {time.perf_counter() - started:.1f}s: rc={first.returncode} "
              f"{(err or out).strip().splitlines()[-1:]}")
    resumed = time.perf_counter()
    second = subprocess.run(command, capture_output=True, text=True, check=False)
    ended = time.perf_counter()
    if second.returncode != 0:
        raise SystemExit(f"migrate failed: {second.stderr}")
    print(f"{'resumed' if args.interrupt_after else 'single'} run: {ended - resumed:.1f}s; "
          f"{second.stdout.strip().splitlines()[0]}")
    steps = _steps(second.stderr)
    for step, unit in (("tables", "rows"), ("files", "files"), ("verify", "checks")):
        done, seconds = steps.get(step, (0, 0.0))
        rate = f" = {done / seconds:,.0f} {unit}/s" if seconds else ""
        print(f"  {step}: {done} {unit} in {seconds:.1f}s{rate}")
    total = steps.get("tables", (0, 0.0))[0]
    print(f"overall: {total} rows in {ended - started:.1f}s = {total / (ended - started):,.0f} rows/s")


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=1_000, help="How many of the records carry a file.")
    parser.add_argument("--file-bytes", type=int, default=4_096)
    parser.add_argument("--interrupt-after", type=float, default=10.0, help="Seconds; 0 runs migrate once.")
    parser.add_argument("--source", type=Path, help="Keep the source instance here and reuse it next time.")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(args.pg_url.replace("postgresql://", "postgresql+psycopg://"),
                                     isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    server = MotoServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = (args.source or Path(tmp)).resolve()
            folder.mkdir(parents=True, exist_ok=True)
            # Every command of the bench, and the migrate subprocesses, use this folder's server key.
            os.environ["OBJECTBASE_DATA_DIR"] = str(folder)
            if not (folder / "built.json").is_file():
                started = time.perf_counter()
                _build_source(folder, args.records, args.files, args.file_bytes)
                print(f"source built in {time.perf_counter() - started:.1f}s")
            _run(folder, args, server, schema)
    finally:
        server.stop()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main_()
