"""A lock's analysis dataset: the DatasetSpec and the row sources trial.exports writes from.

Everything comes from the lock's own records (the protocol version it stored, its participants,
visits, responses and events) and its creation time, never from live data or the clock, so one
lock always exports to the same bytes. Rows are read back in stored order, one participant at a
time.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from itertools import groupby
from typing import Any

from ..exports import DatasetSpec, Variable
from ..models import DataLock, Trial
from ..protocol import Protocol, parse
from ..questionnaires import instrument_for
from .codebook import Column, instrument_columns, variable_name
from .service import locked_records
from .snapshot import DESIGN_KIND

SEXES = {1: "Female", 2: "Male", 3: "Other"}
SEX_CODES = {"female": 1, "male": 2, "other": 3}
MODES = {"online": "Online, by the participant", "paper": "Paper, entered by staff",
         "device": "On a device at the site"}
VISIT_STATUSES = {"scheduled": "Scheduled", "open": "Window open", "completed": "Completed",
                  "missed": "Missed", "cancelled": "Cancelled"}
PARTICIPANT_STATUSES = {"active": "Active", "withdrawn-intervention": "Withdrawn from the intervention",
                        "withdrawn-follow-up": "Withdrawn from follow-up",
                        "withdrawn-all": "Withdrawn from all", "died": "Died",
                        "lost-to-follow-up": "Lost to follow-up"}
# Departure kinds (trial.consort.records) and the withdrawal scope each one means.
DEPARTURES = {"withdrawn-intervention": "intervention", "withdrawn-follow-up": "follow-up",
              "withdrawn-all": "all", "died": None, "lost-to-follow-up": None}
SCOPES = {"intervention": "From the intervention only", "follow-up": "From follow-up", "all": "From all"}


@dataclass(frozen=True)
class LockDataset:
    spec: DatasetSpec
    participants: Callable[[], Iterator[dict[str, Any]]]
    visits: Callable[[], Iterator[dict[str, Any]]]


def lock_dataset(lock: DataLock, trial: Trial, masks: Mapping[str, str] | None) -> LockDataset:
    """The export of `lock`; `masks` ({arm: masked code}) makes it blinded."""
    design = next(content for _k, _key, content in locked_records(lock, (DESIGN_KIND,)))
    protocol = parse(design["definition"], source=f"{trial.code} lock {lock.version}")
    timepoints = {t.code: t.code.replace("-", "_") for t in protocol.timepoints}
    reserve = 1 + max(len(t) for t in timepoints.values())
    columns = [c for code in _instrument_codes(protocol)
               for c in instrument_columns(code, protocol.instrument_options.get(code, {}),
                                           design["instruments"].get(code, {}), reserve,
                                           instrument_for(protocol, code))]
    spec = DatasetSpec(
        trial_code=trial.code, lock_label=lock.label, lock_version=lock.version, locked_at=lock.created_at,
        variables=(*participant_variables(protocol, blinded=masks is not None), *VISIT_VARIABLES,
                   *(c.variable for c in columns)),
        timepoints=tuple(timepoints.values()), blinded=masks is not None,
        arm_masks=dict(masks) if masks is not None else None, lock_sha256=lock.sha256,
        notes=_notes(protocol, design, masks is not None))
    reader = _Reader(lock, timepoints, columns, blinded=masks is not None)
    return LockDataset(spec, reader.participants, reader.visits)


def _instrument_codes(p: Protocol) -> list[str]:
    return list(dict.fromkeys(code for t in p.timepoints for code in t.instruments))


def participant_variables(p: Protocol, *, blinded: bool) -> tuple[Variable, ...]:
    arms = ":".join(a.code for a in p.arms)
    ratio = ("Allocation ratio in the period (arms in protocol order)" if blinded
             else f"Allocation ratio {arms} in the period")
    days = {"unit": "days", "derivation": "date of the event minus the randomisation date"}
    variables = [
        Variable("participant_id", "Pseudonymous participant ID", "string"),
        Variable("site", "Site", "string", values={s.code: s.name for s in p.sites}),
        Variable("stratum", "Randomisation stratum", "string",
                 derivation="stratification values joined by | in the protocol's order: "
                 + ", ".join(p.randomization.stratify_by)),
        Variable("arm", "Allocated arm", "string", values={a.code: a.label.get("en", a.code) for a in p.arms},
                 allocation=True),
        Variable("allocation_period", "Allocation period", "string",
                 values={q.name: q.name for q in p.randomization.periods}),
        Variable("allocation_ratio", ratio, "string"),
        *([] if blinded else [Variable(
            "allocation_probability", "Probability of the allocated arm", "float",
            derivation="the allocated arm's share of the period's ratio (2:1 gives 2/3 and 1/3)")]),
        Variable("randomized_on", "Date of randomisation", "date"),
        Variable("sex", "Sex", "integer", values=dict(SEXES)),
        Variable("age_at_randomization", "Age at randomisation (approximate)", "integer", unit="years",
                 derivation="year of randomisation minus year of birth (may be one year too high)"),
        Variable("participant_status", "Participant status at the lock", "string",
                 values=PARTICIPANT_STATUSES),
        Variable("withdrawal_scope", "Widest withdrawal scope", "string", values=SCOPES),
    ]
    for kind in DEPARTURES:
        stem = variable_name(kind)
        title = PARTICIPANT_STATUSES[kind]
        variables += [Variable(f"{stem}_on", f"{title}: date", "date"),
                      Variable(f"{stem}_days", f"{title}: days from randomisation", "integer", **days)]
    return tuple(variables)


VISIT_VARIABLES = (
    Variable("visit_status", "Visit status at the lock", "string", level="visit", values=VISIT_STATUSES,
             derivation="the follow-up visit's status; baseline is completed when a baseline answer exists"),
    Variable("days_from_randomization", "Days from randomisation to completion", "integer", level="visit",
             unit="days", derivation="date the questionnaires were completed minus the randomisation date "
             "(negative at baseline, which comes before randomisation)"),
    Variable("completion_mode", "Completion mode", "string", level="visit", values=MODES),
)


def _notes(p: Protocol, design: Mapping[str, Any], blinded: bool) -> tuple[str, ...]:
    notes = [f"Protocol version {design['protocol_version']} (SHA-256 {design['protocol_sha256']}).",
             "Withdrawal and event reasons are free text in the trial record and are not exported.",
             "Free-text questionnaire items, if any, are not exported."]
    if blinded:
        notes.append("The allocation probability is left out: under an unequal ratio it reveals the arm.")
    return tuple(notes)


class _Reader:
    """Row sources over the lock's records: each call starts a fresh pass."""

    def __init__(self, lock: DataLock, timepoints: dict[str, str], columns: list[Column],
                 blinded: bool) -> None:
        self.lock, self.timepoints, self.columns, self.blinded = lock, timepoints, columns, blinded

    def _groups(self, kinds: tuple[str, ...]) -> Iterator[list[tuple[str, Any]]]:
        records = locked_records(self.lock, kinds)
        for _pid, group in groupby(records, key=lambda r: r[2]["participant_id"]):
            yield [(kind, content) for kind, _key, content in group]

    def participants(self) -> Iterator[dict[str, Any]]:
        for group in self._groups(("participant", "event")):
            yield participant_row(group, blinded=self.blinded)

    def visits(self) -> Iterator[dict[str, Any]]:
        for group in self._groups(("participant", "visit", "response")):
            yield from visit_rows(group, self.timepoints, self.columns)


def participant_row(group: list[tuple[str, Any]], *, blinded: bool) -> dict[str, Any]:
    p = next(content for kind, content in group if kind == "participant")
    randomized = date.fromisoformat(p["randomized_on"])
    row: dict[str, Any] = {
        "participant_id": p["participant_id"], "site": p["site"], "stratum": p["stratum"], "arm": p["arm"],
        "allocation_period": p["period"], "allocation_ratio": p["ratio"], "randomized_on": randomized,
        "sex": SEX_CODES.get(p["sex"] or ""), "participant_status": p["status"],
        "age_at_randomization": randomized.year - p["birth_year"] if p["birth_year"] else None,
    }
    if not blinded:
        row["allocation_probability"] = float(Fraction(p["probability"]))
    events = sorted((c["on"], c["kind"]) for kind, c in group if kind == "event" and c["kind"] in DEPARTURES)
    scopes = [DEPARTURES[k] for _on, k in events if DEPARTURES[k]]
    row["withdrawal_scope"] = max(scopes, key=list(SCOPES).index) if scopes else None
    for on, kind in events:
        stem = variable_name(kind)
        if row.get(f"{stem}_on") is None:  # the first of each kind counts
            day = date.fromisoformat(on)
            row[f"{stem}_on"], row[f"{stem}_days"] = day, (day - randomized).days
    return row


def visit_rows(group: list[tuple[str, Any]], timepoints: dict[str, str],
               columns: list[Column]) -> Iterable[dict[str, Any]]:
    p = next(content for kind, content in group if kind == "participant")
    randomized = date.fromisoformat(p["randomized_on"])
    visits = {c["timepoint"]: c for kind, c in group if kind == "visit"}
    responses: dict[str, dict[str, Any]] = {}
    for kind, c in group:
        if kind == "response":
            responses.setdefault(c["timepoint"], {})[c["instrument"]] = c
    for code, exported in timepoints.items():
        visit, answered = visits.get(code), responses.get(code, {})
        if visit is None and not answered:
            continue
        row = {"participant_id": p["participant_id"], "timepoint": exported,
               **_completion(visit, answered, randomized)}
        for column in columns:
            response = answered.get(column.variable.instrument)
            if response is not None:
                row[column.variable.name] = column.read(response["answers"] or {}, response["scores"] or {})
        yield row


def _completion(visit: Mapping[str, Any] | None, answered: Mapping[str, Any],
                randomized: date) -> dict[str, Any]:
    dates = sorted(r["completed_on"] for r in answered.values() if r["completed_on"])
    completed = (visit or {}).get("completed_on") or (dates[-1] if dates else None)
    modes = sorted({r["mode"] for r in answered.values() if r["mode"]})
    mode = (visit or {}).get("completion_mode") or (modes[0] if modes else None)
    status = visit["status"] if visit else "completed"
    days = (date.fromisoformat(completed) - randomized).days if completed else None
    return {"visit_status": status, "days_from_randomization": days, "completion_mode": mode}
