"""The export writers are plain functions: no web app, database or other trial module inside."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import trial.exports

PACKAGE = Path(trial.exports.__file__).resolve().parent
ALLOWED = set(sys.stdlib_module_names) | {"__future__", "polars", "pyreadstat"}


def outside_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names} - ALLOWED
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module.split(".")[0]} - ALLOWED
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            found.add("." * node.level + (node.module or ""))  # reaches into the rest of trial
    return found


def test_export_modules_import_only_the_standard_library_polars_and_pyreadstat() -> None:
    offenders = {f"{path.name}: {sorted(found)}" for path in sorted(PACKAGE.glob("*.py"))
                 if (found := outside_imports(path))}
    assert not offenders


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom flask import Flask\nfrom .. import models\nfrom . import rows\n")
    assert outside_imports(module) == {"flask", ".."}
