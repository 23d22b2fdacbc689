"""Re-consent: a newer consent version taken from someone who already consented or was randomized.

An amended information sheet must be consented to again (it is a new Consent row; the earlier ones
stay as they were). The checks are those of the first consent - version in force on the day, date,
method and signature, language, options, a guardian under the age of majority - except the state
rule; the identity and contact details recorded with the first consent are kept, not asked again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import Conflict, InvalidInput
from ..models import Consent, Screening
from ..policy import Access
from ..protocol import Protocol
from ..sealing import unseal
from .common import protocol, require_state
from .consent import ConsentForm, check_age, check_form, valid_version, write_consent  # the same validations, by design

RECONSENT_STATES = ("consented", "ready", "randomized")
# Someone who withdrew entirely or died is not asked again.
STOPPED = ("withdrawn-all", "died")


@dataclass(frozen=True)
class ReconsentForm:
    version: str
    consented_on: date
    method: str = "paper"
    signature: str | None = None
    guardian_name: str | None = None
    language: str = "nb"
    options: dict[str, bool] = field(default_factory=dict)


def _valid_from(p: Protocol, version: str) -> date | None:
    spec = p.consent_version(version)
    return spec.valid_from if spec else None


def newer_version(p: Protocol, screening: Screening, on: date) -> str | None:
    """The version in force on `on` if newer than the person's latest consent (re-consent due), else None."""
    if screening.status not in RECONSENT_STATES or not screening.consents:
        return None
    if screening.participant is not None and screening.participant.status in STOPPED:
        return None
    in_force = valid_version(p, on)
    latest = _valid_from(p, screening.consents[-1].version)
    if in_force is None or latest is None:
        return None
    newer = _valid_from(p, in_force)
    return in_force if newer is not None and newer > latest else None


def record_reconsent(access: Access, screening: Screening, form: ReconsentForm) -> Consent:
    """Record consent to a newer version; refuses a version not newer than the latest consent."""
    require_state(screening, *RECONSENT_STATES, doing="record a new consent")
    if screening.participant is not None and screening.participant.status in STOPPED:
        raise Conflict(f"cannot record a new consent: the participant is {screening.participant.status}")
    p = protocol(access)
    previous = screening.consents[-1]
    checked = ConsentForm(version=form.version, consented_on=form.consented_on,
                          name=unseal(screening, "name") or "", method=form.method, signature=form.signature,
                          guardian_name=form.guardian_name, language=form.language, options=form.options)
    check_form(access, screening, p, checked)
    _check_newer(p, previous, form)
    birth_date = unseal(screening, "birth_date")
    check_age(p, checked, date.fromisoformat(birth_date) if birth_date else None)
    return write_consent(access, screening, p, checked, action="consent.renewed",
                         details={"previous": previous.version})


def _check_newer(p: Protocol, previous: Consent, form: ReconsentForm) -> None:
    earlier, chosen = _valid_from(p, previous.version), _valid_from(p, form.version)
    if earlier is not None and chosen is not None and chosen <= earlier:
        raise Conflict(f"already consented to {previous.version}: re-consent needs a newer version",
                       errors={"version": "not newer than the latest consent"})
    if form.consented_on < previous.consented_on:
        raise InvalidInput("the new consent is dated before the earlier one",
                           errors={"consented_on": f"before the earlier consent ({previous.consented_on})"})
