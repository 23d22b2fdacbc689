"""Staff typing in paper questionnaires, with and without double entry."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

import instruments
from trial.extensions import db
from trial.followups import withdraw
from trial.models import AuditEvent, PaperEntry, Participant, Response, User, Visit
from trial.policy import access_to
from trial.sealing import unseal_json

from .conftest import make_participant

BASE = "/trials/ips-norway/questionnaires/paper"


def _fields(code: str, answers: dict[str, Any]) -> dict[str, str]:
    items = [item.code for item in instruments.get(code).items]
    return {f"q-{code}-{items.index(item) + 1}": str(value) for item, value in answers.items()}


def _form(code: str, answers: dict[str, Any] | None = None, completed_on: str = "2014-07-05",
          double: bool = False) -> dict[str, str]:
    answers = answers if answers is not None else {item.code: item.options[0] if item.options else 70
                                                   for item in instruments.get(code).items}
    return {**_fields(code, answers), "completed_on": completed_on,
            **({"double_entry": "yes"} if double else {})}


def _participant() -> Participant:
    participant = make_participant()
    db.session.commit()
    return participant


def _visit(participant: Participant) -> Visit:
    db.session.expire_all()
    return next(v for v in db.session.get(Participant, participant.id).visits if v.timepoint == "6m")


def test_single_entry_is_accepted_at_once_and_completes_the_visit_when_all_are_in(
        staff: Callable[..., FlaskClient], in_window: Any) -> None:
    kari, participant = staff(), _participant()
    url = f"{BASE}/{participant.code}/6m"
    page = kari.get(f"{url}/hads").get_data(as_text=True)
    assert 'lang="nb"' in page and "HADS spørsmål 1" in page and 'name="double_entry"' in page
    assert kari.post(f"{url}/hads", data=_form("hads")).location == url
    response = db.session.scalars(select(Response)).one()
    assert (response.mode, response.completed_on, response.recorded_by) == ("paper", date(2014, 7, 5),
                                                                              "coordinator0@example.org")
    assert unseal_json(response, "answers")["1"] == 3
    assert _visit(participant).status == "scheduled"
    kari.post(f"{url}/eq5d5l", data=_form("eq5d5l", completed_on="2014-07-06"))
    kari.post(f"{url}/whodas12", data=_form("whodas12"))
    visit = _visit(participant)
    assert (visit.status, visit.completion_mode, visit.completed_on) == \
        ("completed", "paper", date(2014, 7, 6))
    assert "Registrert" not in kari.get(url).get_data(as_text=True)         # the staff member reads English
    assert kari.get(url).get_data(as_text=True).count("Recorded") == 3


def test_double_entry_that_agrees_is_accepted(staff: Callable[..., FlaskClient], in_window: Any) -> None:
    first, second, participant = staff(), staff(), _participant()
    url = f"{BASE}/{participant.code}/6m/hads"
    assert first.post(url, data=_form("hads", double=True)).status_code == 302
    assert db.session.scalars(select(Response)).all() == []
    assert "A colleague must make the second entry" in first.get(url).get_data(as_text=True)
    assert first.post(url, data=_form("hads")).status_code == 200    # no second entry by the same person
    blind = second.get(url).get_data(as_text=True)
    assert "Second entry" in blind and 'checked' not in blind                 # the first entry is not shown
    assert second.post(url, data=_form("hads")).status_code == 302
    db.session.expire_all()
    assert [e.status for e in db.session.scalars(select(PaperEntry).order_by(PaperEntry.entry_number))] == \
        ["accepted", "accepted"]
    assert db.session.scalars(select(Response)).one().mode == "paper"


def test_double_entry_that_differs_shows_the_differences_to_settle(staff: Callable[..., FlaskClient],
                                                                   in_window: Any) -> None:
    first, second, participant = staff(), staff(), _participant()
    url = f"{BASE}/{participant.code}/6m/eq5d5l"
    typed = {"MO": 1, "SC": 2, "UA": 1, "PD": 3, "AD": 1, "VAS": 70}
    first.post(url, data=_form("eq5d5l", typed, double=True))
    assert second.post(url, data=_form("eq5d5l", {**typed, "PD": 4, "VAS": 71},
                                       completed_on="2014-07-06")).location.endswith(url)
    assert db.session.scalars(select(Response)).all() == []
    page = second.get(url).get_data(as_text=True)
    assert "The entries differ" in page or "differ in these fields" in page
    assert "EQ-5D-5L spørsmål PD" in page and "EQ-5D-5L spørsmål VAS" in page and "spørsmål MO" not in page
    assert "First entry: Alternativ 3. Second entry: Alternativ 4." in page
    assert "First entry: 70. Second entry: 71." in page and 'id="completed_on"' in page
    settled = {**_fields("eq5d5l", {"PD": 3, "VAS": 71}), "completed_on": "2014-07-05"}
    assert second.post(url, data=settled).status_code == 302
    response = db.session.scalars(select(Response)).one()
    assert unseal_json(response, "answers") == {**typed, "VAS": 71}
    assert response.completed_on == date(2014, 7, 5)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper_entry.resolved")).one()
    assert event.details["settled"] == ["PD", "VAS", "completed_on"]
    entries = db.session.scalars(select(PaperEntry).order_by(PaperEntry.entry_number)).all()
    assert unseal_json(entries[1], "answers")["PD"] == 4                      # entries stay as typed


def test_the_first_enterer_cannot_settle_a_mismatch(staff: Callable[..., FlaskClient],
                                                    in_window: Any) -> None:
    first, second, participant = staff(), staff(), _participant()
    url = f"{BASE}/{participant.code}/6m/eq5d5l"
    first.post(url, data=_form("eq5d5l", {"MO": 1}, double=True))
    second.post(url, data=_form("eq5d5l", {"MO": 2}))
    assert first.post(url, data={**_fields("eq5d5l", {"MO": 1})}).status_code == 403
    assert db.session.scalars(select(Response)).all() == []


def test_an_out_of_range_answer_or_a_date_outside_the_window_is_refused(staff: Callable[..., FlaskClient],
                                                                         in_window: Any) -> None:
    kari, participant = staff(), _participant()
    url = f"{BASE}/{participant.code}/6m/eq5d5l"
    response = kari.post(url, data=_form("eq5d5l", {"VAS": 150}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#q-eq5d5l-6">EQ-5D-5L spørsmål VAS: Enter a whole number' in page
    response = kari.post(url, data=_form("eq5d5l", {"VAS": 50}, completed_on="2014-06-01"))
    assert response.status_code == 422 and "within the window" in response.get_data(as_text=True)
    assert db.session.scalars(select(PaperEntry)).all() == []


def test_staff_see_only_their_own_sites(staff: Callable[..., FlaskClient], in_window: Any) -> None:
    oslo, participant = staff(sites=("oslo",)), _participant()
    assert oslo.get(f"{BASE}/{participant.code}/6m/hads").status_code == 403
    assert participant.code not in oslo.get(BASE).get_data(as_text=True)
    bergen = staff()
    listing = bergen.get(BASE).get_data(as_text=True)
    assert participant.code in listing and "2014-07-01" in listing
    statistician = staff(role="statistician")
    assert statistician.get(BASE).status_code == 403


def test_a_form_dated_before_the_participant_left_follow_up_is_accepted_and_one_after_is_not(
        staff: Callable[..., FlaskClient], in_window: Any) -> None:
    kari, participant = staff(), _participant()
    user = db.session.scalars(select(User).where(User.email == "coordinator0@example.org")).one()
    withdraw(access_to(user, "ips-norway"), participant, "follow-up", date(2014, 7, 8), "moved abroad")
    db.session.commit()
    assert _visit(participant).status == "cancelled"
    url = f"{BASE}/{participant.code}/6m"
    refused = kari.post(f"{url}/hads", data=_form("hads", completed_on="2014-07-09"))
    assert refused.status_code == 422
    assert "left follow-up (withdrawn-follow-up) on 2014-07-08" in refused.get_data(as_text=True)
    assert db.session.scalars(select(PaperEntry)).all() == []
    for code in ("hads", "eq5d5l", "whodas12"):
        assert kari.post(f"{url}/{code}", data=_form(code, completed_on="2014-07-08")).location == url
    assert _visit(participant).status == "completed"
