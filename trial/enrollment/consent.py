"""Taking consent: the version valid on the day, identity, contact details, optional consents, guardians."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import audit, clock
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..identity import NationalIdError, blind_index, validate_national_id
from ..models import Consent, ConsentDocument, Screening, Site
from ..policy import Access
from ..protocol import Protocol
from ..sealing import seal
from .common import identity_index_key, not_in_future, protocol, require_state

METHODS = ("electronic", "paper")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ]{5,20}$")


@dataclass(frozen=True)
class ConsentForm:
    version: str
    consented_on: date
    name: str
    national_id: str | None = None
    email: str | None = None
    phone: str | None = None
    method: str = "paper"
    signature: str | None = None        # the name typed by the participant when signing on the device
    guardian_name: str | None = None
    language: str = "nb"
    options: dict[str, bool] = field(default_factory=dict)


def valid_version(p: Protocol, on: date) -> str | None:
    """The consent version in force on a date: the newest one whose valid_from is not after it."""
    valid = [c for c in p.consent if c.valid_from <= on]
    return valid[-1].version if valid else None


def record_consent(access: Access, screening: Screening, form: ConsentForm) -> Consent:
    require_state(screening, "eligible", doing="record consent")
    p = protocol(access)
    check_form(access, screening, p, form)
    identity = _identity(access, screening, form)
    check_age(p, form, identity.birth_date if identity else None)
    seal(screening, "name", form.name.strip())
    seal(screening, "email", form.email)
    seal(screening, "phone", form.phone)
    if identity is not None:
        seal(screening, "national_id", identity.number)
        seal(screening, "birth_date", identity.birth_date.isoformat())
        screening.national_id_index = blind_index(identity_index_key(access), identity.number)
    screening.language, screening.status = form.language, "consented"
    return write_consent(access, screening, p, form, action="consent.recorded")


def write_consent(access: Access, screening: Screening, p: Protocol, form: ConsentForm, *, action: str,
                  details: dict[str, object] | None = None) -> Consent:
    """Store a checked consent against the exact document text it was given on, and audit it."""
    document = db.session.scalars(select(ConsentDocument).where(
        ConsentDocument.trial_id == access.trial.id, ConsentDocument.version == form.version,
        ConsentDocument.language == form.language)).one_or_none()
    if document is None:
        raise InvalidInput("no consent document in that language",
                           errors={"language": f"{form.version} has no document in {form.language}"})
    consent = Consent(screening=screening, version=form.version, language=form.language,
                      consented_on=form.consented_on, method=form.method, document_sha256=document.sha256,
                      options={o.code: bool(form.options.get(o.code, False)) for o in p.consent_options},
                      taken_by=access.actor, recorded_at=clock.now())
    seal(consent, "signature", form.signature)
    seal(consent, "guardian_name", form.guardian_name)
    db.session.add(consent)
    db.session.flush()
    audit.record(db.session, actor=access.actor, action=action, trial_code=access.trial.code,
                 entity=f"screening:{screening.uid}",
                 details={"version": form.version, "method": form.method, "options": consent.options,
                          "guardian": form.guardian_name is not None, **(details or {})})
    return consent


def check_form(access: Access, screening: Screening, p: Protocol, form: ConsentForm) -> None:
    errors: dict[str, str] = {}
    not_in_future(access, form.consented_on, "consented_on")
    if form.consented_on < screening.referred_on:
        errors["consented_on"] = f"before the referral ({screening.referred_on})"
    in_force = valid_version(p, form.consented_on)
    if p.consent_version(form.version) is None:
        errors["version"] = f"unknown consent version (versions: {', '.join(c.version for c in p.consent)})"
    elif form.version != in_force:
        errors["version"] = f"{form.version} is not the version in force on {form.consented_on} ({in_force})"
    if not form.name.strip() or len(form.name) > 200:
        errors["name"] = "the participant's full name is required"
    if form.email is not None and not EMAIL.match(form.email):
        errors["email"] = "not an e-mail address"
    if form.phone is not None and not PHONE.match(form.phone):
        errors["phone"] = "digits, spaces and a leading + only"
    if form.method not in METHODS:
        errors["method"] = f"one of {', '.join(METHODS)}"
    elif form.method == "electronic" and not (form.signature or "").strip():
        errors["signature"] = "the participant signs by typing their name"
    if form.language not in p.trial.languages:
        errors["language"] = f"one of {', '.join(p.trial.languages)}"
    unknown = set(form.options) - {o.code for o in p.consent_options}
    if unknown:
        errors["options"] = f"unknown consent option {', '.join(sorted(unknown))}"
    elif any(not isinstance(v, bool) for v in form.options.values()):
        # "no" must never be read as consent: only true and false are answers.
        errors["options"] = "each optional consent is true or false"
    if errors:
        raise InvalidInput("the consent cannot be recorded", errors=errors)


def _identity(access: Access, screening: Screening, form: ConsentForm):  # noqa: ANN202 - NationalId | None
    if not form.national_id:
        return None
    try:
        identity = validate_national_id(
            form.national_id, allow_synthetic=bool(current_app.config["ALLOW_SYNTHETIC_NATIONAL_IDS"]))
    except NationalIdError as exc:
        raise InvalidInput("the national identity number is not valid", errors={"national_id": str(exc)}) from exc
    index = blind_index(identity_index_key(access), identity.number)
    other = db.session.scalars(select(Screening).where(
        Screening.trial_id == access.trial.id, Screening.national_id_index == index, Screening.id != screening.id,
        Screening.status.in_(("consented", "ready", "randomized")))).first()
    if other is not None:
        site = db.session.get(Site, other.site_id)
        where = site.name if site else "another site"
        raise Conflict(f"this person is already enrolled in the trial at {where}",
                       errors={"national_id": "already enrolled"}, site=where)
    return identity


def check_age(p: Protocol, form: ConsentForm, birth_date: date | None) -> None:
    if birth_date is None:
        return
    on = form.consented_on
    if birth_date > on:
        raise InvalidInput("the identity number gives a birth date after the consent date",
                           errors={"national_id": "check the number"})
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < p.trial.age_of_majority and not (form.guardian_name or "").strip():
        raise InvalidInput(f"the participant is under {p.trial.age_of_majority}: a guardian must consent too",
                           errors={"guardian_name": "required for a participant under the age of majority"})
