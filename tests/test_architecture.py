"""Dependencies point one way: api -> core -> (storage, files) protocols. Checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "objectbase"


def imports_of(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(PACKAGE))] = names
    return found


FORBIDDEN = {
    "core": ("objectbase.api", "objectbase.storage", "objectbase.cli", "objectbase.app", "starlette", "uvicorn",
             "httpx", "sqlalchemy", "psycopg", "boto3", "botocore", "multipart"),
    "storage": ("objectbase.api", "objectbase.cli", "objectbase.app", "starlette"),
    "files": ("objectbase.api", "objectbase.storage", "objectbase.cli", "starlette", "sqlalchemy"),
    "security": ("objectbase.api", "objectbase.core", "objectbase.storage", "starlette", "sqlalchemy"),
    # Dialects reach the database only through the core's services and protocols.
    "api": ("objectbase.storage", "objectbase.cli", "sqlalchemy", "psycopg"),
    # The dashboard is a dialect too: no SQL, no storage, no permission checks of its own.
    "web": ("objectbase.storage", "objectbase.cli", "sqlalchemy", "psycopg"),
    # Backup, restore (and migrate) copy tables through storage's table dump: storage alone has SQL.
    "backup": ("objectbase.api", "objectbase.cli", "objectbase.app", "starlette", "sqlalchemy", "psycopg"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_upward(layer: str) -> None:
    offences = {
        module: sorted(name for name in names if name.startswith(FORBIDDEN[layer]))
        for module, names in imports_of(layer).items()
    }
    assert {m: n for m, n in offences.items() if n} == {}


# What storage may take from the core: its data types and errors and the one cache helper they share,
# never a service (services call storage, not the reverse).
STORAGE_MAY_USE = ("objectbase.core.errors", "objectbase.core.event_query", "objectbase.core.fields",
                   "objectbase.core.identity_cache", "objectbase.core.ids", "objectbase.core.models",
                   "objectbase.core.permissions", "objectbase.core.query", "objectbase.core.schema")


def test_storage_uses_only_the_cores_data_types() -> None:
    offences = {
        module: sorted(n for n in names if n.startswith("objectbase.core") and not n.startswith(STORAGE_MAY_USE))
        for module, names in imports_of("storage").items()
    }
    assert {m: n for m, n in offences.items() if n} == {}
    assert "objectbase.core.models" in set().union(*imports_of("storage").values())


def test_the_check_sees_the_code() -> None:
    # Guards the test itself: an empty scan would pass vacuously.
    assert "objectbase.core.records" in set().union(*imports_of("api").values())
    assert len(imports_of("core")) > 10


# Wire names and wording of each dialect: the core takes typed values and neutral errors, so none of
# these may appear in its identifiers or string literals (comments are not code; grep covers them).
WIRE_NAMES = {
    "quickblox": ("tag_list", "search_criteria", "users_ids", "user_groups", "old_password", "application_id",
                  "blob_object_access", "QB-Token", "On-Behalf-Of", "Forbidden. Need user.",
                  "You are not owner of this object", "Required session does not exist", "Undefined class",
                  "Unexpected signature", "Wrong permission"),
    "dreamfactory": ("X-DreamFactory", "id_field", "include_count"),
    "tracy": ("datums", "metadatums", "isRequired", "X-Api-Key"),
}
# Ordinary words a dialect uses as a key: forbidden only as a whole string literal.
WIRE_KEYS = {"dreamfactory": ("resource",)}


def words_of(tree: ast.AST) -> Iterator[tuple[int, str, bool]]:
    """(line, text, is_string_literal) for every identifier and string literal of a module."""
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield line, node.value, True
        elif isinstance(node, ast.Name):
            yield line, node.id, False
        elif isinstance(node, ast.Attribute):
            yield line, node.attr, False
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield line, node.name, False
        elif isinstance(node, ast.arg):
            yield line, node.arg, False
        elif isinstance(node, ast.keyword) and node.arg:
            yield line, node.arg, False
        elif isinstance(node, ast.alias):
            yield line, node.asname or node.name, False


def wire_words_in(folder: str) -> tuple[int, list[str]]:
    """(how many words were scanned, offences as `module:line: dialect 'word'`)."""
    scanned = 0
    offences: list[str] = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        module = path.relative_to(PACKAGE)
        for line, text, literal in words_of(ast.parse(path.read_text(), str(path))):
            scanned += 1
            for dialect, names in WIRE_NAMES.items():
                offences += [f"{module}:{line}: {dialect} {n!r}" for n in names if n in text]
            for dialect, keys in WIRE_KEYS.items():
                offences += [f"{module}:{line}: {dialect} {k!r}" for k in keys if literal and text == k]
    return scanned, offences


def test_core_holds_no_dialect_wire_names() -> None:
    scanned, offences = wire_words_in("core")
    assert scanned > 5000  # the scan reads the whole core, not an empty folder
    assert offences == []


def test_the_wire_name_check_finds_what_it_looks_for() -> None:
    # The same scan over the QuickBlox adapter must find QuickBlox's names, or the check is blind.
    _, offences = wire_words_in("api/quickblox")
    found = " ".join(offences)
    for name in ("tag_list", "search_criteria", "users_ids", "old_password", "application_id", "Undefined class"):
        assert repr(name) in found
