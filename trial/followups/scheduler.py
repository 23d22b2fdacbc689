"""APScheduler only polls: every minute it runs one dispatcher pass (style point 14).

`trial scheduler` runs a BlockingScheduler in its own process; `trial serve` (development, `make
run`) may run a BackgroundScheduler in-process when SCHEDULER_ENABLED is set. Either way a pass
that overruns is not started twice (max_instances=1) and missed runs collapse into one
(coalesce), and two schedulers at once are safe because the pass itself is (dispatcher.py).
"""
from __future__ import annotations

import logging
from typing import TypeVar

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .. import clock
from .dispatcher import run_pass

INTERVAL_SECONDS = 60
JOB_ID = "followup-dispatch"
log = logging.getLogger(__name__)
S = TypeVar("S", bound=BaseScheduler)


def dispatch_job(app: Flask) -> None:
    """One pass in a fresh app context (its own session), logging what it did."""
    with app.app_context():
        try:
            for report in run_pass():
                log.log(logging.DEBUG if report.quiet else logging.INFO, "follow-up dispatch %s", report.summary())
        except Exception:
            # Logged and left for the next minute: one bad pass must not stop the scheduler.
            log.exception("follow-up dispatch failed")


def build_scheduler(app: Flask, kind: type[S]) -> S:
    """A scheduler of `kind` with the dispatch job, first run now; not started."""
    scheduler: S = kind(timezone="UTC")
    scheduler.add_job(dispatch_job, "interval", seconds=INTERVAL_SECONDS, args=[app], id=JOB_ID,
                      coalesce=True, max_instances=1, misfire_grace_time=INTERVAL_SECONDS,
                      next_run_time=clock.now())
    return scheduler


def start_background_scheduler(app: Flask) -> BackgroundScheduler | None:
    """Start the dispatcher in this process when SCHEDULER_ENABLED is set; returns it (or None)."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return None
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    return scheduler


def run_blocking_scheduler(app: Flask) -> None:
    """Run the dispatcher every minute until interrupted (the `trial scheduler` process)."""
    scheduler = build_scheduler(app, BlockingScheduler)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown(wait=False)
