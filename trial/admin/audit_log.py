"""Reading the audit trail as a trial's administrator sees it: filtered, paged, with the chain's state.

An administrator sees the trial's own entries, entries about the accounts of its members (sign-ins,
lockouts, tokens) and system entries about no account (key rotation); not other trials' staff.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from .. import audit
from ..extensions import db
from ..models import AuditEvent, Membership
from ..policy import Access

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor: str = ""
    entity: str = ""
    date_from: date | None = None
    date_to: date | None = None       # inclusive


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    number: int
    pages: int
    total: int


@dataclass(frozen=True)
class ChainState:
    entries: int
    first_break: audit.ChainBreak | None
    breaks: int


def _scope(access: Access) -> ColumnElement[bool]:
    members = [f"user:{uid}" for uid in db.session.scalars(
        select(Membership.user_id).where(Membership.trial_id == access.trial.id))]
    about_no_account = or_(AuditEvent.entity.is_(None), not_(AuditEvent.entity.startswith("user:")))
    return or_(AuditEvent.trial_code == access.trial.code,
               and_(AuditEvent.trial_code.is_(None), or_(about_no_account, AuditEvent.entity.in_(members))))


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _conditions(access: Access, filters: Filters) -> list[ColumnElement[bool]]:
    """Dates are the trial's own calendar days (its time zone), like every other date it shows."""
    zone = ZoneInfo(access.trial.timezone)
    conditions = [_scope(access)]
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor:
        conditions.append(func.lower(AuditEvent.actor).contains(filters.actor.lower(), autoescape=True))
    if filters.entity:
        conditions.append(AuditEvent.entity.startswith(filters.entity, autoescape=True))
    if filters.date_from:
        conditions.append(AuditEvent.at >= _local_midnight(filters.date_from, zone))
    if filters.date_to:
        conditions.append(AuditEvent.at < _local_midnight(filters.date_to + timedelta(days=1), zone))
    return conditions


def actions(access: Access) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(_scope(access)).distinct()
                                   .order_by(AuditEvent.action)))


def page(access: Access, filters: Filters, number: int) -> Page:
    """One page of matching entries, newest first."""
    conditions = _conditions(access, filters)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    events = db.session.scalars(select(AuditEvent).where(*conditions).order_by(AuditEvent.seq.desc())
                                .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return Page(list(events), number, pages, total)


def chain_state() -> ChainState:
    """The whole chain is checked (a break anywhere concerns every trial), the first break named."""
    breaks = audit.verify_session(db.session)
    entries = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return ChainState(entries, breaks[0] if breaks else None, len(breaks))
