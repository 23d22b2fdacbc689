"""Staff accounts of the example trial, and clients signed in as them through both factors."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from trial.cli import add_member
from trial.extensions import db
from trial.models import Role, Site, Trial, User
from trial.passwords import hash_password

from ..conftest import RequestIsolatedClient
from ..helpers import load_example
from .auth import sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: these tests sign in hundreds of times, and what they check is who
    gets in, not how hard a hash is to crack (the production parameters are trial.passwords')."""
    from argon2 import PasswordHasher

    from trial import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def trial(app: Flask) -> Trial:
    app.test_client_class = RequestIsolatedClient   # each request in its own context, as in production
    load_example(app)
    return db.session.query(Trial).one()


@pytest.fixture
def staff(trial: Trial) -> Callable[..., User]:
    """A user with a role in the example trial and the password PASSWORD (no second factor yet)."""

    def make(email: str, role: str = "admin", sites: tuple[str, ...] = ()) -> User:
        chosen: list[Site] = [s for s in trial.sites if s.code in sites]
        user, _ = add_member(email, Role(role), trial, chosen)
        user.password_hash, user.must_change_password = hash_password(PASSWORD), False
        db.session.commit()
        return user

    return make


@pytest.fixture
def signed_in(app: Flask) -> Callable[[str], FlaskClient]:
    """A new browser (its own cookies) signed in as `email`."""

    def make(email: str) -> FlaskClient:
        client = app.test_client()
        response = sign_in(client, email, PASSWORD)
        assert response.status_code == 302 and not response.location.startswith("/sign-in"), response.location
        return client

    return make
