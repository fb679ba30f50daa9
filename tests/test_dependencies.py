"""Every third-party module the server imports comes with its declared runtime dependencies.

The test extras install more than a server gets (`scripts/serve` installs the project alone), so a
module that only a test dependency brings along — Jinja2 came with Flask — would pass the suite and
then fail `objectbase serve` on a fresh machine. This walks the installed metadata from
pyproject.toml's `dependencies` (their own requirements, the extras they name, the markers that apply
here) and checks that it reaches the distribution of every module `objectbase/` imports."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> set[str]:
    """Top-level names of the absolute imports in objectbase/, the standard library and our own left out."""
    names: set[str] = set()
    for path in (ROOT / "objectbase").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "objectbase"}


def runtime_closure() -> set[str]:
    """The distributions installing the project without extras brings, as far as this environment shows."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pending = [Requirement(text) for text in declared]
    seen: set[tuple[str, frozenset[str]]] = set()
    found: set[str] = set()
    while pending:
        requirement = pending.pop()
        key = (_canonical(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        found.add(key[0])
        for text in metadata.requires(requirement.name) or []:
            nested = Requirement(text)
            applies = nested.marker is None or any(
                nested.marker.evaluate({"extra": extra}) for extra in (*requirement.extras, ""))
            if applies:
                pending.append(nested)
    return found


def test_every_imported_module_comes_with_the_runtime_dependencies() -> None:
    providers = metadata.packages_distributions()
    closure = runtime_closure()
    missing = {module: providers.get(module) for module in imported_modules()
               if not any(_canonical(d) in closure for d in providers.get(module, []))}
    assert missing == {}


def test_the_check_finds_a_module_no_dependency_brings() -> None:
    providers = metadata.packages_distributions()
    assert "jinja2" in imported_modules() and "sqlalchemy" in imported_modules()
    assert all(_canonical(d) not in runtime_closure() for d in providers["pytest"])
