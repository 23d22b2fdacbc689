"""A small IPS-like locked dataset for the export tests: spec, rows and ZIP helpers."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from trial.exports import DatasetSpec, Variable, write_lock_export

LOCKED_AT = datetime(2016, 4, 30, 12, 0, 5, tzinfo=UTC)
TIMEPOINTS = ("baseline", "6m", "12m")
ARMS = {"treatment_ips": "IPS", "usual_care": "Usual follow-up"}
MASKS = {"treatment_ips": "B", "usual_care": "A"}
HADS_VALUES = {0: "0", 1: "1", 2: "2", 3: "3"}
EQ5D_LEVELS = {1: "No problems", 2: "Slight problems", 3: "Moderate problems", 4: "Severe problems",
               5: "Unable or extreme problems"}

PARTICIPANT_VARIABLES = (
    Variable("participant_id", "Pseudonymous participant ID", "string"),
    Variable("site", "Site", "string", values={"bergen": "Bergen", "oslo": "Oslo (Vinderen)"}),
    Variable("arm", "Allocated arm", "string", values=ARMS, allocation=True),
    Variable("allocation_period", "Allocation period", "string"),
    Variable("allocation_ratio", "Allocation ratio IPS:control in the period", "string"),
    Variable("randomized_on", "Date of randomisation", "date"),
    Variable("sex", "Sex", "integer", values={1: "Female", 2: "Male"}),
    Variable("withdrawal_days", "Days from randomisation to withdrawal", "integer", unit="days",
             derivation="withdrawn_on - randomized_on"),
    Variable("withdrawal_reason", "Reason given for withdrawal", "string"),
)
VISIT_VARIABLES = (
    Variable("days_from_randomization", "Days from randomisation to completion", "integer", level="visit",
             unit="days", derivation="completed_on - randomized_on"),
    Variable("completion_mode", "Completion mode", "string", level="visit",
             values={"paper": "Paper, entered by staff", "online": "Online"}),
    Variable("completed_on", "Date questionnaire completed", "date", level="visit"),
    Variable("hads_1", "HADS item 1", "integer", level="visit", values=HADS_VALUES, instrument="hads",
             instrument_version="1983"),
    Variable("hads_anxiety", "HADS anxiety score", "float", level="visit", unit="points 0-21",
             derivation="sum of odd items; one missing item prorated x7/6", instrument="hads",
             instrument_version="1983"),
    Variable("hads_anxiety_band", "HADS anxiety band", "string", level="visit", instrument="hads",
             values={"normal": "0-7", "borderline": "8-10", "abnormal": "11-21"}, instrument_version="1983"),
    Variable("eq5d5l_mo", "EQ-5D-5L mobility", "integer", level="visit", values=EQ5D_LEVELS,
             instrument="eq5d5l", instrument_version="norway"),
    Variable("eq5d5l_index", "EQ-5D-5L index (Norwegian value set)", "float", level="visit",
             instrument="eq5d5l", instrument_version="norway"),
)


def make_spec(**changes: Any) -> DatasetSpec:
    spec = DatasetSpec(
        trial_code="ips-norway", lock_label="primary-12m", lock_version=1, locked_at=LOCKED_AT,
        variables=PARTICIPANT_VARIABLES + VISIT_VARIABLES, timepoints=TIMEPOINTS,
        lock_sha256="ab" * 32, notes=("Example data for tests.",),
    )
    return replace(spec, **changes) if changes else spec


def blinded_spec() -> DatasetSpec:
    return make_spec(blinded=True, arm_masks=MASKS)


def person(pid: str, site: str, arm: str, period: str, randomized_on: date, sex: int | None,
           **extra: Any) -> dict[str, Any]:
    ratio = "2:1" if period == "start-up" else "1:1"
    return {"participant_id": pid, "site": site, "arm": arm, "allocation_period": period,
            "allocation_ratio": ratio, "randomized_on": randomized_on, "sex": sex, **extra}


def participants() -> list[dict[str, Any]]:
    return [
        person("BER-0001", "bergen", "treatment_ips", "start-up", date(2013, 10, 14), 1),
        person("BER-0002", "bergen", "usual_care", "start-up", date(2013, 11, 2), 2, withdrawal_days=200,
               withdrawal_reason='Moved to Tromsø; said "no more", thanks'),
        person("OSL-0001", "oslo", "usual_care", "main", date(2014, 3, 1), None),
        person("OSL-0002", "oslo", "treatment_ips", "main", date(2014, 10, 31), 2),
    ]


def visit(pid: str, timepoint: str, days: int, mode: str, hads_1: int | None, anxiety: float | None,
          band: str | None, mo: int | None, index: float | None) -> dict[str, Any]:
    return {"participant_id": pid, "timepoint": timepoint, "days_from_randomization": days,
            "completion_mode": mode, "completed_on": date(2014, 1, 1) if days else None, "hads_1": hads_1,
            "hads_anxiety": anxiety, "hads_anxiety_band": band, "eq5d5l_mo": mo, "eq5d5l_index": index}


def visits() -> list[dict[str, Any]]:
    return [
        visit("BER-0001", "baseline", 0, "online", 2, 9.0, "borderline", 1, 0.876),
        visit("BER-0001", "6m", 183, "paper", 1, 28 / 3, "borderline", 2, 0.7125),
        visit("BER-0001", "12m", 366, "online", 0, 4.0, "normal", 1, 1.0),
        visit("BER-0002", "baseline", 0, "paper", 3, 14.0, "abnormal", 3, -0.1),
        visit("BER-0002", "6m", 190, "online", None, None, None, None, None),
        # OSL-0001 has only a baseline visit; OSL-0002 none at all.
        visit("OSL-0001", "baseline", 0, "online", 1, 7.0, "normal", 5, 0.25),
    ]


def export_bytes(spec: DatasetSpec | None = None, fmt: str = "csv", people: Any = None,
                 seen: Any = None) -> bytes:
    out = io.BytesIO()
    write_lock_export(spec or make_spec(), people if people is not None else participants,
                      seen if seen is not None else visits, out, format=fmt)
    return out.getvalue()


def entries(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
