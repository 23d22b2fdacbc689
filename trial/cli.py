"""The `trial` command group: `flask --app wsgi trial ...`."""
from __future__ import annotations

import getpass

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import audit, clock, migrate
from .extensions import db
from .models import AuditEvent, AuditHead, Membership, Role, Site, Trial, User
from .models.enrollment import new_uid
from .passwords import hash_password, one_time_password
from .protocol import ProtocolError, load_file, store

group = AppGroup("trial", help="Trial administration: database, protocols, users, audit.")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@group.command("init-db")
def init_db() -> None:
    """Apply all database migrations to DATABASE_URL."""
    migrate.upgrade(db.engine)
    revision = migrate.current_revision(db.engine)
    click.echo(f"database {_safe_url(current_app.config['DATABASE_URL'])} is at revision {revision}")


@group.command("load-protocol")
@click.argument("path", type=click.Path(dir_okay=False))
def load_protocol(path: str) -> None:
    """Create a trial from a protocol file, or add an amendment version of an existing one."""
    try:
        loaded = load_file(path)
        result = store(db.session, loaded, actor=_actor(), keyring=current_app.config["KEYRING"])
    except ProtocolError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    verb = {"created": "created", "amended": "amended to", "unchanged": "unchanged at"}[result.outcome]
    click.echo(f"trial {result.trial.code} {verb} version {result.version.number} "
               f"({len(result.trial.sites)} sites, {len(result.trial.arms)} arms)")


def _trial(code: str) -> Trial:
    trial = db.session.scalars(select(Trial).where(Trial.code == code)).one_or_none()
    if trial is None:
        raise click.ClickException(f"no trial {code!r}; load its protocol first")
    return trial


def _sites(trial: Trial, role: Role, codes: tuple[str, ...]) -> list[Site]:
    if role is Role.COORDINATOR and not codes:
        raise click.ClickException("a coordinator needs at least one --site")
    if role is not Role.COORDINATOR and codes:
        raise click.ClickException(f"--site is only for coordinators; a {role} sees the whole trial")
    by_code = {s.code: s for s in trial.sites}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise click.ClickException(f"unknown site {', '.join(unknown)} (sites: {', '.join(by_code)})")
    return [by_code[c] for c in codes]


def add_member(email: str, role: Role, trial: Trial, sites: list[Site]) -> tuple[User, str | None]:
    """Give `email` a role in `trial`; a new account gets a one-time password, returned once."""
    user = db.session.scalars(select(User).where(func.lower(User.email) == email.lower())).one_or_none()
    password = None
    if user is None:
        password = one_time_password()
        user = User(email=email.lower(), password_hash=hash_password(password), must_change_password=True,
                    created_at=clock.now(), uid=new_uid())
        db.session.add(user)
    elif any(m.trial_id == trial.id for m in user.memberships):
        raise click.ClickException(f"{email} already has a role in {trial.code}")
    db.session.add(Membership(user=user, trial=trial, role=role.value, sites=sites))
    db.session.flush()
    audit.record(db.session, actor=_actor(), action="user.role_granted", trial_code=trial.code,
                 entity=f"user:{user.id}", details={"role": role.value, "sites": [s.code for s in sites]})
    return user, password


@group.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--site", "sites", multiple=True, help="A site code; repeat for a coordinator of several sites.")
@click.option("--trial", "trial_code", required=True, help="The trial's code.")
def create_user(email: str, role: str, sites: tuple[str, ...], trial_code: str) -> None:
    """Create a staff account with a role in a trial; prints a one-time password."""
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise click.ClickException(f"{email!r} is not an e-mail address")
    trial = _trial(trial_code)
    user, password = add_member(email, Role(role), trial, _sites(trial, Role(role), sites))
    db.session.commit()
    if password is None:
        click.echo(f"{user.email} now has the role {role} in {trial.code} (existing account, password unchanged)")
    else:
        click.echo(f"created {user.email} ({role} in {trial.code})")
        click.echo(f"one-time password: {password}")
        click.echo("it must be changed at the first sign-in, where the user also sets up an authenticator app "
                   "(second factor)")


@group.command("demo-admin")
@click.option("--trial", "trial_code", required=True)
@click.option("--email", default="admin@example.org", show_default=True)
def demo_admin(trial_code: str, email: str) -> None:
    """Create the demo admin once (used by `make run`); later runs say it exists."""
    trial = _trial(trial_code)
    existing = db.session.scalars(select(User).where(User.email == email)).one_or_none()
    if existing is not None:
        click.echo(f"demo admin {email} exists (its one-time password was printed when it was created)")
        return
    user, password = add_member(email, Role.ADMIN, trial, [])
    db.session.commit()
    click.echo("")
    click.echo("  Demo admin (shown once; at first sign-in choose your own password and set up an")
    click.echo("  authenticator app for the second factor):")
    click.echo(f"    e-mail:   {user.email}")
    click.echo(f"    password: {password}")
    click.echo("")


@group.command("verify-audit")
def verify_audit() -> None:
    """Check the audit trail's hash chain; exits non-zero on any break."""
    breaks = audit.verify_session(db.session)
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    if breaks:
        for b in breaks:
            click.echo(f"entry {b.seq}: {b.problem}", err=True)
        raise click.ClickException(f"audit trail is broken ({len(breaks)} problem(s) in {count} entries)")
    head = db.session.get(AuditHead, 1)
    click.echo(f"audit trail intact: {count} entries, tip {head.last_hash[:16] if head else 'none'}")


@group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app with the development server (used by `make run`; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    from .followups import start_background_scheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app, not the proxy
    if start_background_scheduler(app) is not None:
        click.echo("follow-up dispatcher: running every minute in this process (SCHEDULER_ENABLED)")
    click.echo(f"serving {app.config['DATABASE_URL'].split('///')[-1]} on http://{host}:{port}/ (Ctrl+C stops)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@group.command("issue-token")
@click.argument("email")
@click.option("--days", type=int, default=None, help="Expire after this many days (default: no expiry).")
def issue_token(email: str, days: int | None) -> None:
    """Print a new API bearer token for a user (stored hashed; shown only now)."""
    from datetime import timedelta

    from . import tokens

    user = db.session.scalars(select(User).where(func.lower(User.email) == email.lower())).one_or_none()
    if user is None or not user.active:
        raise click.ClickException(f"no active user {email!r}")
    token = tokens.issue(db.session, user, _actor(), timedelta(days=days) if days else None)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once; send it as 'Authorization: Bearer <token>'):")
    click.echo(token)


@group.command("dispatch")
def dispatch() -> None:
    """Run one pass of the follow-up dispatcher (open windows, send due invitations and reminders,
    mark missed visits) and print what it did."""
    from .followups.dispatcher import run_pass
    from .followups.mailer import MailConfigError

    try:
        reports = run_pass()
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    for report in reports:
        click.echo(report.summary())
    if not reports:
        click.echo("no trials: nothing to do")


@group.command("scheduler")
def scheduler() -> None:
    """Run the follow-up dispatcher every minute until stopped (its own process; Ctrl+C stops)."""
    from .followups.scheduler import INTERVAL_SECONDS, run_blocking_scheduler

    click.echo(f"follow-up dispatcher runs every {INTERVAL_SECONDS} s (Ctrl+C stops)")
    run_blocking_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]  # the real app


@group.command("rotate-keys")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1),
              help="Values re-encrypted per transaction.")
def rotate_keys(batch_size: int) -> None:
    """Re-encrypt every encrypted value under the active key (the first of ENCRYPTION_KEYS).

    Each batch is committed, and values already under the active key are skipped, so an interrupted
    run can simply be started again. Remove an old key from ENCRYPTION_KEYS only after a run that
    reports no failures.
    """
    from . import keys

    keyring = current_app.config["KEYRING"]
    click.echo(f"re-encrypting under the active key {keyring.active!r}")

    def report(outcome: keys.Outcome) -> None:
        click.echo(f"  {outcome.column}: {outcome.rotated} re-encrypted, {outcome.current} already current")

    try:
        outcomes = keys.rotate_all(db.session, keyring, _actor(), batch_size, progress=report)
    except keys.RotationError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"{exc}; the batches before it are saved, run again once the key is configured") from exc
    rotated, current = sum(o.rotated for o in outcomes), sum(o.current for o in outcomes)
    click.echo(f"done: {rotated} value(s) re-encrypted, {current} already under {keyring.active!r}")
