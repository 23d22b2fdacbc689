"""Regenerate the golden CONSORT diagrams: ``.venv/bin/python -m tests.consort.make_golden``.

Run it only after a deliberate change to the drawing, then look at the new files (and a PDF
rendered from the same data) before committing them: the golden test compares byte for byte.
"""
from __future__ import annotations

from pathlib import Path

from trial.consort import consort, render_svg
from trial.consort.labels import LabelSet, Language

from .ips_records import AS_OF, ips_trial

GOLDEN = Path(__file__).parent / "golden"
# (file name, label set, language)
CASES: tuple[tuple[str, LabelSet, Language], ...] = (("ips-2010-en.svg", "2010", "en"),
                                                     ("ips-2025-nb.svg", "2025", "nb"))


def golden_svg(labels: LabelSet, language: Language) -> str:
    design, screenings, participants = ips_trial()
    return render_svg(consort(design, screenings, participants, as_of=AS_OF), design,
                      labels=labels, language=language)


if __name__ == "__main__":
    for name, labels, language in CASES:
        (GOLDEN / name).write_text(golden_svg(labels, language), encoding="utf-8", newline="\n")
        print(f"wrote {GOLDEN / name}")
