"""`objectbase export` and `objectbase import` (issue 13, item 4): JSON lines and CSV of every core field type,
round trips into another app compared value for value, bad lines reported by number, `--rollback`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from objectbase.api.field_names import read_class_file
from objectbase.cli import main
from objectbase.core.actor import Actor
from objectbase.core.event_query import EventQuery
from objectbase.core.query import ast
from objectbase.core.record_imports import IMPORT_BATCH, record_json
from objectbase.core.records import NewRecord
from objectbase.core.services import Services
from tests.conftest import QB, SCORE_TABLE

ROWS: list[dict[str, Any]] = [
    {"score_value": 7, "progress": 0.25, "expert_mode": True, "game_mode_name": "a, \"quoted\"\nline",
     "user_location": [13.4, 52.5], "date": "2024-05-01T10:00:00Z", "completed_levels": [1, 2, 3]},
    {"score_value": -1, "progress": 1e-7, "expert_mode": False, "game_mode_name": "",
     "user_location": None, "date": None, "completed_levels": []},
    {"score_value": None, "progress": None, "expert_mode": None, "game_mode_name": "ünï",
     "user_location": [-0.5, 0.0], "date": "1999-12-31T23:59:59Z", "completed_levels": None},
]


def cli(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--database-url", database_url], catch_exceptions=False)


def values_of(services: Services, app_id: int) -> list[dict[str, Any]]:
    """The records' field values as the export gives them, in creation order."""
    found = services.records.find_records(Actor.admin(app_id), "ScoreTable", ast.Query(sort=(ast.SortKey("_seq"),)))
    return [{k: v for k, v in record_json(found.cls, r).items() if k in SCORE_TABLE["fields"]}
            for r in found.records]


def other_app(qb: QB) -> int:
    app_id = qb.services.apps.create_app("import-target").app_id
    qb.services.classes.apply_classes(Actor.admin(app_id), read_class_file(SCORE_TABLE))
    return app_id


@pytest.fixture
def source(qb: QB) -> QB:
    qb.apply_class()
    qb.services.records.create_records(qb.admin, "ScoreTable", [NewRecord(r) for r in ROWS])
    return qb


@pytest.mark.parametrize("format_", ["jsonl", "csv"])
def test_export_then_import_round_trips_every_field_type(source: QB, database_url: str, tmp_path: Path,
                                                         format_: str) -> None:
    out = tmp_path / f"scores.{format_}"
    exported = cli(database_url, "export", "--app", str(source.app_id), "--class", "ScoreTable", "--format", format_,
                   "--out", str(out))
    assert exported.exit_code == 0, exported.output
    original = values_of(source.services, source.app_id)
    if format_ == "jsonl":
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert [{k: v for k, v in line.items() if k in SCORE_TABLE["fields"]} for line in lines] == original
        assert {"_class", "_id", "user_id", "created_at", "updated_at", "_parent_id", "user_avatar"} <= set(lines[0])
    else:
        assert out.read_text().splitlines()[0] == ("_id,user_id,created_at,updated_at,_parent_id,score_value,progress,"
                                                   "expert_mode,game_mode_name,user_location,date,completed_levels,"
                                                   "user_avatar")
    target = other_app(source)
    imported = cli(database_url, "import", "--app", str(target), "--class", "ScoreTable", str(out), "--json")
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.output)
    assert summary["imported"] == 3 and summary["failed"] == []
    copied = values_of(source.services, target)
    if format_ == "csv":  # an empty CSV cell is no value
        original[1]["game_mode_name"] = None
    assert copied == original
    # Imported through the core: each record has its creation event.
    assert source.services.events.list_events(Actor.admin(target), EventQuery(kinds=("record.created",))).total == 3


def test_every_class_to_stdout_and_csv_needs_a_class(source: QB, database_url: str, tmp_path: Path) -> None:
    result = cli(database_url, "export", "--app", str(source.app_id), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["_class"] for line in result.stdout.splitlines()] == ["ScoreTable"] * 3
    refused = cli(database_url, "export", "--app", str(source.app_id), "--format", "csv")
    assert refused.exit_code != 0 and "--class" in refused.output
    out = tmp_path / "none.jsonl"
    missing = cli(database_url, "export", "--app", str(source.app_id), "--class", "Nope", "--format", "jsonl",
                  "--out", str(out))
    assert missing.exit_code == 1 and "class" in missing.output
    assert list(tmp_path.iterdir()) == []  # a failed export leaves no file, partial or empty


BAD_JSONL = "\n".join([
    json.dumps({"score_value": 1}),
    json.dumps({"score_value": "many"}),         # wrong type
    "{not json",                                  # bad JSON line
    json.dumps({"score_value": 2, "colour": "red"}),  # unknown field
    json.dumps({"score_value": 3, "_id": "ignored", "user_id": 5, "_class": "ScoreTable"}),
    json.dumps({"_class": "Other", "score_value": 4}),  # another class's line of a whole-app export
]) + "\n"


@pytest.mark.parametrize("rollback", [False, True])
def test_bad_lines_are_reported_by_number(qb: QB, database_url: str, tmp_path: Path, rollback: bool) -> None:
    qb.apply_class()
    file = tmp_path / "scores.jsonl"
    file.write_text(BAD_JSONL)
    result = cli(database_url, "import", "--app", str(qb.app_id), "--class", "ScoreTable", str(file), "--json",
                 *(["--rollback"] if rollback else []))
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert [f["line"] for f in summary["failed"]] == [2, 3, 4, 6]
    assert "score_value" in summary["failed"][0]["error"] and "JSON" in summary["failed"][1]["error"]
    assert "colour" in summary["failed"][2]["error"] and "class Other" in summary["failed"][3]["error"]
    kept = [v["score_value"] for v in values_of(qb.services, qb.app_id)]
    assert summary["rolled_back"] is rollback
    assert kept == ([] if rollback else [1, 3])
    assert summary["imported"] == len(kept)


def test_csv_bad_rows_and_unknown_column(qb: QB, database_url: str, tmp_path: Path) -> None:
    qb.apply_class()
    file = tmp_path / "scores.csv"
    file.write_text("\ufeffscore_value,completed_levels\n1,[1]\nx,[2]\n3,[oops\n4\n")
    result = cli(database_url, "import", "--app", str(qb.app_id), "--class", "ScoreTable", str(file))
    assert result.exit_code == 1
    assert "line 3: score_value" in result.output and "line 4: completed_levels" in result.output
    assert "line 5:" in result.output
    assert [v["score_value"] for v in values_of(qb.services, qb.app_id)] == [1]
    file.write_text("score_value,colour\n5,red\n")
    refused = cli(database_url, "import", "--app", str(qb.app_id), "--class", "ScoreTable", str(file))
    assert refused.exit_code == 1 and "colour" in refused.output and "nothing was imported" in refused.output
    assert len(values_of(qb.services, qb.app_id)) == 1


@pytest.mark.parametrize("rollback", [False, True])
def test_a_file_of_several_batches_reports_a_late_bad_line_by_its_number(
        qb: QB, database_url: str, tmp_path: Path, rollback: bool) -> None:
    """Over IMPORT_BATCH lines: the batches are bulk writes (a COPY on PostgreSQL); the batch with the
    bad line is retried item by item, its good lines kept unless --rollback, and every event written."""
    qb.apply_class()
    total = IMPORT_BATCH * 2 + 7
    bad = IMPORT_BATCH + 3  # a line of the second batch
    lines = [json.dumps({"score_value": "x" if n == bad else n, "completed_levels": [n, n]})
             for n in range(1, total + 1)]
    file = tmp_path / "many.jsonl"
    file.write_text("\n".join(lines) + "\n")
    result = cli(database_url, "import", "--app", str(qb.app_id), "--class", "ScoreTable", str(file), "--json",
                 *(["--rollback"] if rollback else []))
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert [f["line"] for f in summary["failed"]] == [bad]
    kept = [v["score_value"] for v in values_of(qb.services, qb.app_id)]
    assert kept == ([] if rollback else [n for n in range(1, total + 1) if n != bad])
    if not rollback:
        assert values_of(qb.services, qb.app_id)[-1]["completed_levels"] == [total, total]
        created = qb.services.events.list_events(qb.admin, EventQuery(kinds=("record.created",)))
        assert created.total == total - 1
