"""Consent on the pages: the receipt, re-consent to a new version, duplicates, guardians, both languages."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Blueprint, Flask, url_for
from sqlalchemy import select

from trial.extensions import db
from trial.models import AuditEvent, Screening
from trial.protocol import load_file, store

from ..helpers import example_data, write_protocol
from .conftest import Coordinator


def synthetic_id(born: date) -> str:
    """A valid synthetic fødselsnummer (Tenor: month + 80) for someone born on `born`."""
    individual = "123" if born.year < 2000 else "523"
    base = f"{born.day:02d}{born.month + 80:02d}{born.year % 100:02d}{individual}"
    digits = [int(c) for c in base]
    k1 = 11 - sum(w * x for w, x in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(w * x for w, x in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), [*digits, k1], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10:
        return synthetic_id(date(born.year, born.month, born.day + 1))
    return f"{base}{k1}{k2}"


def _receipt_link(page: str) -> str:
    link = re.search(r'href="/trials/ips-norway(/screenings/\w+/consents/\w+/receipt\.pdf)"', page)
    return link.group(1)


def test_the_participant_can_download_a_consent_receipt(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    coordinator.consent(uid, name="Åse Ødegård Blåbær", signature="Åse Ødegård Blåbær", o_contact_gp="y")
    response = coordinator.get(_receipt_link(coordinator.page(f"/screenings/{uid}")))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="consent-receipt-{uid[:8]}.pdf"'
    assert b"FontFile2" in response.data and b"Vera" in response.data   # the TrueType font is embedded
    assert "Åse" not in response.headers["Content-Disposition"]
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "consent.receipt" in actions


def test_a_receipt_is_only_for_its_own_screening(staff: Callable[..., Coordinator]) -> None:
    both = staff()
    uid = both.refer("oslo")
    both.eligible(uid)
    both.consent(uid)
    link = _receipt_link(both.page(f"/screenings/{uid}"))
    assert both.get(link.replace("/consents/", "/consents/0")).status_code == 404
    assert staff(sites=("bergen",), own_client=True).get(link).status_code == 403


def test_the_receipt_renders_the_norwegian_letters() -> None:
    from trial.enrollment.receipt import ReceiptData, document_blocks, render_receipt

    pdf = render_receipt(ReceiptData(
        heading="Samtykkekvittering", trial_title="IPS", facts=[("Deltaker", "Åse Ødegård <b>Blåbær</b>")],
        options_heading="Egne samtykker", options=[("Fastlegen kan kontaktes", "Ja")],
        document_heading="Informasjonen", document="# Tittel\n\nLinje én\nlinje to\n\n## Del <script>"))
    assert pdf.startswith(b"%PDF") and b"Vera" in pdf
    assert [(b.kind, b.text) for b in document_blocks("# A\ntext\nmore\n\n## B <i>\n#nope")] == [
        ("heading", "A"), ("paragraph", "text more"), ("heading", "B <i>"), ("paragraph", "#nope")]


def test_the_consent_document_is_shown_escaped() -> None:
    from trial.enrollment.receipt import document_html

    html = str(document_html("# Title <script>alert(1)</script>\n\nA <b>bold</b> & plain line\n"))
    assert html == ("<h2>Title &lt;script&gt;alert(1)&lt;/script&gt;</h2>\n"
                    "<p>A &lt;b&gt;bold&lt;/b&gt; &amp; plain line</p>")


def test_a_duplicate_person_is_refused_naming_only_the_other_site(coordinator: Coordinator) -> None:
    number = synthetic_id(date(1990, 2, 1))
    coordinator.randomize(coordinator.ready("oslo", national_id=number, name="Kari Nordmann"))
    uid = coordinator.refer("bergen", "2014-01-03")
    coordinator.eligible(uid)
    response = coordinator.consent(uid, consented_on="2014-01-03", national_id=number, name="Kari N.",
                                   signature="Kari N.")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = "This person is already enrolled in the trial at Oslo (Vinderen)."
    assert f'<p class="error" id="national_id-error">{message}' in page and 'href="#national_id"' in page
    assert "OSL-0001" not in page and "Kari Nordmann" not in page
    db.session.expire_all()
    assert db.session.scalars(select(Screening.status).where(Screening.uid == uid)).one() == "eligible"


def test_a_participant_under_the_age_of_majority_needs_a_guardian(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    number = synthetic_id(date(1998, 3, 4))   # 15 years old in January 2014
    refused = coordinator.consent(uid, national_id=number)
    assert refused.status_code == 422
    assert "The participant is under 18: a guardian must consent too." in refused.get_data(as_text=True)
    assert coordinator.consent(uid, national_id=number, guardian_name="Ola Nordmann").status_code == 302


@pytest.fixture
def two_versions(app: Flask, tmp_path: Path) -> Flask:
    """The example trial with an amended information sheet, v2, in force from 10 January 2014."""
    data = example_data()
    data["consent"].append({"version": "v2", "valid_from": date(2014, 1, 10), "document": {
        "nb": "consent/ips-norway-v2.nb.md", "en": "consent/ips-norway-v2.en.md"}})
    path = write_protocol(tmp_path, data)
    for lang, heading in (("nb", "Endret informasjonsskriv"), ("en", "Amended information sheet")):
        (tmp_path / "consent" / f"ips-norway-v2.{lang}.md").write_text(
            f"# {heading}\n\nNew follow-up by telephone.\n", encoding="utf-8")
    store(db.session, load_file(path), actor="test", keyring=app.config["KEYRING"])
    db.session.commit()
    return app


@pytest.fixture
def trial_app(two_versions: Flask) -> Flask:
    return two_versions


def test_a_randomized_participant_is_asked_to_reconsent_to_a_new_version(coordinator: Coordinator) -> None:
    uid = coordinator.refer("bergen", "2014-01-02")
    coordinator.eligible(uid)
    assert coordinator.consent(uid, consented_on="2014-01-03").status_code == 302   # v1 was in force then
    coordinator.baseline(uid)
    code = coordinator.randomize(uid)
    person = coordinator.page(f"/participants/{code}")
    assert "Re-consent to v2" in person
    form = coordinator.page(f"/screenings/{uid}/reconsent")
    assert "Amended information sheet" in form and 'name="national_id"' not in form
    stale = coordinator.consent(uid, path="reconsent", version="v1", shown="v1/en", consented_on="2014-01-14",
                                name=None)
    assert stale.status_code == 422
    response = coordinator.consent(uid, path="reconsent", version="v2", shown="v2/en",
                                   consented_on="2014-01-14", name=None, method="paper", signature=None,
                                   paper_confirmed="y")
    assert response.status_code == 302
    db.session.expire_all()
    screening = db.session.scalars(select(Screening).where(Screening.uid == uid)).one()
    assert [(c.version, c.method) for c in screening.consents] == [("v1", "electronic"), ("v2", "paper")]
    person = coordinator.page(f"/participants/{code}")
    assert "Re-consent to v2" not in person and "Version v2, given on 2014-01-14" in person
    assert "consent.renewed" in list(db.session.scalars(select(AuditEvent.action)))


def test_the_first_consent_must_use_the_version_in_force(coordinator: Coordinator) -> None:
    uid = coordinator.refer("bergen", "2014-01-02")
    coordinator.eligible(uid)
    assert "Amended information sheet" in coordinator.consent_page(uid)   # v2 is in force today
    refused = coordinator.consent(uid, version="v2", shown="v2/en", consented_on="2014-01-05")
    assert refused.status_code == 422
    assert "Use the consent version in force on the date of consent." in refused.get_data(as_text=True)


def test_pages_are_norwegian_for_a_norwegian_coordinator(staff: Callable[..., Coordinator]) -> None:
    coordinator = staff(language="nb")
    uid = coordinator.refer()
    log = coordinator.page("/screenings")
    assert 'lang="nb"' in log and "Screeninglogg" in log and "av 1 henvist" in log
    page = coordinator.page(f"/screenings/{uid}")
    assert "Er i behandling for moderat til alvorlig psykisk lidelse" in page and "Ja" in page
    coordinator.eligible(uid)
    consent = coordinator.consent_page(uid)
    assert "Endret informasjonsskriv" in consent and "Registrer samtykket" in consent
    refused = coordinator.consent(uid, language="nb", version="v2", shown="v2/nb", signature="")
    assert "Deltakeren signerer ved å skrive hele navnet sitt." in refused.get_data(as_text=True)
    assert "Det er et problem" in refused.get_data(as_text=True)


def test_pages_are_english_for_an_english_coordinator(staff: Callable[..., Coordinator]) -> None:
    coordinator = staff(language="en")
    uid = coordinator.refer()
    assert "Screening log" in coordinator.page("/screenings")
    assert "In treatment for moderate to severe mental illness" in coordinator.page(f"/screenings/{uid}")


def test_the_baseline_step_links_to_the_baseline_page_when_it_exists(trial_app: Flask,
                                                                    coordinator: Coordinator) -> None:
    entry = "questionnaires_web.baseline_entry"   # the baseline page is another engineer's
    if entry not in trial_app.view_functions:
        stand_in = Blueprint("questionnaires_web", __name__)
        stand_in.add_url_rule("/trials/<trial>/baseline/<screening>", "baseline_entry",
                              lambda trial, screening: "")
        trial_app.register_blueprint(stand_in)
    uid = coordinator.refer()
    coordinator.eligible(uid)
    coordinator.consent(uid, version="v2", shown="v2/en", consented_on="2014-01-14")
    with trial_app.test_request_context():
        href = url_for(entry, trial="ips-norway", screening=uid)
    page = coordinator.page(f"/screenings/{uid}")
    assert f'href="{href}"' in page and "Enter baseline questionnaires" in page


def test_without_a_baseline_page_the_step_says_what_is_missing(trial_app: Flask, coordinator: Coordinator,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(trial_app.view_functions, "questionnaires_web.baseline_entry", raising=False)
    uid = coordinator.refer()
    coordinator.eligible(uid)
    coordinator.consent(uid, version="v2", shown="v2/en", consented_on="2014-01-14")
    page = coordinator.page(f"/screenings/{uid}")
    assert "Enter baseline questionnaires" not in page
    assert "must all be recorded before randomization" in page and page.count(": missing</li>") == 3
