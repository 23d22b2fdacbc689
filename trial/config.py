"""Configuration: defaults, then the instance folder's settings.py, then TRIAL_* variables, then tests.

`make run` writes `instance/settings.py` with a generated SECRET_KEY and ENCRYPTION_KEYS so the
embedded default works on a bare machine; production sets TRIAL_SECRET_KEY and
TRIAL_ENCRYPTION_KEYS in the environment and has no default for either.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .crypto import KeyRing

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    "ENCRYPTION_KEYS": None,
    "INSTRUMENT_TEXT_DIR": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_FROM": None,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_CONTACT": None,          # a contact line for invitations ("Questions? Call the study team at ...")
    "PUBLIC_URL": None,            # the address participants' links start with, e.g. https://trial.example.org
    "SCHEDULER_ENABLED": False,
    "LANGUAGES": ("nb", "en"),
    "BABEL_DEFAULT_LOCALE": "nb",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "IDLE_TIMEOUT_MINUTES": 30,     # a staff session ends after this long without a request
    "LOG_CONFIGURED": None,         # True when the host (e.g. gunicorn's logging config) sets up logging itself
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "DEV_INSTANCE": False,
    # Synthetic (test) national identity numbers: accepted in tests and on the development instance only,
    # unless set explicitly (a training deployment may want them).
    "ALLOW_SYNTHETIC_NATIONAL_IDS": None,
}


class ConfigError(RuntimeError):
    """The configuration cannot run the application safely."""


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("settings.py", silent=True)
    app.config.from_prefixed_env("TRIAL")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'trial.db'}"
    if app.config["DEV_INSTANCE"] or app.config.get("TESTING"):
        # The development server and the test client speak plain HTTP on 127.0.0.1.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
    if app.config["ALLOW_SYNTHETIC_NATIONAL_IDS"] is None:
        app.config["ALLOW_SYNTHETIC_NATIONAL_IDS"] = bool(app.config.get("TESTING") or app.config["DEV_INSTANCE"])
    if not app.config["SECRET_KEY"]:
        if not app.config.get("TESTING"):
            raise ConfigError("SECRET_KEY is not set: set TRIAL_SECRET_KEY (there is no production default)")
        app.config["SECRET_KEY"] = "testing-only-secret"  # noqa: S105 - TESTING only; production refuses above
    if app.config["ENCRYPTION_KEYS"] or not app.config.get("TESTING"):
        app.config["KEYRING"] = KeyRing.parse(app.config["ENCRYPTION_KEYS"])
    else:
        app.config["KEYRING"] = KeyRing.parse("test:" + "A" * 43 + "=")
