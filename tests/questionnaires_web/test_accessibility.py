"""axe-core in Debian's chromium on a phone-sized screen: the participant's pages in nb and en have no
serious or critical WCAG 2.1 A/AA violations, and work under the app's strict CSP.

The app runs with werkzeug's server in a thread against a committed SQLite database, with CSRF
protection on, exactly as a browser meets it. axe is vendored (tests/questionnaires_web/vendor)
and injected with Playwright's ``add_init_script``: Chromium adds such a script through the
DevTools protocol before the page's own, so the page's Content-Security-Policy (script-src 'self',
no inline script) does not apply to it and does not have to be loosened, or bypassed with
``bypass_csp``, for the test. ``add_script_tag`` would insert an inline <script>, which the CSP
rightly blocks.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from werkzeug.serving import make_server

from trial import create_app
from trial.extensions import db
from trial.questionnaires_web import issue_link

from ..conftest import app_config, dispose_database, fresh_database
from ..helpers import load_example
from .conftest import IN_6M_WINDOW, make_participant, visit_of

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
VAS_QUESTION = 14 + 6       # HADS has 14 items; the EQ VAS is the 6th of EQ-5D-5L

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("needs Debian's chromium: apt-get install chromium", allow_module_level=True)


@dataclass
class LiveApp:
    url: str
    tokens: dict[str, str]          # language -> a participant's link token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    database = fresh_database("sqlite", tmp_path_factory.mktemp("browser-db"))
    app: Flask = create_app(app_config(database.url, WTF_CSRF_ENABLED=True))
    with time_machine.travel(IN_6M_WINDOW, tick=True):
        with app.app_context():
            load_example(app)
            tokens = {language: issue_link(visit_of(make_participant(language=language)))
                      for language in ("nb", "en")}
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", tokens)
        server.shutdown()
        thread.join(timeout=10)
    with app.app_context():
        db.dispose(app)
    dispose_database(database)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Phone:
    """One participant's phone: a fresh browser context, axe injected into every page."""

    def __init__(self, browser: Any, live: LiveApp, language: str) -> None:
        self.context = browser.new_context(viewport=PHONE, locale="nb-NO" if language == "nb" else "en-GB",
                                           is_mobile=True, has_touch=True)
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.page.on("console", lambda message: self.blocked.append(message.text)
                     if "Content Security Policy" in message.text else None)
        self.base, self.language = live.url, language

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def audit(self, name: str) -> None:
        """Run axe on the page shown; fail listing every serious or critical violation."""
        assert self.page.get_attribute("html", "lang") == self.language, name
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{self.language} {name}: " + "; ".join(bad)
        assert not self.blocked, f"{self.language} {name}: the CSP blocked {self.blocked}"

    def small_targets(self) -> list[str]:
        """Buttons, fields, links and radio labels under 44 CSS pixels (a radio's target is its label)."""
        return self.page.evaluate("""() => [...document.querySelectorAll(
            'main button, main .q-choice label, main .q-back-link, main .q-change a, '
            + 'main input:not([type=hidden]):not([type=radio])')]
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))""")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_participant_pages_pass_axe_on_a_phone(browser: Any, live: LiveApp, language: str) -> None:
    phone = Phone(browser, live, language)
    token = live.tokens[language]
    try:
        phone.go(f"/q/{'A' * 43}")
        phone.audit("unavailable link")
        phone.go(f"/q/{token}")
        phone.audit("link check")
        phone.page.fill("#birth-day", "1")
        phone.page.fill("#birth-month", "1")
        phone.page.fill("#birth-year", "1990")
        phone.page.click("main button[type=submit]")
        phone.audit("link check with an error")
        phone.page.fill("#birth-day", "27")
        phone.page.fill("#birth-month", "3")
        phone.page.fill("#birth-year", "1985")
        phone.page.click("main button[type=submit]")
        assert phone.page.url.endswith(f"/q/{token}/1")
        phone.audit("question")
        assert phone.small_targets() == []
        phone.page.click("label[for=q-hads-1-2]")        # the label is the target, not the small radio
        phone.page.click("button[value=next]")
        assert phone.page.url.endswith(f"/q/{token}/2")
        phone.go(f"/q/{token}/{VAS_QUESTION}")
        phone.page.fill("#q-eq5d5l-6", "150")
        phone.page.click("button[value=next]")
        phone.audit("question with a validation error")
        assert phone.page.locator(".q-error-summary a").get_attribute("href") == "#q-eq5d5l-6"
        phone.page.fill("#q-eq5d5l-6", "70")
        phone.page.click("button[value=next]")
        phone.go(f"/q/{token}/review")
        phone.audit("review")
        assert phone.small_targets() == []
    finally:
        phone.context.close()
