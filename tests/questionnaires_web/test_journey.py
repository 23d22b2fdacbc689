"""A participant's whole way through the online questionnaire with the test client."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from trial.extensions import db
from trial.models import AuditEvent, QuestionnaireDraft, QuestionnaireLink, Response, Screening, Visit
from trial.protocol import load_file, store
from trial.sealing import unseal_json

from ..helpers import example_data, write_protocol
from .conftest import Respondent

QUESTIONS = 14 + 6 + 12       # HADS, EQ-5D-5L (5 dimensions and the VAS), WHODAS 2.0 12-item


def _draft() -> QuestionnaireDraft | None:
    db.session.expire_all()
    return db.session.scalars(select(QuestionnaireDraft)).one_or_none()


def test_the_whole_journey_stores_sealed_responses_and_completes_the_visit(
        respondent: Callable[..., Respondent]) -> None:
    person = respondent()
    assert person.open().status_code == 200
    assert person.check().location == f"{person.link.path}/1"
    first = person.client.get(f"{person.link.path}/1").get_data(as_text=True)
    assert f"Spørsmål 1 av {QUESTIONS}" in first and f'<progress max="{QUESTIONS}" value="1"' in first
    assert '<legend class="q-legend-heading"><h1 class="q-question-text">HADS' in first
    assert "<script" not in first and "style=" not in first                # works without script, under the CSP
    person.answer_all({1: "3", 2: "0", 20: "55"})
    review = person.client.get(f"{person.link.path}/review").get_data(as_text=True)
    assert review.count('class="q-summary-row"') == QUESTIONS and "?return=review" in review
    response = person.client.post(f"{person.link.path}/review")
    assert response.location == "/q/thanks"
    assert "Takk" in person.client.get("/q/thanks").get_data(as_text=True)

    db.session.expire_all()
    rows = {r.instrument: r for r in db.session.scalars(select(Response))}
    assert set(rows) == {"hads", "eq5d5l", "whodas12"}
    assert {(r.mode, r.completed_on, r.timepoint, r.visit_id) for r in rows.values()} == \
        {("online", date(2014, 7, 10), "6m", person.link.visit.id)}
    assert unseal_json(rows["hads"], "answers")["1"] == 3
    assert unseal_json(rows["eq5d5l"], "answers")["VAS"] == 55
    assert unseal_json(rows["eq5d5l"], "scores")["profile"] == "11111"
    assert b'"VAS"' not in rows["eq5d5l"].answers_enc                       # sealed, not plain JSON
    visit = db.session.get(Visit, person.link.visit.id)
    assert (visit.status, visit.completed_on, visit.completion_mode) == \
        ("completed", date(2014, 7, 10), "online")
    assert db.session.scalars(select(QuestionnaireLink)).one().used_at is not None
    assert _draft() is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire.submitted")).one()
    assert event.details == {"timepoint": "6m", "mode": "online",
                             "instruments": ["hads", "eq5d5l", "whodas12"]}
    assert person.open().status_code == 404                                # the link is spent


def test_save_and_resume_at_the_saved_step_after_opening_the_link_again(
        respondent: Callable[..., Respondent]) -> None:
    person = respondent()
    person.check()
    assert person.answer(1, "2").location == f"{person.link.path}/2"
    assert person.answer(2, "1").location == f"{person.link.path}/3"
    assert person.answer(3, "0", action="save").location == "/q/saved"
    assert "26. august 2014" in person.client.get("/q/saved").get_data(as_text=True)
    draft = _draft()
    assert draft is not None and draft.step == 3 and b"hads" not in draft.answers_enc
    assert unseal_json(draft, "answers") == {"hads": {"1": 2, "2": 1, "3": 0}, "eq5d5l": {}, "whodas12": {}}
    # Saving ends the verified state (a shared phone); the link asks again, then resumes at question 4.
    assert person.client.get(f"{person.link.path}/4").location == person.link.path
    assert person.check().location == f"{person.link.path}/4"
    page = person.client.get(f"{person.link.path}/2").get_data(as_text=True)
    assert 'value="1" checked' in page                                     # earlier answers are shown again


def test_an_out_of_range_answer_is_refused_naming_the_question(respondent: Callable[..., Respondent]) -> None:
    person = respondent(language="en")
    person.check()
    vas = next(n for n, q in enumerate(person.form().questions, start=1) if q.code == "VAS")
    response = person.answer(vas, "150")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and "<title>Error:" in page
    assert 'href="#q-eq5d5l-6">EQ-5D-5L item VAS: Enter a whole number from 0 to 100.' in page
    assert 'aria-describedby="q-eq5d5l-6-hint q-eq5d5l-6-error"' in page and 'aria-invalid="true"' in page
    assert 'value="150"' in page                                           # what was typed is kept to correct
    assert person.answer(vas, "seventy").status_code == 422
    assert person.answer(1, "7").status_code == 422                        # not one of the HADS options
    assert _draft() is None                                                # nothing was saved


def test_the_participants_language_is_used_switched_and_remembered(
        client: FlaskClient, respondent: Callable[..., Respondent]) -> None:
    person = respondent(language="en")
    page = person.open().get_data(as_text=True)
    assert '<html lang="en">' in page and "What is your date of birth?" in page
    person.check()
    person.answer(1, "3")
    response = client.post(f"{person.link.path}/language",
                           data={"language": "nb", "next": f"{person.link.path}/2"})
    assert response.location == f"{person.link.path}/2"
    page = client.get(f"{person.link.path}/2").get_data(as_text=True)
    assert '<html lang="nb">' in page and "Spørsmål 2 av 32" in page and "HADS spørsmål 2" in page
    db.session.expire_all()
    assert db.session.scalars(select(Screening)).one().language == "nb"
    assert _draft().language == "nb"
    # Another phone, with an English browser: the remembered choice wins after the check.
    with client.session_transaction() as session:
        session.clear()
    first = client.get(person.link.path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nb">' in first


def test_a_language_chosen_before_the_check_is_remembered_after_it(
        client: FlaskClient, respondent: Callable[..., Respondent]) -> None:
    person = respondent(language="nb")
    person.open()
    client.post(f"{person.link.path}/language", data={"language": "en", "next": person.link.path})
    db.session.expire_all()
    assert db.session.scalars(select(Screening)).one().language == "nb"    # not before the check
    person.check()
    db.session.expire_all()
    assert db.session.scalars(select(Screening)).one().language == "en"


def test_changing_an_answer_from_the_review_returns_to_the_review(
        respondent: Callable[..., Respondent]) -> None:
    person = respondent()
    person.check()
    person.answer_all()
    assert person.answer(5, "0", query="?return=review").location == f"{person.link.path}/review"
    review = person.client.get(f"{person.link.path}/review").get_data(as_text=True)
    assert review.count("Alternativ 4") == 1


def test_skipped_questions_are_marked_on_the_review_and_nothing_answered_cannot_be_sent(
        respondent: Callable[..., Respondent]) -> None:
    person = respondent(language="en")
    person.check()
    assert person.answer(1, None).location == f"{person.link.path}/2"     # a question may be left unanswered
    refused = person.client.post(f"{person.link.path}/review")
    assert refused.status_code == 422 and "Answer at least one question" in refused.get_data(as_text=True)
    person.answer(2, "3")
    review = person.client.get(f"{person.link.path}/review").get_data(as_text=True)
    assert review.count("Not answered") == QUESTIONS - 1
    assert person.client.post(f"{person.link.path}/review").location == "/q/thanks"
    db.session.expire_all()
    hads = db.session.scalars(select(Response).where(Response.instrument == "hads")).one()
    assert unseal_json(hads, "answers") == {"2": 3}


def test_a_submission_after_the_window_closed_is_refused(respondent: Callable[..., Respondent],
                                                         in_window: time_machine.Traveller) -> None:
    person = respondent()
    person.check()
    person.answer_all()
    in_window.move_to(person.link.visit.closes_on + timedelta(days=1))
    response = person.client.post(f"{person.link.path}/review")
    assert response.status_code == 404 and "This link cannot be used" in response.get_data(as_text=True) \
        or "Denne lenken" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Response)).all() == []
    assert db.session.get(Visit, person.link.visit.id).status == "scheduled"


def test_a_participant_who_withdraws_mid_way_loses_the_link(respondent: Callable[..., Respondent]) -> None:
    person = respondent()
    person.check()
    person.answer(1, "3")
    person.link.participant.status = "withdrawn-all"
    db.session.commit()
    assert person.client.get(f"{person.link.path}/2").status_code == 404
    assert person.client.post(f"{person.link.path}/review").status_code == 404


def test_a_skip_rule_leaves_out_the_questions_it_does_not_ask(
        app: Flask, tmp_path: Path, respondent: Callable[..., Respondent]) -> None:
    """WHODAS 2.0 (36) asks D5.5-D5.8 only of those who work or study (works_or_studies)."""
    data = example_data()
    data["trial"]["code"] = "ips-whodas36"
    data["timepoints"][1]["instruments"] = ["whodas36"]
    store(db.session, load_file(write_protocol(tmp_path, data)), actor="test", keyring=app.config["KEYRING"])
    db.session.commit()
    person = respondent(trial_code="ips-whodas36", language="en")
    person.check()
    works = next(n for n, q in enumerate(person.form().questions, start=1) if q.code == "works_or_studies")
    assert person.answer(works, "false").location == f"{person.link.path}/{works + 5}"
    assert person.client.get(f"{person.link.path}/{works + 1}").location == f"{person.link.path}/{works + 5}"
    page = person.client.get(f"{person.link.path}/{works + 5}").get_data(as_text=True)
    assert f"Question {works + 1} of 33" in page
    review = person.client.get(f"{person.link.path}/review").get_data(as_text=True)
    assert "item D5.4" in review and "item D5.5" not in review and "item D6.1" in review
    assert person.answer(works, "true", query="?return=review").location == f"{person.link.path}/review"
    assert "item D5.5" in person.client.get(f"{person.link.path}/review").get_data(as_text=True)
