"""trial/consort is a pure layer: plain records in, JSON/SVG/PDF out, nothing from the web shell."""
from __future__ import annotations

import sys

from ..test_architecture import ROOT, imported_modules


def test_the_consort_package_imports_only_the_standard_library_and_reportlab() -> None:
    files = sorted((ROOT / "trial" / "consort").rglob("*.py"))
    assert files
    # Absolute imports of `trial` would reach the Flask app; the package uses relative imports only.
    allowed = set(sys.stdlib_module_names) | {"__future__", "reportlab"}
    offenders = {f"{f.relative_to(ROOT)}: {m}" for f in files for m in imported_modules(f) - allowed}
    assert not offenders, sorted(offenders)
