"""Questionnaires on the web: participants' personal links (/q/<token>), staff entry of paper forms
and the baseline entry page used during enrollment.

Others use: ``issue_link(visit) -> token`` and ``link_path(token)`` (links.py) for invitations,
``url_for("questionnaires_web.baseline_entry", trial=..., screening=<Screening.uid>)`` from the
enrollment pages, and ``load_instrument_texts(app)`` from create_app to refuse a bad wording pack
at start-up. Pages are derived from the instruments by ``trial.forms.questionnaire``.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaires_web", __name__)

from . import participant, staff  # noqa: E402, F401 - the views register themselves on bp
from .links import issue_link, link_path  # noqa: E402
from .texts import load_instrument_texts  # noqa: E402

__all__ = ["bp", "issue_link", "link_path", "load_instrument_texts"]
