"""The CONSORT flow through the API: JSON, the registry shape, and the diagram as SVG or PDF."""
from __future__ import annotations

from datetime import date

from flask import Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..consort import participant_flow, render_pdf, render_svg
from ..errors import InvalidInput
from ..monitoring.flow import flow
from ..policy import Permission, requires
from . import api_user, bp

PREFIX = "/trials/<trial>"


def _query() -> dict[str, object]:
    as_of, site = request.args.get("as_of"), request.args.get("site") or None
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise InvalidInput("as_of is not a date", errors={"as_of": "YYYY-MM-DD"}) from exc
    return {"as_of": day, "site": site}


def _drawing_options() -> dict[str, str]:
    labels, language = request.args.get("labels", "2010"), request.args.get("lang", "en")
    errors = {}
    if labels not in ("2010", "2025"):
        errors["labels"] = "2010 or 2025"
    if language not in ("en", "nb"):
        errors["lang"] = "en or nb"
    if errors:
        raise InvalidInput("unknown drawing option", errors=errors)
    return {"labels": labels, "language": language}


@bp.get(f"{PREFIX}/consort")
@requires(Permission.VIEW_FLOW, api_user)
def consort_json(trial: str) -> ResponseReturnValue:
    """The CONSORT flow as of a date (?as_of=YYYY-MM-DD, default today; ?site= for one site)."""
    result, _design = flow(g.access, **_query())  # type: ignore[arg-type]  # typed by _query
    return jsonify(result)


@bp.get(f"{PREFIX}/consort/registry")
@requires(Permission.VIEW_FLOW, api_user)
def consort_registry(trial: str) -> ResponseReturnValue:
    """The same flow as a ClinicalTrials.gov-style participant flow (periods, milestones, reasons)."""
    result, design = flow(g.access, **_query())  # type: ignore[arg-type]  # typed by _query
    return jsonify(participant_flow(result, design))


@bp.get(f"{PREFIX}/consort.svg")
@requires(Permission.VIEW_FLOW, api_user)
def consort_svg(trial: str) -> ResponseReturnValue:
    """The CONSORT diagram as SVG (?labels=2010|2025, ?lang=en|nb)."""
    options = _drawing_options()
    result, design = flow(g.access, **_query())  # type: ignore[arg-type]  # typed by _query
    return Response(render_svg(result, design, **options), mimetype="image/svg+xml")  # type: ignore[arg-type]


@bp.get(f"{PREFIX}/consort.pdf")
@requires(Permission.VIEW_FLOW, api_user)
def consort_pdf(trial: str) -> ResponseReturnValue:
    """The CONSORT diagram as an A4 PDF."""
    options = _drawing_options()
    result, design = flow(g.access, **_query())  # type: ignore[arg-type]  # typed by _query
    body = render_pdf(result, design, **options)  # type: ignore[arg-type]
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="consort-{g.access.trial.code}.pdf"'})
