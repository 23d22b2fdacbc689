"""What a trial's administrator does to staff accounts: add, re-role, disable, reset the second factor,
revoke API tokens. Each change is audited with its reason in the caller's transaction (the view commits).

An account can hold roles in several trials, but disabling it or resetting its second factor acts on
all of them, so only someone who administers every trial the account works in may do either.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import func, select

from .. import audit, clock
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import ApiToken, Membership, Role, Site, User
from ..models.enrollment import new_uid
from ..passwords import hash_password, one_time_password
from ..policy import Access


@dataclass(frozen=True)
class Created:
    user: User
    password: str | None       # shown once; None when the account existed and keeps its password


def members(access: Access) -> list[Membership]:
    return list(db.session.scalars(select(Membership).join(User).where(Membership.trial_id == access.trial.id)
                                   .order_by(User.email)))


def member(access: Access, user_id: int) -> Membership:
    """The membership of `user_id` in this trial; 404 for anyone else's account."""
    found = db.session.scalars(select(Membership).where(Membership.trial_id == access.trial.id,
                                                        Membership.user_id == user_id)).one_or_none()
    if found is None:
        raise NotFound("no such member of this trial")
    return found


def sites_for(access: Access, role: Role, codes: list[str]) -> list[Site]:
    """The sites a role is given: a coordinator needs at least one, the other roles see the whole trial."""
    by_code = {s.code: s for s in access.trial.sites}
    if role is Role.COORDINATOR and not codes:
        raise InvalidInput("a coordinator needs at least one site",
                           errors={"sites": "choose at least one site"})
    if role is not Role.COORDINATOR and codes:
        raise InvalidInput("only coordinators work at chosen sites",
                           errors={"sites": "leave the sites empty"})
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise InvalidInput("unknown site",
                           errors={"sites": f"not a site of this trial: {', '.join(unknown)}"})
    return [by_code[c] for c in codes]


def _record(access: Access, action: str, user: User, reason: str | None = None, **details: object) -> None:
    audit.record(db.session, actor=access.actor, action=action, trial_code=access.trial.code,
                 entity=f"user:{user.id}", details=details, reason=reason, remote_addr=request.remote_addr)


def add(access: Access, email: str, role: Role, sites: list[Site]) -> Created:
    """Give `email` a role here; a new account gets a one-time password (returned once) and sets up its
    second factor at the first sign-in."""
    email = email.strip().lower()
    user = db.session.scalars(select(User).where(func.lower(User.email) == email)).one_or_none()
    password = None
    if user is None:
        password = one_time_password()
        user = User(email=email, password_hash=hash_password(password), must_change_password=True,
                    created_at=clock.now(), uid=new_uid())
        db.session.add(user)
        db.session.flush()
        _record(access, "user.created", user)
    elif any(m.trial_id == access.trial.id for m in user.memberships):
        raise Conflict("this person already has a role in the trial", errors={"email": "already a member"})
    db.session.add(Membership(user=user, trial=access.trial, role=role.value, sites=sites))
    db.session.flush()
    _record(access, "user.role_granted", user, role=role.value, sites=[s.code for s in sites])
    return Created(user, password)


def _not_self(access: Access, user: User, doing: str) -> None:
    if user.id == access.user.id:
        raise Forbidden(f"you cannot {doing} yourself; ask another administrator")


def change_role(access: Access, membership: Membership, role: Role, sites: list[Site], reason: str) -> None:
    _not_self(access, membership.user, "change the role of")
    before = {"role": membership.role, "sites": [s.code for s in membership.sites]}
    after = {"role": role.value, "sites": [s.code for s in sites]}
    if before == after:
        raise InvalidInput("nothing to change", errors={"role": "the role and sites are already these"})
    membership.role, membership.sites = role.value, sites
    db.session.flush()
    _record(access, "user.role_changed", membership.user, reason, before=before, after=after)


def _administers_every_trial_of(access: Access, user: User) -> None:
    mine = set(db.session.scalars(select(Membership.trial_id).where(
        Membership.user_id == access.user.id, Membership.role == Role.ADMIN.value)))
    if any(m.trial_id not in mine for m in user.memberships):
        raise Forbidden("this account also works in a trial you do not administer; "
                        "ask that trial's administrator")


def set_active(access: Access, user: User, active: bool, reason: str) -> None:
    _not_self(access, user, "disable or enable")
    _administers_every_trial_of(access, user)
    if user.active == active:
        raise Conflict("the account is already " + ("enabled" if active else "disabled"))
    user.active = active
    if active:
        user.failed_sign_ins, user.locked_until = 0, None
    _record(access, "user.enabled" if active else "user.disabled", user, reason)


def reset_second_factor(access: Access, user: User, reason: str) -> None:
    """Forget the authenticator app: the next sign-in sets up a new one; open sessions end."""
    _not_self(access, user, "reset the second factor of")
    _administers_every_trial_of(access, user)
    user.totp_secret_enc, user.totp_enabled_at, user.totp_last_step = None, None, None
    _record(access, "user.second_factor_reset", user, reason)


def _members_tokens(access: Access):  # noqa: ANN202 - a Select of (ApiToken, User)
    return (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .join(Membership, Membership.user_id == User.id).where(Membership.trial_id == access.trial.id))


def tokens(access: Access) -> list[tuple[ApiToken, User]]:
    """API tokens of this trial's members, newest first."""
    newest_first = (ApiToken.created_at.desc(), ApiToken.id.desc())
    rows = db.session.execute(_members_tokens(access).order_by(*newest_first))
    return [(t, u) for t, u in rows]


def token(access: Access, token_id: int) -> tuple[ApiToken, User]:
    found = db.session.execute(_members_tokens(access).where(ApiToken.id == token_id)).one_or_none()
    if found is None:
        raise NotFound("no such API token of this trial's members")
    return found[0], found[1]


def revoke_token(access: Access, token_id: int, reason: str) -> ApiToken:
    row, user = token(access, token_id)
    if row.revoked_at is not None:
        raise Conflict("the token is already revoked")
    row.revoked_at = clock.now()
    _record(access, "token.revoked", user, reason, token=row.prefix)
    return row
