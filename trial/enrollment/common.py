"""Lookups and checks shared by the enrollment operations."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

from sqlalchemy import select

from .. import clock
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import Screening, Site
from ..policy import Access
from ..protocol import Protocol, current_protocol
from ..protocol.store import secret_context
from ..sealing import keyring

OPEN_STATES = ("screening", "eligible", "consented", "ready")


def protocol(access: Access) -> Protocol:
    """The trial's current protocol version (parsed once per version: trial.protocol.current_protocol)."""
    return current_protocol(access.trial)


def today(access: Access) -> date:
    return clock.today(access.trial.timezone)


def site_by_code(access: Access, code: object) -> Site:
    if not isinstance(code, str) or not code:
        raise InvalidInput("site is required", errors={"site": "give the site's code"})
    site = next((s for s in access.trial.sites if s.code == code), None)
    if site is None:
        raise InvalidInput(f"unknown site {code!r}", errors={"site": "not a site of this trial"})
    access.require_site(site)
    return site


def screening_by_uid(access: Access, uid: str) -> Screening:
    """The screening, its row locked for this transaction: every state change reads the status it changes
    under the lock, so a concurrent exclusion and randomization cannot both succeed."""
    screening = db.session.scalars(select(Screening).where(Screening.uid == uid,
                                                           Screening.trial_id == access.trial.id)
                                   .with_for_update().execution_options(populate_existing=True)).one_or_none()
    if screening is None:
        raise NotFound("no such screening in this trial")
    allowed = access.site_ids()
    if allowed is not None and screening.site_id not in allowed:
        raise Forbidden("this screening belongs to a site you do not work at")
    return screening


def require_state(screening: Screening, *states: str, doing: str) -> None:
    if screening.status not in states:
        raise Conflict(f"cannot {doing}: the screening is {screening.status}",
                       status_now=screening.status)


def not_in_future(access: Access, value: date, field: str) -> None:
    if value > today(access):
        raise InvalidInput(f"{field} is in the future", errors={field: f"{value} is after today"})


def trial_secret(access: Access) -> bytes:
    return keyring().decrypt(access.trial.allocation_secret, secret_context(access.trial.code))


def identity_index_key(access: Access) -> bytes:
    """A per-trial key for the identity blind index, derived from the trial's secret under its own label,
    so it survives encryption-key rotation and reveals nothing about the allocation lists."""
    return hmac.new(trial_secret(access), b"trial/identity-blind-index/v1", hashlib.sha256).digest()
