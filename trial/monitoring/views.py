"""Monitoring pages: the CONSORT flow (with its downloads), recruitment, and follow-up completion.

Pages use the signed-in session, not an API token; the downloads draw exactly what the API's
/consort routes draw, for the same role, cut-off, site and options.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from ..consort import participant_flow, render_pdf, render_svg
from ..consort.layout import layout
from ..enrollment.common import today
from ..errors import InvalidInput
from ..pages import menu_item, page_user
from ..policy import Permission, requires
from . import reports
from .flow import flow, visible_sites

bp = Blueprint("monitoring", __name__, url_prefix="/trials/<trial>/monitoring")
VIEW = Permission.VIEW_FLOW

menu_item("monitoring.consort_page", _l("CONSORT flow"), VIEW, order=60)
menu_item("monitoring.recruitment", _l("Recruitment"), VIEW, order=61)
menu_item("monitoring.followup", _l("Follow-up"), VIEW, order=62)


class FilterForm(FlaskForm):
    class Meta:
        csrf = False       # a query (GET) changes nothing

    as_of = DateField(_l("Counts as of (date)"), validators=[Optional()])
    site = SelectField(_l("Site"), choices=[])

    def validate_as_of(self, field: DateField) -> None:
        if field.data is not None and field.data > today(g.access):
            raise ValidationError(_("Choose today or an earlier date."))


class ConsortForm(FilterForm):
    labels = SelectField(_l("Box wording"), default="2010",
                         choices=[SelectChoice("2010", "CONSORT 2010"), SelectChoice("2025", "CONSORT 2025")])
    lang = SelectField(_l("Language of the diagram"),
                       choices=[SelectChoice("nb", "Norsk (bokmål)"), SelectChoice("en", "English")])


def _filter(form_class: type[FilterForm], *, pooled: bool) -> FilterForm:
    """The form filled from the query string. Monitoring pages may pool all of a coordinator's sites;
    the CONSORT flow is drawn for one site or the whole trial, as the API draws it."""
    sites = visible_sites(g.access)
    trial_wide = g.access.site_ids() is None
    choices = [SelectChoice(s.code, s.name) for s in sites]
    if trial_wide or (pooled and len(sites) > 1):
        choices.insert(0, SelectChoice("", _("All sites") if trial_wide else _("All your sites")))
    form = form_class(formdata=request.args, site=choices[0].value, lang=str(get_locale()))
    form.site.choices = choices
    return form


def _as_of(form: FilterForm) -> date:
    return form.as_of.data or today(g.access)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"percent": reports.percent, "rate": reports.Rate, "number": reports.number,
            "timepoint": reports.timepoint_label, "states": reports.FOLLOWUP_STATES,
            "categories": reports.EXCLUSION_CATEGORIES, "sexes": reports.SEX_LABELS,
            "default_reasons": reports.DEFAULT_REASONS}


@bp.get("/consort")
@requires(VIEW, page_user)
def consort_page(trial: str) -> ResponseReturnValue:
    """The flow diagram, its table, and links to download it."""
    form = _filter(ConsortForm, pooled=False)
    if not form.validate():
        return render_template("monitoring/consort.html", form=form), 422
    result, design = flow(g.access, as_of=_as_of(form), site=form.site.data or None)
    drawing = layout(result, design, labels=form.labels.data, language=form.lang.data)
    query = {"as_of": result["as_of"], "site": form.site.data or None, "labels": form.labels.data,
             "lang": form.lang.data}
    return render_template("monitoring/consort.html", form=form, flow=result, design=design, query=query,
                           description=drawing.description, arm_labels=dict(reports.shown_arms(g.access)[0]),
                           site_name=next(c.label for c in form.site.choices if c.value == form.site.data))


def _download_options() -> tuple[dict[str, Any], dict[str, str]]:
    form = _filter(ConsortForm, pooled=False)
    if not form.validate():
        errors = {name: " ".join(map(str, messages)) for name, messages in form.errors.items()}
        raise InvalidInput("the query is not valid", errors=errors)
    return ({"as_of": _as_of(form), "site": form.site.data or None},
            {"labels": form.labels.data, "language": form.lang.data})


def _file(body: str | bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'inline; filename="{name}"'})


def _json(data: Any, name: str) -> Response:
    """The same JSON the API answers with, named for saving."""
    response = jsonify(data)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/consort.svg")
@requires(VIEW, page_user)
def consort_svg(trial: str) -> ResponseReturnValue:
    counted, drawing = _download_options()
    result, design = flow(g.access, **counted)
    return _file(render_svg(result, design, **drawing), "image/svg+xml",  # type: ignore[arg-type]  # checked
                 f"consort-{trial}-{result['as_of']}.svg")


@bp.get("/consort.pdf")
@requires(VIEW, page_user)
def consort_pdf(trial: str) -> ResponseReturnValue:
    counted, drawing = _download_options()
    result, design = flow(g.access, **counted)
    return _file(render_pdf(result, design, **drawing), "application/pdf",  # type: ignore[arg-type]  # checked
                 f"consort-{trial}-{result['as_of']}.pdf")


@bp.get("/consort.json")
@requires(VIEW, page_user)
def consort_json(trial: str) -> ResponseReturnValue:
    result, _design = flow(g.access, **_download_options()[0])
    return _json(result, f"consort-{trial}-{result['as_of']}.json")


@bp.get("/consort-registry.json")
@requires(VIEW, page_user)
def consort_registry(trial: str) -> ResponseReturnValue:
    result, design = flow(g.access, **_download_options()[0])
    return _json(participant_flow(result, design), f"consort-registry-{trial}-{result['as_of']}.json")


@bp.get("/recruitment")
@requires(VIEW, page_user)
def recruitment(trial: str) -> ResponseReturnValue:
    """Recruitment against target over time, allocations, exclusions, and who declined."""
    form = _filter(FilterForm, pooled=True)
    if not form.validate():
        return render_template("monitoring/recruitment.html", form=form), 422
    scope = reports.make_scope(g.access, _as_of(form), form.site.data or None)
    return render_template("monitoring/recruitment.html", form=form, scope=scope,
                           report=reports.recruitment(g.access, scope))


@bp.get("/follow-up")
@requires(VIEW, page_user)
def followup(trial: str) -> ResponseReturnValue:
    """Questionnaires returned per timepoint, arm and site, with everyone randomised as denominator."""
    form = _filter(FilterForm, pooled=True)
    if not form.validate():
        return render_template("monitoring/followup.html", form=form), 422
    scope = reports.make_scope(g.access, _as_of(form), form.site.data or None)
    return render_template("monitoring/followup.html", form=form, scope=scope,
                           timepoints=reports.followup(g.access, scope))
