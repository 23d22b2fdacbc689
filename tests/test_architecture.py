"""The pure core packages import only the standard library and themselves."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", ["randomization", "instruments"])
def test_core_package_imports_only_the_standard_library(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    allowed = set(sys.stdlib_module_names) | {package, "__future__"}
    offenders = {f"{f.relative_to(ROOT)}: {m}" for f in files for m in imported_modules(f) - allowed}
    assert not offenders, f"{package} must not import the web shell or third-party code: {sorted(offenders)}"


def test_the_architecture_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom flask import Flask\nfrom . import sibling\n")
    assert imported_modules(module) == {"os", "flask"}
