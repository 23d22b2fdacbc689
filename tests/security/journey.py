"""A full enrollment journey with distinctive personal data, for tests that look for that data afterwards."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from trial.identity import _K1_WEIGHTS, _K2_WEIGHTS, _check_digit

from ..api.conftest import Api
from ..helpers import api_user

NAME = "Xylofon Quintessa"
GUARDIAN = "Zebulon Quintessa"


def synthetic_national_ids(count: int) -> list[str]:
    """Valid synthetic (Tenor, month + 80) fødselsnumre of people born 12 May 1985."""
    found = []
    for individual in range(100, 500):
        digits = f"128585{individual:03d}"
        k1 = _check_digit(digits, _K1_WEIGHTS)
        k2 = None if k1 is None else _check_digit(digits + str(k1), _K2_WEIGHTS)
        if k2 is not None:
            found.append(f"{digits}{k1}{k2}")
        if len(found) == count:
            return found
    raise AssertionError("not enough numbers")


@dataclass(frozen=True)
class Enrolled:
    token: str
    national_ids: list[str]
    emails: list[str]
    codes: list[str]

    @property
    def secrets(self) -> list[str]:
        """Every string that must never be stored or logged in the clear."""
        spaced = [f"{n[:6]} {n[6:]}" for n in self.national_ids]
        return [NAME, "Xylofon", "Quintessa", GUARDIAN, *self.national_ids, *spaced, *self.emails, self.token]


def enroll(app: Flask, count: int = 3) -> Enrolled:
    """Screen, consent (with identity number and contact details), baseline and randomize `count` people
    at Bergen through the API; call with the clock in the start-up period (January 2014)."""
    token = api_user("journey@example.org", "coordinator", sites=("bergen",))
    api = Api(app.test_client(), token)
    ids, emails, codes = synthetic_national_ids(count), [], []
    for n, number in enumerate(ids):
        email = f"xylofon.quintessa{n}@example.net"
        sid = api.enroll_ready("bergen", name=NAME, national_id=number, email=email, phone="+47 98 76 54 32")
        status, body, _ = api.post(f"/screenings/{sid}/randomize")
        assert status == 201, body
        status, person, _ = api.get(f"/participants/{body['participant_id']}")
        assert status == 200 and NAME not in str(person) and number not in str(person)
        emails.append(email)
        codes.append(body["participant_id"])
    status, body, _ = api.post("/screenings", {"site": "bergen", "referred_on": "2014-01-03"})
    api.post(f"/screenings/{body['id']}/eligibility", {"answers": {
        "in_treatment": True, "wants_work": True, "can_answer": True, "disability_waiting": False}})
    refused = api.post(f"/screenings/{body['id']}/consent", {"version": "v1", "consented_on": "2014-01-03",
                                                             "name": NAME, "national_id": ids[0]})
    assert refused[0] == 409 and ids[0] not in str(refused[1])       # the same person again
    assert api.post(f"/screenings/{body['id']}/exclusion", {"category": "other",
                                                            "reason": f"{NAME} moved away"})[0] == 200
    return Enrolled(token, ids, emails, codes)
