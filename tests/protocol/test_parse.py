"""A protocol is validated completely; an inconsistent one is refused naming the field and the problem."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trial.protocol import ProtocolError, load_file, parse

from ..helpers import EXAMPLE_PROTOCOL, example_data, write_protocol


def test_the_example_protocol_describes_the_ips_trial() -> None:
    p = load_file(EXAMPLE_PROTOCOL).protocol
    assert p.trial.code == "ips-norway" and p.trial.timezone == "Europe/Oslo"
    assert p.arm_codes() == ("ips", "control")
    assert [s.code for s in p.sites] == ["oslo", "hadeland", "vestfold", "akershus", "elverum", "bergen"]
    startup, main = p.randomization.periods
    assert (startup.ratio, startup.starts, startup.ends) == ({"ips": 2, "control": 1}, date(2013, 10, 11),
                                                             date(2014, 2, 1))
    assert (main.ratio, main.starts, main.ends) == ({"ips": 1, "control": 1}, date(2014, 2, 2), None)
    assert [(t.code, t.offset_months) for t in p.timepoints] == [("baseline", 0), ("6m", 6), ("12m", 12)]
    assert all(t.instruments == ("hads", "eq5d5l", "whodas12") for t in p.timepoints)
    assert p.instrument_options == {"eq5d5l": {"value_set": "norway"}}
    assert set(p.consent[0].documents) == {"nb", "en"}


def test_the_example_consent_documents_are_read_in_both_languages() -> None:
    loaded = load_file(EXAMPLE_PROTOCOL)
    assert "Frivillig deltakelse" in loaded.consent_texts[("v1", "nb")]
    assert "Voluntary participation" in loaded.consent_texts[("v1", "en")]
    assert len(loaded.protocol.consent[0].sha256["nb"]) == 64


def test_a_stored_definition_parses_back_to_the_same_protocol() -> None:
    p = load_file(EXAMPLE_PROTOCOL).protocol
    assert parse(p.definition()) == p


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return mutate


_DELETE = object()

BROKEN: list[tuple[str, Mutation, str]] = [
    ("ratio names an unknown arm", _set("randomization.periods.0.ratio", {"ips": 2, "placebo": 1}),
     "randomization.periods[0].ratio: names unknown arm 'placebo'"),
    ("ratio of zero", _set("randomization.periods.1.ratio", {"ips": 1, "control": 0}),
     "randomization.periods[1].ratio.control: must be a whole number of at least 1"),
    ("overlapping periods", _set("randomization.periods.1.starts", date(2014, 1, 20)),
     "randomization.periods[1].starts: 2014-01-20 overlaps period 'start-up'"),
    ("gapped periods", _set("randomization.periods.1.starts", date(2014, 2, 10)),
     "leaves a gap after period 'start-up': 2014-02-02 to 2014-02-09 is in no period"),
    ("period ends before it starts", _set("randomization.periods.0.ends", date(2013, 1, 1)),
     "randomization.periods[0].ends: 2013-01-01 is before starts 2013-10-11"),
    ("open period followed by another", _set("randomization.periods.0.ends", _DELETE),
     "randomization.periods[0].ends: is required: period 'start-up' is followed by 'main'"),
    ("unknown instrument", _set("timepoints.1.instruments", ["hads", "sf36"]),
     "timepoints[1].instruments: 'sf36' is not a known instrument"),
    ("unknown value set", _set("instruments.eq5d5l.value_set", "atlantis"),
     "instruments.eq5d5l.value_set: 'atlantis' is not a value set of eq5d5l"),
    ("fractional block multiplier", _set("randomization.block_multipliers", [1.5, 2]),
     "1.5 cannot hold the ratio 2:1 of period 'start-up'"),
    ("empty block multipliers", _set("randomization.block_multipliers", []),
     "randomization.block_multipliers: must not be empty"),
    ("duplicate site codes", _set("sites.1.code", "oslo"), "sites[1].code: duplicate code 'oslo'"),
    ("duplicate arm codes", _set("arms.1.code", "ips"), "arms[1].code: duplicate code 'ips'"),
    ("duplicate timepoint codes", _set("timepoints.2.code", "6m"), "timepoints[2].code: duplicate code '6m'"),
    ("bad date string", _set("consent.0.valid_from", "2013-02-30"),
     "consent[0].valid_from: '2013-02-30' is not a valid date"),
    ("unknown time zone", _set("trial.timezone", "Europe/Bergen"), "trial.timezone: 'Europe/Bergen' is not a known"),
    ("misspelt key", _set("trial.titel", "x"), "trial.titel: unknown key"),
    ("one arm", _set("arms", [{"code": "ips", "label": "IPS"}]), "arms: a randomized trial needs at least two arms"),
    ("no baseline", _set("timepoints.0.offset_months", 3), "needs exactly one baseline timepoint"),
    ("reminder after the window", _set("timepoints.1.reminder_days", [7, 90]),
     "timepoints[1].reminder_days: 90 days is after the window closes"),
    ("stratifying by an undeclared factor", _set("randomization.stratify_by", ["site", "aap"]),
     "'aap' is neither 'site' nor a declared [[factors]] code"),
    ("unknown method", _set("randomization.method", "coin-toss"), "randomization.method: 'coin-toss' is not a method"),
    ("consent without a document", _set("consent.0.document", _DELETE), "consent[0].document: is required"),
    ("bad code", _set("trial.code", "IPS Norway"), "trial.code: 'IPS Norway' is not a valid code"),
    ("unknown exclusion category", _set("exclusion_reasons.0.category", "lost"),
     "exclusion_reasons[0].category: must be one of not-eligible, declined, other"),
]


@pytest.mark.parametrize(("mutate", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_an_inconsistent_protocol_is_refused_naming_the_field(tmp_path: Path, mutate: Mutation, message: str) -> None:
    data = example_data()
    mutate(data)
    with pytest.raises(ProtocolError) as refused:
        load_file(write_protocol(tmp_path, data))
    assert message in str(refused.value), str(refused.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = example_data()
    data["trial"]["timezone"] = "Mars/Olympus"
    data["sites"][1]["code"] = "oslo"
    data["randomization"]["block_multipliers"] = [0]
    with pytest.raises(ProtocolError) as refused:
        load_file(write_protocol(tmp_path, data))
    assert len(refused.value.problems) >= 3


def test_a_missing_consent_document_is_named(tmp_path: Path) -> None:
    data = example_data()
    data["consent"][0]["document"] = {"nb": "consent/ips-norway-v1.nb.md", "en": "consent/missing.en.md"}
    with pytest.raises(ProtocolError, match=r"consent\[0\].document: consent document 'consent/missing.en.md' "
                                            "is missing"):
        load_file(write_protocol(tmp_path, data))


def test_a_consent_document_outside_the_protocol_folder_is_refused(tmp_path: Path) -> None:
    data = example_data()
    data["consent"][0]["document"] = "../../etc/passwd"
    with pytest.raises(ProtocolError, match="outside the protocol's folder"):
        load_file(write_protocol(tmp_path, data))


def test_a_file_that_is_not_toml_is_refused_with_the_parser_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[trial]\ncode = \nstarts = 2013-13-45\n")
    with pytest.raises(ProtocolError, match="not valid TOML"):
        load_file(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="no such file"):
        load_file(tmp_path / "nothing.toml")


def test_count_based_periods_are_accepted(tmp_path: Path) -> None:
    data = example_data()
    data["randomization"]["periods"] = [
        {"name": "start-up", "ratio": {"ips": 2, "control": 1}, "first_n": 12},
        {"name": "main", "ratio": {"ips": 1, "control": 1}}]
    p = load_file(write_protocol(tmp_path, data)).protocol
    assert [q.first_n for q in p.randomization.periods] == [12, None]


def test_count_and_date_periods_cannot_be_mixed(tmp_path: Path) -> None:
    data = example_data()
    data["randomization"]["periods"][1]["first_n"] = 5
    with pytest.raises(ProtocolError, match="choose periods by date or by count"):
        load_file(write_protocol(tmp_path, data))


def test_a_plain_consent_path_serves_every_language(tmp_path: Path) -> None:
    data = example_data()
    data["consent"][0]["document"] = "consent/ips-norway-v1.en.md"
    p = load_file(write_protocol(tmp_path, data)).protocol
    assert p.consent[0].documents == {"nb": "consent/ips-norway-v1.en.md", "en": "consent/ips-norway-v1.en.md"}
