"""The coordinator's journey through the pages: referral, eligibility, consent, baseline, randomization."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from trial.extensions import db
from trial.models import Allocation, Consent, Participant, Screening, StratumCounter

from .conftest import ALL_YES, Coordinator


def _screening(uid: str) -> Screening:
    db.session.expire_all()
    return db.session.scalars(select(Screening).where(Screening.uid == uid)).one()


def test_the_full_journey_ends_on_a_page_showing_the_arm_and_the_schedule(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    page = coordinator.page(f"/screenings/{uid}")
    assert "Next: check eligibility" in page and "In treatment for moderate to severe mental illness" in page
    assert 'aria-current="step"' in page

    assert coordinator.post(f"/screenings/{uid}/eligibility", ALL_YES).status_code == 302
    page = coordinator.page(f"/screenings/{uid}")
    assert "meets the eligibility criteria" in page and "Take consent" in page

    form = coordinator.consent_page(uid)
    assert "What is the project?" in form            # the English v1 document, shown to the participant
    assert "The project may contact my GP" in form   # an optional, separate consent
    response = coordinator.consent(uid, o_contact_gp="y")
    assert response.status_code == 302
    page = coordinator.page(f"/screenings/{uid}")
    assert "Download the consent receipt (PDF)" in page and "Baseline questionnaires" in page
    missing = re.findall(r'<li class="missing">([^<]+): missing</li>', page)
    assert len(missing) == 3 and any("HADS" in name or "Hospital" in name for name in missing), missing
    consent = _screening(uid).consents[0]
    assert (consent.version, consent.method, consent.options) == (
        "v1", "electronic", {"contact_gp": True, "contact_relatives": False})

    coordinator.baseline(uid)
    page = coordinator.page(f"/screenings/{uid}")
    assert "Go to randomization" in page and 'class="missing"' not in page

    confirm, _key = coordinator.randomize_form(uid)
    assert "This cannot be undone" in confirm
    code = coordinator.randomize(uid)
    assert code == "BER-0001"
    result = coordinator.page(f"/participants/{code}/allocation")
    arm = re.search(r'<dd class="arm">([^<]+)</dd>', result).group(1)
    assert arm in ("Individual Placement and Support", "High-quality usual follow-up")
    assert "start-up" in result and "ratio 2:1" in result
    assert "2014-07-15" in result and "2015-01-15" in result and "Scheduled" in result
    shown = result.split("<main", 1)[1].split("</main>", 1)[0].lower()
    for concealed in ("position", "block", "stratum", "sequence", "next arm"):   # nothing about the list
        assert concealed not in shown
    assert "BER-0001" in coordinator.page(f"/screenings/{uid}")


def test_paper_consent_needs_the_coordinators_confirmation(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    refused = coordinator.consent(uid, method="paper", signature=None)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'href="#paper_confirmed"' in page and "Confirm that you have the signed paper form." in page
    assert _screening(uid).status == "eligible"
    assert coordinator.consent(uid, method="paper", signature=None, paper_confirmed="y").status_code == 302
    assert _screening(uid).consents[0].method == "paper"


def test_electronic_consent_needs_the_participants_typed_signature(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    refused = coordinator.consent(uid, signature="")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'aria-describedby="signature-hint signature-error"' in page
    assert "The participant signs by typing their full name." in page
    assert _screening(uid).status == "eligible"


def test_another_language_shows_its_document_before_anything_is_recorded(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    response = coordinator.consent(uid, language="nb", shown="v1/en")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Hva er prosjektet?" in page
    assert _screening(uid).status == "eligible"
    assert coordinator.consent(uid, language="nb", shown="v1/nb").status_code == 302
    assert _screening(uid).consents[0].language == "nb"


def test_a_person_who_fails_a_criterion_is_logged_as_not_eligible(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    response = coordinator.post(f"/screenings/{uid}/eligibility", {**ALL_YES, "c_wants_work": "no"})
    assert response.status_code == 302
    page = coordinator.page(f"/screenings/{uid}")
    assert "The screening has ended: Not eligible" in page and "Wants ordinary paid work" in page
    assert "Take consent" not in page
    assert (_screening(uid).status, _screening(uid).exclusion_category) == ("excluded", "not-eligible")


def test_eligibility_needs_an_answer_to_every_criterion(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    response = coordinator.post(f"/screenings/{uid}/eligibility", {"c_in_treatment": "yes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#c_wants_work-0"' in page and "Answer yes or no." in page
    assert _screening(uid).status == "screening"


def test_a_decliner_is_logged_with_the_trials_common_reason(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    wrong = coordinator.post(f"/screenings/{uid}/exclusion", {"category": "not-eligible",
                                                              "common_reason": "1"})
    assert wrong.status_code == 422 and "This reason belongs to “Declined”." in wrong.get_data(as_text=True)
    response = coordinator.post(f"/screenings/{uid}/exclusion", {"category": "declined",
                                                                 "common_reason": "1"})
    assert response.status_code == 302
    page = coordinator.page(f"/screenings/{uid}")
    assert "The screening has ended: Declined" in page and "Reason: Declined" in page
    assert _screening(uid).exclusion_category == "declined"


def test_an_exclusion_can_be_described_in_free_text(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    response = coordinator.post(f"/screenings/{uid}/exclusion", {"category": "other",
                                                                 "reason": "Moved abroad"})
    assert response.status_code == 302
    assert "Reason: Moved abroad" in coordinator.page(f"/screenings/{uid}")
    again = coordinator.post(f"/screenings/{uid}/exclusion", {"category": "other", "reason": "Twice"})
    assert again.status_code == 302 and again.location.endswith(f"/screenings/{uid}")
    assert "That step is closed" in coordinator.page(f"/screenings/{uid}")


def test_resubmitting_the_randomize_form_takes_no_second_position(coordinator: Coordinator) -> None:
    uid = coordinator.ready()
    _, key = coordinator.randomize_form(uid)
    first = coordinator.post(f"/screenings/{uid}/randomize", {"key": key})
    second = coordinator.post(f"/screenings/{uid}/randomize", {"key": key})
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert "already randomized" in coordinator.page(second.location.split("/ips-norway", 1)[1])
    other_key = coordinator.post(f"/screenings/{uid}/randomize", {"key": "another-render"})
    assert other_key.location == first.location
    assert db.session.scalar(select(func.count()).select_from(Allocation)) == 1
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
    assert db.session.scalars(select(StratumCounter.next_position)).one() == 1
    again = coordinator.get(f"/screenings/{uid}/randomize")
    assert again.location.endswith("/participants/BER-0001/allocation")


def test_a_screening_that_is_not_ready_cannot_be_randomized(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    coordinator.eligible(uid)
    assert "cannot be randomized now" in coordinator.page(f"/screenings/{uid}/randomize")
    response = coordinator.post(f"/screenings/{uid}/randomize", {"key": "k1"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Allocation)) == 0
    assert "That step is closed" in coordinator.page(f"/screenings/{uid}")


def test_participants_list_and_page_show_arm_and_schedule(coordinator: Coordinator) -> None:
    code = coordinator.randomize(coordinator.ready())
    listing = coordinator.page("/participants")
    assert code in listing and "Hordaland (Bergen)" in listing and "Active" in listing
    assert "Individual Placement and Support" in listing or "High-quality usual follow-up" in listing
    page = coordinator.page(f"/participants/{code}")
    assert "6m" in page and "12m" in page and "2014-07-01 – 2014-08-26" in page
    assert "Download the consent receipt (PDF)" in page


def test_no_consent_is_saved_for_a_screening_that_is_not_eligible(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    assert coordinator.get(f"/screenings/{uid}/consent").status_code == 302
    response = coordinator.consent(uid)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
