"""The coordinator's journey through the API, and every refusal on the way."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from trial.extensions import db
from trial.models import AuditEvent, Participant, Screening, StratumCounter

from ..helpers import BASELINE
from .conftest import Api


def _count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_full_journey_ends_in_a_randomized_participant_with_a_schedule(coordinator: Api,
                                                                         in_startup_period: None) -> None:
    sid = coordinator.enroll_ready()
    status, body, _ = coordinator.post(f"/screenings/{sid}/randomize", {})
    assert status == 201, body
    assert body["participant_id"] == "BER-0001"
    assert body["arm"] in ("ips", "control")
    assert (body["period"], body["stratum"], body["position"], body["ratio"]) == ("start-up", "bergen", 0, "2:1")
    status, person, _ = coordinator.get(f"/participants/{body['participant_id']}")
    assert status == 200
    assert (person["site"], person["arm"], person["status"]) == ("bergen", body["arm"], "active")
    assert [(v["timepoint"], v["due_on"], v["opens_on"], v["closes_on"], v["status"]) for v in person["schedule"]] == [
        ("6m", "2014-07-15", "2014-07-01", "2014-08-26", "scheduled"),
        ("12m", "2015-01-15", "2015-01-01", "2015-02-26", "scheduled")]
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions[-7:] == ["screening.created", "screening.eligibility", "consent.recorded", "baseline.recorded",
                            "baseline.recorded", "baseline.recorded", "randomization"]


def test_participant_ids_count_up_per_site(coordinator: Api, in_startup_period: None) -> None:
    codes = [coordinator.post(f"/screenings/{coordinator.enroll_ready(site)}/randomize")[1]["participant_id"]
             for site in ("bergen", "oslo", "bergen")]
    assert codes == ["BER-0001", "OSL-0001", "BER-0002"]


def test_an_ineligible_person_is_excluded_as_not_eligible(coordinator: Api) -> None:
    _, body, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-02"})
    sid = body["id"]
    answers = {"in_treatment": True, "wants_work": False, "can_answer": True, "disability_waiting": True}
    status, body, _ = coordinator.post(f"/screenings/{sid}/eligibility", {"answers": answers})
    assert (status, body) == (200, {"eligible": False, "failed": ["wants_work", "disability_waiting"]})
    screening = db.session.scalars(select(Screening)).one()
    assert (screening.status, screening.exclusion_category) == ("excluded", "not-eligible")
    status, body, _ = coordinator.post(f"/screenings/{sid}/consent", {"version": "v1", "consented_on": "2014-01-02",
                                                                      "name": "X"})
    assert status == 409 and "excluded" in body["detail"]


def test_a_decliner_is_excluded_with_a_reason(coordinator: Api) -> None:
    _, body, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-02", "sex": "male",
                                                  "birth_year": 1990})
    status, answer, _ = coordinator.post(f"/screenings/{body['id']}/exclusion",
                                         {"category": "declined", "reason": "Declined"})
    assert (status, answer) == (200, {"status": "excluded"})
    again = coordinator.post(f"/screenings/{body['id']}/exclusion", {"category": "declined", "reason": "Declined"})
    assert again[0] == 409


def test_randomization_needs_the_baseline_first(coordinator: Api, in_startup_period: None) -> None:
    _, body, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-02"})
    status, problem, response = coordinator.post(f"/screenings/{body['id']}/randomize")
    assert status == 409 and response.mimetype == "application/problem+json"
    assert problem["detail"] == "cannot randomize: the screening is screening"
    assert _count(Participant) == 0


def test_a_second_randomization_of_the_same_person_returns_the_first(coordinator: Api, in_startup_period: None) -> None:
    sid = coordinator.enroll_ready()
    first = coordinator.post(f"/screenings/{sid}/randomize")
    second = coordinator.post(f"/screenings/{sid}/randomize")
    assert first[0] == 201 and second[0] == 200
    assert first[1] == second[1]
    assert _count(Participant) == 1
    assert db.session.scalars(select(StratumCounter.next_position)).one() == 1


def test_the_idempotency_key_replays_and_refuses_a_different_body(coordinator: Api, in_startup_period: None) -> None:
    sid = coordinator.enroll_ready()
    headers = {"Idempotency-Key": "req-1"}
    first = coordinator.post(f"/screenings/{sid}/randomize", {}, headers=headers)
    replay = coordinator.post(f"/screenings/{sid}/randomize", {}, headers=headers)
    assert (first[0], replay[0]) == (201, 201) and first[1] == replay[1]
    other = coordinator.enroll_ready(site="oslo")
    status, problem, _ = coordinator.post(f"/screenings/{other}/randomize", {}, headers=headers)
    assert status == 422 and "Idempotency-Key" in problem["detail"]
    assert _count(Participant) == 1


def test_the_start_up_period_is_two_to_one_and_switches_to_one_to_one_on_its_date(coordinator: Api) -> None:
    allocations = {}
    for day in (date(2014, 2, 1), date(2014, 2, 2)):
        with time_machine.travel(day):
            for site in ("bergen", "oslo"):
                sid = coordinator.enroll_ready(site, referred_on=day.isoformat())
                allocations[(day, site)] = coordinator.post(f"/screenings/{sid}/randomize")[1]
    for site in ("bergen", "oslo"):
        before, after = allocations[(date(2014, 2, 1), site)], allocations[(date(2014, 2, 2), site)]
        assert (before["period"], before["ratio"], before["position"]) == ("start-up", "2:1", 0)
        assert (after["period"], after["ratio"], after["position"]) == ("main", "1:1", 0)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/screenings", {"site": "oslo", "referred_on": "not-a-date"}, "referred_on"),
    ("/screenings", {"site": "oslo"}, "referred_on"),
    ("/screenings", {"site": "narvik", "referred_on": "2014-01-02"}, "site"),
    ("/screenings", {"site": "oslo", "referred_on": "2099-01-01"}, "referred_on"),
    ("/screenings", {"site": "oslo", "referred_on": "2014-01-02", "sex": "x"}, "sex"),
    ("/screenings", {"site": "oslo", "referred_on": "2014-01-02", "birth_year": "1990"}, "birth_year"),
])
def test_bad_input_answers_422_naming_the_field_and_changes_nothing(coordinator: Api, path: str, body: dict,
                                                                    field: str) -> None:
    before = _count(AuditEvent)
    status, problem, response = coordinator.post(path, body)
    assert status == 422 and response.mimetype == "application/problem+json"
    assert {"status", "title", "detail"} <= set(problem) and field in problem["errors"]
    assert _count(Screening) == 0 and _count(AuditEvent) == before


def test_a_body_that_is_not_json_answers_400(coordinator: Api) -> None:
    response = coordinator.client.post("/api/v1/trials/ips-norway/screenings", data="site=oslo",
                                       headers={"Authorization": f"Bearer {coordinator.token}",
                                                "Content-Type": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_consent_must_use_the_version_in_force_and_names_a_duplicate_persons_site(coordinator: Api,
                                                                                in_startup_period: None) -> None:
    from trial.identity import validate_national_id  # noqa: F401 - the validator the API uses

    number = _synthetic_id()
    coordinator.enroll_ready("oslo", national_id=number)
    _, body, _ = coordinator.post("/screenings", {"site": "bergen", "referred_on": "2014-01-03"})
    sid = body["id"]
    coordinator.post(f"/screenings/{sid}/eligibility", {"answers": {
        "in_treatment": True, "wants_work": True, "can_answer": True, "disability_waiting": False}})
    wrong = coordinator.post(f"/screenings/{sid}/consent", {"version": "v9", "consented_on": "2014-01-03",
                                                            "name": "Kari Nordmann"})
    assert wrong[0] == 422 and "version" in wrong[1]["errors"]
    duplicate = coordinator.post(f"/screenings/{sid}/consent", {"version": "v1", "consented_on": "2014-01-03",
                                                                "name": "Kari Nordmann", "national_id": number})
    assert duplicate[0] == 409
    assert duplicate[1]["detail"] == "this person is already enrolled in the trial at Oslo (Vinderen)"
    assert number not in str(duplicate[1])


def test_an_answer_out_of_range_is_refused_naming_the_item_and_nothing_is_stored(coordinator: Api) -> None:
    from trial.models import Response

    _, body, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-02"})
    sid = body["id"]
    coordinator.post(f"/screenings/{sid}/eligibility", {"answers": {
        "in_treatment": True, "wants_work": True, "can_answer": True, "disability_waiting": False}})
    coordinator.post(f"/screenings/{sid}/consent", {"version": "v1", "consented_on": "2014-01-02", "name": "K N"})
    bad = {**BASELINE, "hads": {**BASELINE["hads"], "3": 7}}
    status, problem, _ = coordinator.post(f"/screenings/{sid}/baseline", {"responses": bad})
    assert status == 422 and "hads.3" in problem["errors"]
    assert _count(Response) == 0


def _synthetic_id() -> str:
    """A valid synthetic fødselsnummer (Tenor: month + 80) for 1 February 1990."""
    base = "0181" + "90" + "123"
    d = [int(c) for c in base]
    k1 = 11 - sum(w * x for w, x in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), d, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    d.append(k1)
    k2 = 11 - sum(w * x for w, x in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), d, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if 10 in (k1, k2):
        raise AssertionError("choose another individual number")
    return base + str(k1) + str(k2)


def test_an_optional_consent_must_be_true_or_false(coordinator: Api) -> None:
    _, body, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-02"})
    sid = body["id"]
    coordinator.post(f"/screenings/{sid}/eligibility", {"answers": {
        "in_treatment": True, "wants_work": True, "can_answer": True, "disability_waiting": False}})
    status, problem, _ = coordinator.post(f"/screenings/{sid}/consent", {
        "version": "v1", "consented_on": "2014-01-02", "name": "K N", "options": {"contact_gp": "no"}})
    assert status == 422 and "options" in problem["errors"]
    assert db.session.scalars(select(Screening.status)).one() == "eligible"


def test_correcting_recorded_baseline_answers_needs_a_reason(coordinator: Api) -> None:
    sid = coordinator.enroll_ready()
    changed = {"hads": {**BASELINE["hads"], "1": 0}}
    status, problem, _ = coordinator.post(f"/screenings/{sid}/baseline", {"responses": changed})
    assert status == 422 and "reason" in problem["errors"]
    status, body, _ = coordinator.post(f"/screenings/{sid}/baseline", {"responses": changed,
                                                                       "reason": "Typing error on paper form"})
    assert status == 200 and body["status"] == "ready"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "baseline.corrected")).one()
    assert event.reason == "Typing error on paper form"
