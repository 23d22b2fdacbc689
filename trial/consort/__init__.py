"""CONSORT flow: from plain participant-level records to the contract's JSON, a registry flow,
and the diagram as SVG or PDF. Pure functions: no Flask, no database, no clock.

    result = consort(design, screenings, participants, as_of=date(2016, 4, 30))
    svg = render_svg(result, design, labels="2025", language="nb")
"""
from __future__ import annotations

from .compute import DEFAULT_REASONS, NO_REASON_GIVEN, consort, followup_states
from .invariants import ConsortInvariantError, check_invariants
from .pdf import render_pdf
from .records import AllocationPeriod, Arm, Departure, FlowDesign, Participant, Screening, Visit
from .registry import participant_flow
from .svg import render_svg

__all__ = [
    "DEFAULT_REASONS",
    "NO_REASON_GIVEN",
    "AllocationPeriod",
    "Arm",
    "ConsortInvariantError",
    "Departure",
    "FlowDesign",
    "Participant",
    "Screening",
    "Visit",
    "check_invariants",
    "consort",
    "followup_states",
    "participant_flow",
    "render_pdf",
    "render_svg",
]
