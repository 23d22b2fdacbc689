"""Logs never hold personal data, tokens, answers, request bodies or query strings."""
from __future__ import annotations

import io
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from flask import Flask
from werkzeug.serving import make_server

from trial import logging_setup
from trial.logging_setup import redact

from .journey import NAME, enroll


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything any logger writes, at DEBUG, through the app's own handler."""
    stream = io.StringIO()
    root, app_logger = logging.getLogger(), logging.getLogger("trial")
    levels = root.level, app_logger.level
    handler = logging_setup.configure(stream=stream, level=logging.DEBUG, root_level=logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(levels[0])
    app_logger.setLevel(levels[1])


@pytest.mark.parametrize(("text", "shown"), [
    ("fnr 12858510048 given", "fnr [11 digits] given"),
    ("fnr 128585 10048 given", "fnr [11 digits] given"),
    ("mail Kari.Nordmann+trial@example.org now", "mail [e-mail] now"),
    ("Authorization: Bearer trl_AbC-123_xyz", "Authorization: Bearer [token]"),
    ("token trl_AbC-123_xyz leaked", "token [token] leaked"),
    ('1.2.3.4 - - [x] "GET /sign-in?next=/a&email=k@example.org HTTP/1.1" 302 -',
     '1.2.3.4 - - [x] "GET /sign-in HTTP/1.1" 302 -'),
    ("BER-0042 at 2014-01-02 10:00:00.123456, 123456789012 rows", None),
    ('"GET /q/Zm9vYmFyX2-Fu_dG9rZW4xMjM0NTY3ODkwMTIzNDU2Nzg5MDE HTTP/1.1" 200 -',
     '"GET /q/[redacted] HTTP/1.1" 200 -'),
    ("POST https://trial.example.org/q/12858510048abcdefghijklmnopqrstuvwxyzABCDEFG/3 ok",
     "POST https://trial.example.org/q/[redacted]/3 ok"),
    ("route /q/<token>/<int:number>", None),
])
def test_the_filter_redacts_what_identifies_a_person(text: str, shown: str | None) -> None:
    assert redact(text) == (shown or text)


def test_a_whole_enrollment_journey_logs_nothing_personal(app: Flask, captured: io.StringIO,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from ..conftest import RequestIsolatedClient
    from ..helpers import load_example

    app.test_client_class = RequestIsolatedClient
    with time_machine.travel(date(2014, 1, 15), tick=True):
        load_example(app)
        enrolled = enroll(app)
        client = app.test_client()
        client.get(f"/participants/{NAME}-{enrolled.national_ids[0]}?email={enrolled.emails[0]}")
        client.post("/sign-in?next=/x", data={"email": enrolled.emails[0], "password": NAME})
        # An unexpected failure is logged with its traceback; what the message repeats is redacted.
        import trial.api.enrollment as api_views

        def crash(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError(f"broke on {enrolled.national_ids[1]} for {enrolled.emails[1]} "
                               f"({enrolled.token})")

        monkeypatch.setattr(api_views, "participant_summary", crash)
        app.config["PROPAGATE_EXCEPTIONS"] = False
        answer = client.get(f"/api/v1/trials/ips-norway/participants/{enrolled.codes[0]}",
                            headers={"Authorization": f"Bearer {enrolled.token}"})
        assert answer.status_code == 500
    log = captured.getvalue()
    lines = [json.loads(line) for line in log.splitlines()]
    routes = {line.get("route") for line in lines if line["logger"] == logging_setup.REQUEST_LOGGER}
    assert "/api/v1/trials/<trial>/screenings/<uid>/consent" in routes and "<no route>" in routes
    crashed = [line for line in lines if "exception" in line]
    assert crashed and "[11 digits]" in crashed[0]["exception"] and "[token]" in crashed[0]["exception"]
    leaked = [s for s in enrolled.secrets if s in log]
    assert leaked == []
    assert "?" not in "".join(str(line.get("route")) for line in lines)


def test_the_development_server_logs_paths_without_query_strings(app: Flask, captured: io.StringIO) -> None:
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/sign-in?next=/x&email=xylofon@example.net&fnr=12858510048"
    with urllib.request.urlopen(url) as response:  # noqa: S310 - a local test server
        assert response.status == 200
    thread.join(timeout=10)
    server.server_close()
    access = [json.loads(line) for line in captured.getvalue().splitlines()
              if json.loads(line)["logger"] == "werkzeug"]
    assert access and '"GET /sign-in HTTP/1.1" 200' in access[-1]["message"]
    assert "xylofon" not in captured.getvalue() and "12858510048" not in captured.getvalue()


def test_a_participants_link_is_logged_without_its_token(app: Flask, captured: io.StringIO) -> None:
    token = secrets.token_urlsafe(32)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    with pytest.raises(urllib.error.HTTPError) as unavailable:   # an unknown link: the neutral 404 page
        urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/q/{token}/1")  # noqa: S310 - local
    unavailable.value.close()
    thread.join(timeout=10)
    server.server_close()
    log = captured.getvalue()
    access = [json.loads(line)["message"] for line in log.splitlines() if json.loads(line)["logger"] == "werkzeug"]
    assert access and "GET /q/[redacted]/1 HTTP/1.1" in access[-1] and "404" in access[-1]
    assert token not in log and token[:20] not in log
