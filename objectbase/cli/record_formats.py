"""The file formats of `export` and `import`: JSON lines and CSV (docs/operations.md, "Export and import").

A line or row is one record: the system columns `record_json` writes, then a member or column per field,
each value in the core's canonical JSON form (dates as ISO 8601 text, locations as [longitude, latitude]).
In CSV a cell holds text: numbers, booleans and dates as JSON would spell them (strings bare), arrays,
locations and files as JSON text, and an empty cell is no value.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, TextIO

from objectbase.core.schema import ClassDef

__all__ = ["BadLine", "CLASS_MEMBER", "FORMATS", "Line", "SYSTEM_COLUMNS", "UnknownColumnError", "csv_header",
           "csv_row", "read_csv", "read_jsonl", "write_jsonl"]

FORMATS = ("jsonl", "csv")
# The export's own columns; an import ignores them (a record imported is a new record, owned by the importer).
SYSTEM_COLUMNS = ("_id", "user_id", "created_at", "updated_at", "_parent_id")
# The class of each line when an export holds every class (JSON lines only).
CLASS_MEMBER = "_class"
# Field types whose CSV cell is JSON text.
_JSON_CELLS = ("Location", "File")


@dataclass(frozen=True)
class Line:
    """One record of the file, by its line number (the header is line 1 of a CSV)."""

    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class BadLine:
    number: int
    problem: str


def _fields_of(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in SYSTEM_COLUMNS and k != CLASS_MEMBER}


def read_jsonl(stream: TextIO, class_name: str) -> Iterator[Line | BadLine]:
    """Lines as field values; a line of another class (an export of every class) is a bad line."""
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            values = json.loads(text)
        except ValueError as error:
            yield BadLine(number, f"not valid JSON: {error}")
            continue
        if not isinstance(values, dict):
            yield BadLine(number, "not a JSON object")
            continue
        if values.get(CLASS_MEMBER, class_name) != class_name:
            yield BadLine(number, f"a record of class {values[CLASS_MEMBER]}, not {class_name}")
            continue
        yield Line(number, _fields_of(values))


class UnknownColumnError(ValueError):
    """A CSV header names a column the class has no field for (refused before any row is read)."""


def _json_cell(cls: ClassDef, name: str) -> bool:
    field_def = cls.fields[name]
    return field_def.type.is_array or field_def.type.name in _JSON_CELLS


def read_csv(stream: TextIO, cls: ClassDef) -> Iterator[Line | BadLine]:
    """Rows as field values; a header naming a column the class does not have raises
    `UnknownColumnError` before any row is read, so nothing of the file is written."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    unknown = [c for c in header if c not in cls.fields and c not in SYSTEM_COLUMNS]
    if unknown:
        raise UnknownColumnError(f"unknown column(s) {', '.join(unknown)}: {cls.name} has no such field; "
                                 f"its fields are {', '.join(cls.fields)}")
    for row in reader:
        number = reader.line_num
        if len(row) != len(header):
            yield BadLine(number, f"{len(row)} cells where the header has {len(header)}")
            continue
        values: dict[str, Any] = {}
        bad = None
        for name, cell in zip(header, row):
            if name in SYSTEM_COLUMNS or cell == "":
                continue
            if _json_cell(cls, name):
                try:
                    values[name] = json.loads(cell)
                except ValueError:
                    bad = BadLine(number, f"{name}: not valid JSON text")
                    break
            else:
                values[name] = cell
        yield bad or Line(number, values)


def csv_header(cls: ClassDef) -> list[str]:
    return [*SYSTEM_COLUMNS, *cls.fields]


def csv_row(cls: ClassDef, data: Mapping[str, Any]) -> list[str]:
    return [_cell(data.get(name), name in cls.fields and _json_cell(cls, name)) for name in csv_header(cls)]


def _cell(value: Any, as_json: bool) -> str:
    if value is None:
        return ""
    if as_json or isinstance(value, bool):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_jsonl(stream: TextIO, lines: Iterable[Mapping[str, Any]]) -> None:
    for data in lines:
        stream.write(json.dumps(data, ensure_ascii=False) + "\n")
