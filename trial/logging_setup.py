"""Logging as JSON lines that never carry personal data, tokens, answers, request bodies or query strings.

Nothing in the app logs a body or a query string; one line per request names the route pattern
(`/api/v1/trials/<trial>/participants/<code>`), never the concrete path. As a second line of defence
every record passes a redacting formatter, whatever logger wrote it: 11-digit numbers (identity
numbers, with or without a separator), e-mail addresses, API tokens and the tokens of personal
questionnaire links (`/q/<token>`) are replaced, and Werkzeug's access log loses its query strings.
Free text such as a name cannot be recognised, which is why no code may log request data in the
first place.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import IO, Any

from flask import Flask, Response, g, request

# Digits not touching other digits: 11 in a row, or 6 + 5 with one space, dot or hyphen (a fødselsnummer).
_NATIONAL_ID = re.compile(r"(?<!\d)(?:\d{11}|\d{6}[ .\-]\d{5}|\d{2}[.]\d{2}[.]\d{2}[ .\-]?\d{5})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_TOKEN = re.compile(r"trl_[A-Za-z0-9_\-]+")
# A participant's personal link opens their questionnaire: '/q/<token>/2' -> '/q/[redacted]/2'.
_LINK_TOKEN = re.compile(r"/q/[A-Za-z0-9_\-]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
# '"GET /path?x=y HTTP/1.1"' -> '"GET /path HTTP/1.1"'
_QUERY = re.compile(r"(\"[A-Z]+ [^\s?\"]*)\?[^\s\"]*")
HANDLER_NAME = "trial.redacted"
REQUEST_LOGGER = "trial.request"


def redact(text: str) -> str:
    """The text with identity numbers, e-mail addresses, tokens, link tokens and query strings replaced."""
    text = _QUERY.sub(r"\1", text)
    text = _LINK_TOKEN.sub("/q/[redacted]", text)  # first: a token may contain what looks like digits
    text = _TOKEN.sub("[token]", text)
    text = _BEARER.sub(r"\1[token]", text)
    text = _EMAIL.sub("[e-mail]", text)
    return _NATIONAL_ID.sub("[11 digits]", text)


class RedactingJsonFormatter(logging.Formatter):
    """One JSON object per line; the message and any traceback are redacted after formatting."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name, "message": redact(record.getMessage()),
        }
        for key in ("method", "route", "status", "ms", "user"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactingFilter(logging.Filter):
    """For handlers that keep their own format: redacts the message in place before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def configure(stream: IO[str] | None = None, level: int | str = logging.INFO,
              root_level: int | str | None = None) -> logging.Handler:
    """Send every logger's records through one redacting JSON handler (idempotent: replaces its own).

    `level` is the app's own loggers' level ("trial", "trial.request"); other libraries keep the
    root logger's level (WARNING by default) unless `root_level` is given."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(RedactingJsonFormatter())
    root.addHandler(handler)
    logging.getLogger("trial").setLevel(level)
    if root_level is not None:
        root.setLevel(root_level)
    # Werkzeug's development server logs each request line itself; its own handler would bypass ours.
    werkzeug = logging.getLogger("werkzeug")
    for old in list(werkzeug.handlers):
        werkzeug.removeHandler(old)
    if not any(isinstance(f, RedactingFilter) for f in werkzeug.filters):
        werkzeug.addFilter(RedactingFilter())
    # SQL statements with their parameters are never logged, whatever the root level.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    return handler


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    """One line per request: the route pattern (never the path or query), status, time, user id."""
    started = g.pop("request_started", None)
    rule = request.url_rule.rule if request.url_rule is not None else "<no route>"
    user = g.get("api_user") or g.get("_login_user")
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s", request.method, rule, response.status_code,
        extra={"method": request.method, "route": rule, "status": response.status_code,
               "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
               "user": getattr(user, "id", None) if user is not None and user.is_authenticated else None})
    return response


def init_app(app: Flask) -> None:
    """Per-request log lines; the process-wide handler is installed unless LOG_CONFIGURED is set
    (a deployment with its own logging config) or when testing (tests capture logs themselves)."""
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    configured = app.config.get("LOG_CONFIGURED")
    if not (app.testing if configured is None else configured):
        configure(level=app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_start_timer)
    app.after_request(_log_request)
