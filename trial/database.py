"""The SQLAlchemy engine and the per-request session.

One session per application context; the caller (a view, a CLI command, a dispatcher run) commits
once. On SQLite every transaction starts with BEGIN IMMEDIATE and waits on a busy timeout: the
write lock is taken up front, so two writers queue instead of one failing with "database is
locked" when it tries to upgrade a read lock (SQLAlchemy's pysqlite "serializable" recipe).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


@dataclass
class _State:
    url: str
    engine: Engine | None = None
    factory: sessionmaker[Session] | None = None


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the project's connection settings for SQLite or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                  "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy so the "begin" hook below decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "foreign_keys=ON",
                   "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Binds an engine to each app and a session to each application context."""

    def init_app(self, app: Flask) -> None:
        app.extensions["trial.db"] = _State(url=app.config["DATABASE_URL"])
        app.teardown_appcontext(self._close_session)

    def _state(self, app: Flask | None = None) -> _State:
        state: _State = (app or current_app).extensions["trial.db"]
        if state.engine is None:
            state.engine = make_engine(state.url)
            state.factory = sessionmaker(bind=state.engine, expire_on_commit=False)
        return state

    @property
    def engine(self) -> Engine:
        engine = self._state().engine
        assert engine is not None  # noqa: S101 - set by _state()
        return engine

    def session_factory(self, app: Flask | None = None) -> sessionmaker[Session]:
        factory = self._state(app).factory
        assert factory is not None  # noqa: S101 - set by _state()
        return factory

    @property
    def session(self) -> Session:
        if "trial_db_session" not in g:
            g.trial_db_session = self.session_factory()()
        session: Session = g.trial_db_session
        return session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("trial_db_session", None)
        if session is not None:
            session.close()

    def dispose(self, app: Flask) -> None:
        state: _State = app.extensions["trial.db"]
        if state.engine is not None:
            state.engine.dispose()


# PostgreSQL: serialization failure, deadlock detected, and a unique violation (a concurrent request that
# took the same key first: the retry sees its row). SQLite: a lock wait that outlasted busy_timeout.
RETRYABLE_PG_CODES = {"40001", "40P01", "23505"}


def is_retryable(error: BaseException) -> bool:
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code in RETRYABLE_PG_CODES:
        return True
    return "database is locked" in str(original or "")


def run_unit_of_work(session: Session, work: Any, attempts: int = 5) -> Any:
    """Run `work()` and commit; on a transient conflict roll back and run it again (bounded, with jitter)."""
    import random
    import time

    from sqlalchemy.exc import DBAPIError

    for attempt in range(1, attempts + 1):
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if attempt == attempts or not is_retryable(error):
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - jitter, not security
    raise AssertionError("unreachable")  # pragma: no cover
