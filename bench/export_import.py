"""Records per second of `objectbase import` and `objectbase export` (issue 13), on SQLite and PostgreSQL.

Not a test: run by hand, e.g. `.venv/bin/python bench/export_import.py --records 20000`. For each backend it
makes a fresh database (a temporary SQLite file; a schema of its own on PostgreSQL, dropped at the end),
imports N generated records from JSON lines, exports them as JSON lines and as CSV, imports the CSV into
a second app, and prints records/s of each step. The commands run in this process through click, as a
user runs them (stdout of export goes to a file).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import sqlalchemy
from click.testing import CliRunner

from objectbase.cli import main

CLASS = {"name": "ScoreTable",
         "fields": {"score_value": "Integer", "progress": "Float", "expert_mode": "Boolean",
                    "game_mode_name": "String", "user_location": "Location", "date": "Date",
                    "completed_levels": "Integer[]"}}


def _cli(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--database-url", url], catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed: {result.output}")
    return result.stdout


def _timed(step: Callable[[], Any]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _app(url: str, folder: Path) -> str:
    app_id = str(json.loads(_cli(url, "app", "create", "--name", f"bench-{uuid.uuid4().hex[:6]}", "--json"))
                 ["application_id"])
    class_file = folder / "class.json"
    class_file.write_text(json.dumps(CLASS))
    _cli(url, "class", "apply", "--app", app_id, str(class_file))
    return app_id


def _records(n: int, path: Path) -> None:
    with path.open("w") as out:
        for i in range(n):
            out.write(json.dumps({"score_value": i, "progress": i / 7, "expert_mode": i % 2 == 0,
                                  "game_mode_name": f"mode {i % 13}", "user_location": [i % 180, i % 90],
                                  "date": "2024-05-01T10:00:00Z", "completed_levels": [i, i + 1]}) + "\n")


def measure(name: str, url: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, target = _app(url, folder), _app(url, folder)
        lines = folder / "in.jsonl"
        _records(n, lines)
        steps = {
            "import jsonl": lambda: _cli(url, "import", "--app", source, "--class", "ScoreTable", str(lines), "--json"),
            "export jsonl": lambda: _cli(url, "export", "--app", source, "--class", "ScoreTable", "--format", "jsonl",
                                         "--out", str(folder / "out.jsonl"), "--json"),
            "export csv": lambda: _cli(url, "export", "--app", source, "--class", "ScoreTable", "--format", "csv",
                                       "--out", str(folder / "out.csv"), "--json"),
            "import csv": lambda: _cli(url, "import", "--app", target, "--class", "ScoreTable",
                                       str(folder / "out.csv"), "--json"),
        }
        for step, run in steps.items():
            seconds = _timed(run)
            print(f"{name:10} {step:12} {n} records in {seconds:6.2f}s = {n / seconds:8,.0f} records/s", flush=True)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            measure("sqlite", f"sqlite:///{tmp}/bench.db", args.records)
    if "postgresql" in backends:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sqlalchemy.create_engine(args.pg_url.replace("postgresql://", "postgresql+psycopg://"),
                                         isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            measure("postgresql", f"{args.pg_url}?options=-csearch_path%3D{schema}", args.records)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()


if __name__ == "__main__":
    main_()
