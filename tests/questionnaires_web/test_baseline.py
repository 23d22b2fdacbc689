"""The baseline entry page used during enrollment, through trial.enrollment.baseline.record_baseline."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

import instruments
from trial.extensions import db
from trial.models import AuditEvent, Response, Screening
from trial.sealing import unseal_json

from .conftest import make_screening


def _form(code: str, mode: str = "paper", **overrides: Any) -> dict[str, str]:
    items = instruments.get(code).items
    data = {f"q-{code}-{n}": str(item.options[-1] if item.options else 60)
            for n, item in enumerate(items, start=1)}
    return {**data, "mode": mode, **overrides}


def _consented(language: str = "nb") -> Screening:
    screening = make_screening(status="consented", language=language)
    db.session.commit()
    return screening


def test_the_endpoint_others_link_to(trial_app: Flask) -> None:
    with trial_app.test_request_context():
        assert url_for("questionnaires_web.baseline_entry", trial="ips-norway", screening="abc") == \
            "/trials/ips-norway/questionnaires/baseline/abc"


def test_each_baseline_instrument_is_recorded_until_the_screening_is_ready(
        staff: Callable[..., FlaskClient]) -> None:
    kari, screening = staff(), _consented()
    url = f"/trials/ips-norway/questionnaires/baseline/{screening.uid}"
    page = kari.get(url).get_data(as_text=True)
    assert "HADS spørsmål 14" in page and 'lang="nb"' in page and 'value="device"' in page
    assert kari.post(url, data=_form("hads")).location == f"{url}"            # on to the next missing one
    assert "EQ-5D-5L spørsmål MO" in kari.get(url).get_data(as_text=True)
    kari.post(f"{url}?instrument=eq5d5l", data=_form("eq5d5l", mode="device"))
    kari.post(f"{url}?next=/trials/ips-norway/", data=_form("whodas12"))
    db.session.expire_all()
    rows = {r.instrument: r for r in db.session.scalars(select(Response))}
    assert {code: (r.mode, r.timepoint) for code, r in rows.items()} == {
        "hads": ("paper", "baseline"), "eq5d5l": ("device", "baseline"), "whodas12": ("paper", "baseline")}
    assert unseal_json(rows["hads"], "answers")["1"] == 0        # the last printed option of item 1
    assert db.session.get(Screening, screening.id).status == "ready"
    done = kari.get(f"{url}?next=/trials/ips-norway/").get_data(as_text=True)
    assert "All baseline questionnaires are recorded." in done and 'href="/trials/ips-norway/"' in done
    recorded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "baseline.recorded")).all()
    assert len(recorded) == 3


def test_a_recorded_instrument_can_be_corrected_and_shows_its_answers(
        staff: Callable[..., FlaskClient]) -> None:
    kari, screening = staff(), _consented()
    url = f"/trials/ips-norway/questionnaires/baseline/{screening.uid}?instrument=eq5d5l"
    kari.post(url, data=_form("eq5d5l", **{"q-eq5d5l-6": "44"}))
    assert 'value="44"' in kari.get(url).get_data(as_text=True)
    refused = kari.post(url, data=_form("eq5d5l", **{"q-eq5d5l-6": "45"}))
    assert "Give the reason for changing recorded answers." in refused.get_data(as_text=True)
    kari.post(url, data=_form("eq5d5l", reason="Misread the paper form", **{"q-eq5d5l-6": "45"}))
    db.session.expire_all()
    assert unseal_json(db.session.scalars(select(Response)).one(), "answers")["VAS"] == 45


def test_bad_answers_and_a_missing_mode_are_refused(staff: Callable[..., FlaskClient]) -> None:
    kari, screening = staff(), _consented()
    url = f"/trials/ips-norway/questionnaires/baseline/{screening.uid}?instrument=eq5d5l"
    response = kari.post(url, data=_form("eq5d5l", mode="", **{"q-eq5d5l-6": "101"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#mode-paper">Choose how the questionnaire was filled in.' in page
    assert 'href="#q-eq5d5l-6">EQ-5D-5L spørsmål VAS: Enter a whole number from 0 to 100.' in page
    assert db.session.scalars(select(Response)).all() == []


def test_only_a_consented_screening_at_ones_own_site_takes_baseline_answers(
        staff: Callable[..., FlaskClient]) -> None:
    kari = staff()
    eligible = make_screening(status="eligible")
    elsewhere = make_screening(status="consented", site="oslo")
    db.session.commit()
    assert kari.get(f"/trials/ips-norway/questionnaires/baseline/{eligible.uid}").status_code == 409
    assert kari.get(f"/trials/ips-norway/questionnaires/baseline/{elsewhere.uid}").status_code == 403
    assert staff(role="statistician").get(
        f"/trials/ips-norway/questionnaires/baseline/{elsewhere.uid}").status_code == 403
