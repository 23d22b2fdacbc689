"""An API client signed in as each role of the example trial."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from ..helpers import BASELINE, api_user, load_example

BASE = "/api/v1/trials/ips-norway"


class Api:
    """Calls the API as one user; `call` returns (status, json)."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):  # noqa: ANN201
        response = self.client.open(BASE + path, method=method, json=body,
                                    headers={"Authorization": f"Bearer {self.token}", **(headers or {})})
        return response.status_code, response.get_json(silent=True), response

    def post(self, path: str, body: Any = None, **kw: Any):  # noqa: ANN201
        return self.call("POST", path, body, **kw)

    def get(self, path: str):  # noqa: ANN201
        return self.call("GET", path)

    def enroll_ready(self, site: str = "bergen", referred_on: str = "2014-01-02", **consent: Any) -> str:
        """A screening through eligibility, consent and baseline; returns its id."""
        status, body, _ = self.post("/screenings", {"site": site, "referred_on": referred_on, "sex": "female",
                                                    "birth_year": 1985})
        assert status == 201, body
        sid = body["id"]
        answers = {"in_treatment": True, "wants_work": True, "can_answer": True, "disability_waiting": False}
        assert self.post(f"/screenings/{sid}/eligibility", {"answers": answers})[1]["eligible"] is True
        status, body, _ = self.post(f"/screenings/{sid}/consent", {
            "version": "v1", "consented_on": referred_on, "name": "Kari Nordmann", **consent})
        assert status == 200, body
        status, body, _ = self.post(f"/screenings/{sid}/baseline", {"responses": BASELINE})
        assert status == 200 and body["status"] == "ready", body
        return sid


@pytest.fixture
def trial_app(app: Flask) -> Flask:
    load_example(app)
    return app


@pytest.fixture
def as_role(trial_app: Flask, client: FlaskClient) -> Callable[..., Api]:
    counter = iter(range(1000))

    def make(role: str, sites: tuple[str, ...] = ()) -> Api:
        return Api(client, api_user(f"{role}{next(counter)}@example.org", role, sites=sites))

    return make


@pytest.fixture
def coordinator(as_role: Callable[..., Api]) -> Api:
    return as_role("coordinator", ("bergen", "oslo"))


@pytest.fixture
def in_startup_period():  # noqa: ANN201
    with time_machine.travel(date(2014, 1, 15), tick=True):
        yield
