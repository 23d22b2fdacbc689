"""A small IPS trial built through the API, locked, and helpers to read its exports."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
import time_machine

from ..api.conftest import Api, as_role, coordinator, trial_app  # noqa: F401 - fixtures used here

LOCKED_ON = date(2015, 3, 2)
# 6-month answers; participant 2 leaves one HADS anxiety item unanswered (prorated x7/6).
SIX_MONTHS = {
    "hads": {str(i): (i + 1) % 4 for i in range(1, 15)},
    "eq5d5l": {"MO": 2, "SC": 1, "UA": 3, "PD": 2, "AD": 2, "VAS": 64},
    "whodas12": {f"S{i}": 1 + i % 3 for i in range(1, 13)},
}
WITHDRAWAL_REASON = "Moved north to live with a sister"


def synthetic_id(n: int) -> str:
    """A valid synthetic fødselsnummer (Tenor series: month + 80) for 1 March 1985, individual n."""
    for individual in range(n * 7, n * 7 + 7):
        nine = f"018385{individual:03d}"
        k1 = _check(nine, (3, 7, 6, 1, 8, 9, 4, 5, 2))
        k2 = None if k1 is None else _check(nine + str(k1), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
        if k2 is not None:
            return f"{nine}{k1}{k2}"
    raise AssertionError("no valid number in range")


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    k = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if k == 11 else None if k == 10 else k


@dataclass
class BuiltTrial:
    participants: dict[str, str]      # participant_id -> arm
    national_ids: dict[str, str]      # participant_id -> national identity number


def build_trial(coordinator: Api) -> BuiltTrial:  # noqa: F811 - the API client, not the fixture
    """Four participants randomized in the start-up period, 6-month answers for three, one withdrawal."""
    arms, ids = {}, {}
    with time_machine.travel(date(2014, 1, 20), tick=True):
        for n, site in enumerate(("bergen", "oslo", "bergen", "oslo")):
            number = synthetic_id(n + 1)
            sid = coordinator.enroll_ready(site, referred_on="2014-01-20", national_id=number)
            status, body, _ = coordinator.post(f"/screenings/{sid}/randomize")
            assert status == 201, body
            arms[body["participant_id"]] = body["arm"]
            ids[body["participant_id"]] = number
        _, s, _ = coordinator.post("/screenings", {"site": "oslo", "referred_on": "2014-01-20"})
        coordinator.post(f"/screenings/{s['id']}/exclusion", {"category": "declined", "reason": "Declined"})
    codes = sorted(arms)
    with time_machine.travel(date(2014, 7, 22), tick=True):
        for n, code in enumerate(codes[:3]):
            for instrument, answers in SIX_MONTHS.items():
                answers = dict(answers)
                if n == 1 and instrument == "hads":
                    del answers["3"]
                status, body, _ = coordinator.post(f"/participants/{code}/responses", {
                    "timepoint": "6m", "instrument": instrument, "answers": answers,
                    "mode": "online" if n else "paper"})
                assert status == 201, body
        status, body, _ = coordinator.post(f"/participants/{codes[3]}/withdrawal", {
            "scope": "follow-up", "on": "2014-07-22", "reason": WITHDRAWAL_REASON})
        assert status == 200, body
    return BuiltTrial(arms, ids)


@pytest.fixture
def built(coordinator: Api) -> BuiltTrial:  # noqa: F811 - the fixture imported above
    return build_trial(coordinator)


@pytest.fixture
def statistician(as_role: Callable[..., Api]) -> Api:  # noqa: F811
    return as_role("unblinded-statistician")


@pytest.fixture
def blinded_statistician(as_role: Callable[..., Api]) -> Api:  # noqa: F811
    return as_role("statistician")


@pytest.fixture
def lock_id(built: BuiltTrial, statistician: Api) -> str:
    with time_machine.travel(LOCKED_ON, tick=True):
        status, body, _ = statistician.post("/locks", {"label": "Primary analysis",
                                                        "reason": "12-month data"})
    assert status == 201, body
    return str(body["id"])


def download(api: Api, lock: str, fmt: str = "csv", blinded: str | None = "false") -> bytes:
    query = f"format={fmt}" + (f"&blinded={blinded}" if blinded is not None else "")
    status, body, response = api.call("GET", f"/locks/{lock}/export?{query}")
    assert status == 200, body
    assert response.mimetype == "application/zip"
    return bytes(response.get_data())


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def read_stat(data: bytes, fmt: str, folder: Path) -> tuple[Any, Any]:
    path = folder / f"data.{fmt}"
    path.write_bytes(data)
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    return reader(str(path), output_format="polars")
