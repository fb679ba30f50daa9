"""Dependencies point one way: api -> core -> (storage, files) protocols. Checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

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
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_upward(layer: str) -> None:
    offences = {
        module: sorted(name for name in names if name.startswith(FORBIDDEN[layer]))
        for module, names in imports_of(layer).items()
    }
    assert {m: n for m, n in offences.items() if n} == {}


def test_the_check_sees_the_code() -> None:
    # Guards the test itself: an empty scan would pass vacuously.
    assert "objectbase.core.records" in set().union(*imports_of("api").values())
    assert len(imports_of("core")) > 10
