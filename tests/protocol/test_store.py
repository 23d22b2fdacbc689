"""A loaded protocol is a versioned trial definition; amendments add versions and never rewrite history."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from trial.extensions import db
from trial.models import AuditEvent, ConsentDocument, Site, Trial, TrialVersion
from trial.protocol import ProtocolError, current_protocol, load_file, store

from ..helpers import EXAMPLE_PROTOCOL, example_data, write_protocol


def _store(app: Flask, path: Path):  # noqa: ANN202 - StoreResult
    result = store(db.session, load_file(path), actor="test", keyring=app.config["KEYRING"])
    db.session.commit()
    return result


def _versions() -> list[int]:
    return list(db.session.scalars(select(TrialVersion.number).order_by(TrialVersion.number)))


def test_loading_creates_the_trial_with_sites_arms_consent_and_a_secret(app: Flask) -> None:
    result = _store(app, EXAMPLE_PROTOCOL)
    assert result.outcome == "created" and result.version.number == 1
    trial = db.session.scalars(select(Trial)).one()
    assert [s.prefix for s in trial.sites] == ["OSL", "HAD", "VES", "AKE", "ELV", "BER"]
    assert [a.code for a in trial.arms] == ["ips", "control"]
    docs = db.session.scalars(select(ConsentDocument).order_by(ConsentDocument.language)).all()
    assert [(d.version, d.language) for d in docs] == [("v1", "en"), ("v1", "nb")]
    secret = app.config["KEYRING"].decrypt(trial.allocation_secret, f"trial.allocation_secret|{trial.code}")
    assert len(secret) == 32
    assert current_protocol(trial) == load_file(EXAMPLE_PROTOCOL).protocol
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions == ["protocol.load"]


def test_loading_the_same_protocol_again_changes_nothing(app: Flask) -> None:
    _store(app, EXAMPLE_PROTOCOL)
    again = _store(app, EXAMPLE_PROTOCOL)
    assert again.outcome == "unchanged"
    assert _versions() == [1]


def test_an_amendment_adds_a_version_and_keeps_the_first_intact(app: Flask, tmp_path: Path) -> None:
    first = _store(app, EXAMPLE_PROTOCOL).version.definition
    data = example_data()
    data["sites"].append({"code": "tromso", "name": "Tromsø", "prefix": "TRO"})
    data["trial"]["title"] = "IPS in Norway"
    result = _store(app, write_protocol(tmp_path, data))
    assert result.outcome == "amended" and _versions() == [1, 2]
    v1 = db.session.scalars(select(TrialVersion).where(TrialVersion.number == 1)).one()
    assert v1.definition == first
    assert "tromso" in {s.code for s in db.session.scalars(select(Site))}
    assert result.trial.title == "IPS in Norway"
    assert "protocol.amend" in set(db.session.scalars(select(AuditEvent.action)))


def test_a_new_consent_version_can_be_added_from_a_future_date_only(app: Flask, tmp_path: Path) -> None:
    data = example_data()
    data["consent"].append({"version": "v2", "valid_from": date(2014, 6, 1),
                            "document": {"nb": "consent/ips-norway-v1.nb.md", "en": "consent/ips-norway-v1.en.md"}})
    with time_machine.travel(date(2014, 6, 1)):
        _store(app, EXAMPLE_PROTOCOL)
        with pytest.raises(ProtocolError, match="new version 'v2' must come into force after today"):
            _store(app, write_protocol(tmp_path, data))
        db.session.rollback()
    with time_machine.travel(date(2014, 5, 20)):
        _store(app, write_protocol(tmp_path, data))
    assert db.session.scalar(select(func.count()).select_from(ConsentDocument)) == 4


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: [d["arms"][1].update(code="usual")] + [q["ratio"].update(usual=q["ratio"].pop("control"))
                                                        for q in d["randomization"]["periods"]],
     "arms: cannot change the arms"),
    (lambda d: d["randomization"]["periods"][0]["ratio"].update(ips=3), "period 'start-up' has started"),
    (lambda d: d["randomization"].update(block_multipliers=[1, 2, 3]), "block_multipliers: cannot change"),
    (lambda d: d["sites"].pop(), "sites: 'bergen' cannot be removed"),
    (lambda d: d["sites"][0].update(prefix="OSX"), "cannot change its participant-id prefix"),
    (lambda d: d["consent"][0].update(document="consent/ips-norway-v1.en.md"), "version 'v1' is approved"),
    (lambda d: d["trial"].update(timezone="UTC"), "trial.timezone: cannot change"),
])
def test_changes_that_would_break_running_randomization_are_refused(app: Flask, tmp_path: Path, change,
                                                                     message: str) -> None:
    _store(app, EXAMPLE_PROTOCOL)
    data = example_data()
    change(data)
    with pytest.raises(ProtocolError, match=message):
        _store(app, write_protocol(tmp_path, data))
    db.session.rollback()
    assert _versions() == [1]


def test_periods_that_have_not_started_may_still_change(app: Flask, tmp_path: Path) -> None:
    with time_machine.travel(date(2013, 9, 15)):
        _store(app, EXAMPLE_PROTOCOL)
        data = example_data()
        data["randomization"]["periods"][0]["ratio"] = {"ips": 3, "control": 2}
        assert _store(app, write_protocol(tmp_path, data)).outcome == "amended"


def test_the_running_period_may_be_extended_but_not_ended_in_the_past(app: Flask, tmp_path: Path) -> None:
    with time_machine.travel(date(2014, 1, 10)):
        _store(app, EXAMPLE_PROTOCOL)
        data = example_data()
        data["randomization"]["periods"][0]["ends"] = date(2014, 1, 5)
        data["randomization"]["periods"][1]["starts"] = date(2014, 1, 6)
        with pytest.raises(ProtocolError, match="cannot end in the past"):
            _store(app, write_protocol(tmp_path, data))
        db.session.rollback()
        data["randomization"]["periods"][0]["ends"] = date(2014, 3, 1)
        data["randomization"]["periods"][1]["starts"] = date(2014, 3, 2)
        assert _store(app, write_protocol(tmp_path, data)).outcome == "amended"


def test_count_based_periods_cannot_change_once_anyone_is_randomized(app: Flask, tmp_path: Path) -> None:
    from trial.models import Participant, Screening

    data = example_data()
    data["randomization"]["periods"] = [{"name": "start-up", "ratio": {"ips": 2, "control": 1}, "first_n": 12},
                                        {"name": "main", "ratio": {"ips": 1, "control": 1}}]
    trial = _store(app, write_protocol(tmp_path, data)).trial
    data["randomization"]["periods"][0]["first_n"] = 9
    assert _store(app, write_protocol(tmp_path, data, "v2.toml")).outcome == "amended"  # nobody randomized yet
    screening = Screening(trial_id=trial.id, site_id=trial.sites[0].id, referred_on=date(2014, 1, 2),
                          status="randomized", created_at=trial.created_at, created_by="test")
    db.session.add(Participant(code="OSL-0001", trial_id=trial.id, site_id=trial.sites[0].id, screening=screening,
                               arm="ips", randomized_on=date(2014, 1, 2)))
    db.session.commit()
    data["randomization"]["periods"][0]["first_n"] = 6
    with pytest.raises(ProtocolError, match="period 'start-up' has started"):
        _store(app, write_protocol(tmp_path, data, "v3.toml"))
