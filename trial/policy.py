"""Who may do what: every view and API route states its permission here, and only here.

Permissions are checked against the signed-in user's membership in the trial named in the URL.
A coordinator acts only at their own sites; site roles never see allocation lists or block sizes.
`requires()` marks each view with its permission so a test can walk every route with every role.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import g
from sqlalchemy import select

from .errors import Forbidden, NotFound
from .extensions import db
from .models import Membership, Role, Site, Trial, User

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    ENROLL = "enroll"                     # screening log, eligibility, consent, baseline, randomization
    VIEW_PARTICIPANTS = "view-participants"
    FOLLOW_UP = "follow-up"               # responses, withdrawals, events
    VIEW_FLOW = "view-flow"               # CONSORT and monitoring
    LOCK_DATA = "lock-data"
    EXPORT_DATA = "export-data"
    MANAGE_TRIAL = "manage-trial"         # users, audit trail, outbox, linkage key file
    SEE_ARMS = "see-arms"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.COORDINATOR: frozenset({Permission.ENROLL, Permission.VIEW_PARTICIPANTS, Permission.FOLLOW_UP,
                                 Permission.VIEW_FLOW, Permission.SEE_ARMS}),
    Role.STATISTICIAN: frozenset({Permission.VIEW_FLOW, Permission.LOCK_DATA, Permission.EXPORT_DATA}),
    Role.UNBLINDED_STATISTICIAN: frozenset({Permission.VIEW_FLOW, Permission.LOCK_DATA, Permission.EXPORT_DATA,
                                            Permission.SEE_ARMS}),
    Role.ADMIN: frozenset({Permission.MANAGE_TRIAL, Permission.VIEW_FLOW}),
}


class Access:
    """The current user's standing in one trial."""

    def __init__(self, user: User, trial: Trial, membership: Membership, blinded: bool) -> None:
        self.user, self.trial, self.membership, self.blinded = user, trial, membership, blinded

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    def allows(self, permission: Permission) -> bool:
        if permission is Permission.SEE_ARMS and self.role is Role.COORDINATOR and self.blinded:
            return False
        return permission in GRANTS[self.role]

    @property
    def arms_hidden(self) -> bool:
        """Site staff of a blinded trial see no arm at all: not even a masked code, which counts per
        masked arm (an unequal ratio, a run of one arm) would soon decode."""
        return self.blinded and self.role is Role.COORDINATOR

    def site_ids(self) -> set[int] | None:
        """The sites this person may see; None means every site of the trial."""
        if self.role is Role.COORDINATOR:
            return {s.id for s in self.membership.sites}
        return None

    def require_site(self, site: Site) -> None:
        allowed = self.site_ids()
        if site.trial_id != self.trial.id or (allowed is not None and site.id not in allowed):
            raise Forbidden(f"you do not work at site {site.code!r}")

    @property
    def actor(self) -> str:
        return self.user.email


def access_to(user: User, trial_code: str) -> Access:
    trial = db.session.scalars(select(Trial).where(Trial.code == trial_code)).one_or_none()
    membership = None if trial is None else db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.trial_id == trial.id)).one_or_none()
    if trial is None or membership is None:
        # The same answer whether the trial does not exist or the user has no role in it.
        raise NotFound(f"no trial {trial_code!r} that you have a role in")
    from .protocol import current_protocol

    return Access(user, trial, membership, current_protocol(trial).trial.blinded)


def requires(permission: Permission | tuple[Permission, ...],
             user_getter: Callable[[], User | None]) -> Callable[[F], F]:
    """Decorate a view taking `trial` (the trial code): checks the permission and puts Access in g.access.

    A tuple of permissions lets in a role that has any of them."""
    wanted = (permission,) if isinstance(permission, Permission) else tuple(permission)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = user_getter()
            if user is None:
                raise Unauthenticated()
            access = access_to(user, kwargs["trial"])
            if not any(access.allows(p) for p in wanted):
                raise Forbidden(f"your role ({access.role}) does not allow this")
            g.access = access
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]  # read by the route-matrix test
        return wrapper  # type: ignore[return-value]  # same signature as the view

    return decorate


class Unauthenticated(Exception):
    """No valid credentials: a page redirects to sign-in, the API answers 401."""
