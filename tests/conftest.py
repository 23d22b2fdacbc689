"""Fixtures: a schema built by the migrations once per backend, and a fresh app per test whose
database work is rolled back afterwards (services commit, which only releases a savepoint)."""
from __future__ import annotations

import base64
import contextvars
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import sessionmaker

from trial import create_app, migrate
from trial.database import make_engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PROTOCOL = ROOT / "protocols" / "ips-norway.toml"
POSTGRES_URL = os.environ.get("TRIAL_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
TEST_KEYS = "t1:" + base64.b64encode(b"k" * 32).decode()


@dataclass
class MigratedDatabase:
    backend: str
    url: str
    engine: Engine


def _create_postgres_database() -> str:
    assert POSTGRES_URL
    name = f"trial_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    assert POSTGRES_URL
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def fresh_database(backend: str, folder: Path) -> MigratedDatabase:
    """An empty database of the given backend with the schema built by running every migration."""
    url = f"sqlite:///{folder / f'trial-{uuid.uuid4().hex[:8]}.db'}" if backend == "sqlite" \
        else _create_postgres_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    return MigratedDatabase(backend, url, engine)


def dispose_database(database: MigratedDatabase) -> None:
    database.engine.dispose()
    if database.backend == "postgresql":
        _drop_postgres_database(database.url)


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabase]:
    db = fresh_database(request.param, tmp_path_factory.mktemp("db"))
    yield db
    dispose_database(db)


def app_config(database_url: str, **extra: object) -> dict[str, object]:
    return {"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
            "ENCRYPTION_KEYS": TEST_KEYS, "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(ROOT / "tests" / "no-instance"), **extra}


@pytest.fixture
def app(database: MigratedDatabase) -> Iterator[Flask]:
    application = create_app(app_config(database.url))
    connection = database.engine.connect()
    outer = connection.begin()
    state = application.extensions["trial.db"]
    state.engine = database.engine
    state.factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with application.app_context():
        yield application
    outer.rollback()
    connection.close()


class RequestIsolatedClient(FlaskClient):
    """Each request runs in a fresh context, so it gets its own app context and `g` (as in production)
    instead of sharing the test's: the session, signed-in user and language are per request."""

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - FlaskClient.open's signature
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = RequestIsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201 - FlaskCliRunner
    return app.test_cli_runner()
