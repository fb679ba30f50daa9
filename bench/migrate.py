"""`objectbase migrate` SQLite + local files -> PostgreSQL + S3 (moto), interrupted once and resumed (issue 13).

Not a test: run by hand, e.g. `.venv/bin/python bench/migrate.py --records 100000`. It makes a SQLite
instance with N records (imported; the bench class has no File field, so no files yet), starts `objectbase migrate` as a
subprocess, sends it SIGINT after --interrupt-after seconds, reruns it to the end, and prints the
figures (records/s of the resumed run and overall, the data size) and the verification.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.export_import import _app, _cli, _records  # noqa: E402
from tests.files.s3server import MotoServer  # noqa: E402


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--interrupt-after", type=float, default=10.0)
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
            folder = Path(tmp)
            url = f"sqlite:///{folder}/source.db"
            app_id = _app(url, folder)
            _records(args.records, folder / "in.jsonl")
            started = time.perf_counter()
            _cli(url, "import", "--app", app_id, "--class", "ScoreTable", str(folder / "in.jsonl"), "--json")
            print(f"source: {args.records} records imported into SQLite in {time.perf_counter() - started:.1f}s")
            bucket = f"ob-{uuid.uuid4().hex[:12]}"
            server.client().create_bucket(Bucket=bucket)
            command = [sys.executable, "-m", "objectbase", "migrate", "--data-dir", str(folder), "--database-url", url,
                       "--to-database-url", f"{args.pg_url}?options=-csearch_path%3D{schema}",
                       "--to-files-url", f"s3://{bucket}/objectbase", "--s3-endpoint-url", server.endpoint_url,
                       "--s3-region", server.REGION, "--s3-access-key-id", server.KEY,
                       "--s3-secret-access-key", server.KEY, "--json"]
            started = time.perf_counter()
            first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(args.interrupt_after)
            first.send_signal(signal.SIGINT)
            out, err = first.communicate()
            print(f"first run interrupted after {time.perf_counter() - started:.1f}s: rc={first.returncode} "
                  f"{(err or out).strip().splitlines()[-1:]}")
            resumed = time.perf_counter()
            second = subprocess.run(command, capture_output=True, text=True, check=False)
            ended = time.perf_counter()
            if second.returncode != 0:
                raise SystemExit(f"resumed run failed: {second.stderr}")
            summary = json.loads(second.stdout)
            rows = sum(summary["tables"].values())
            print(f"resumed run: {summary['copied_rows']} rows copied in {ended - resumed:.1f}s, verified "
                  f"{rows} rows in {len(summary['tables'])} tables, {summary['files']} files")
            print(f"overall: {rows} rows in {ended - started:.1f}s = {rows / (ended - started):,.0f} rows/s; "
                  f"source database {(folder / 'source.db').stat().st_size:,} bytes")
    finally:
        server.stop()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main_()
